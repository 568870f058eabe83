// SPDX-License-Identifier: GPL-2.0-or-later
/* The report printer (tools/report.c): JSON types, nulls, escaping, text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "test.h"

static char *render(struct pz_report *r, int json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f || pz_report_print(r, json, f)) {
		printf("print failed\n");
		exit(1);
	}
	fclose(f);
	return buf;
}

/* Whether s contains a line that, stripped of leading blanks, equals line. */
static int has_line(const char *s, const char *line)
{
	const char *p = s, *e;
	size_t n = strlen(line);

	while (*p) {
		while (*p == ' ')
			p++;
		e = strchr(p, '\n');
		if (!e)
			e = p + strlen(p);
		if ((size_t)(e - p) == n && !strncmp(p, line, n))
			return 1;
		p = *e ? e + 1 : e;
	}
	return 0;
}

int main(void)
{
	struct pz_report *r = pz_report_new("zero");
	char *json, *text;

	pz_report_str(r, "device", "/dev/x\"y");
	pz_report_u64(r, "bios", 1024);
	pz_report_bytes(r, "bytes", 3145728);
	pz_report_dbl(r, "elapsed_s", 1.5, 3);
	pz_report_bool(r, "traced", 1);
	pz_report_bool(r, "verified", 0);
	pz_report_add(r, "bio_bytes", PZ_NUM, NULL, "unavailable");
	pz_report_add(r, "range_zero", PZ_BOOL, NULL, NULL);
	pz_report_add(r, "mountpoint", PZ_STR, NULL, NULL);

	json = render(r, 1);
	text = render(r, 0);
	printf("%s\n%s\n", json, text);

	CHECK(has_line(json, "\"zero\": ["), "named top-level array");
	CHECK(has_line(json, "\"device\": \"/dev/x\\\"y\","), "string escaped");
	CHECK(has_line(json, "\"bios\": 1024,"), "number unquoted");
	CHECK(has_line(json, "\"bytes\": 3145728,"), "bytes are a plain number");
	CHECK(has_line(json, "\"elapsed_s\": 1.500,"), "decimal number");
	CHECK(has_line(json, "\"traced\": true,"), "boolean true");
	CHECK(has_line(json, "\"verified\": false,"), "boolean false");
	CHECK(has_line(json, "\"bio_bytes\": null,"), "null number");
	CHECK(has_line(json, "\"range_zero\": null,"), "null boolean");
	CHECK(has_line(json, "\"mountpoint\": null"), "null string");

	CHECK(has_line(text, "device     /dev/x\"y"), "text string");
	CHECK(has_line(text, "bytes      3145728 (3.0 MiB)"), "text bytes with human size");
	CHECK(has_line(text, "traced     yes"), "text boolean");
	CHECK(has_line(text, "bio_bytes  unavailable"), "text override");
	CHECK(has_line(text, "range_zero -"), "text null");
	CHECK(!strchr(text, '{'), "text is not JSON");

	free(json);
	free(text);
	pz_report_free(r);
	TEST_EXIT();
}
