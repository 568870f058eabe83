// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Reports: one list of fields, printed either as an aligned NAME VALUE table
 * or as JSON ({"<name>": [ {field: value, ...} ]}, numbers unquoted), both
 * through libsmartcols.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libsmartcols.h>

#include "cmd.h"

struct pz_field {
	char *key;
	enum pz_type type;
	char *json;		/* NULL: null */
	char *text;
};

struct pz_report {
	char *name;
	struct pz_field *f;
	size_t n, cap;
};

struct pz_report *pz_report_new(const char *name)
{
	struct pz_report *r = calloc(1, sizeof(*r));

	if (r)
		r->name = strdup(name);
	if (!r || !r->name) {
		fputs("pmdzero: out of memory\n", stderr);
		exit(PZ_EXIT_FAILURE);
	}
	return r;
}

static char *xstrdup(const char *s)
{
	char *d;

	if (!s)
		return NULL;
	d = strdup(s);
	if (!d) {
		fputs("pmdzero: out of memory\n", stderr);
		exit(PZ_EXIT_FAILURE);
	}
	return d;
}

void pz_report_add(struct pz_report *r, const char *key, enum pz_type type,
		   const char *json, const char *text)
{
	struct pz_field *f;

	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 32;
		f = realloc(r->f, r->cap * sizeof(*f));
		if (!f) {
			fputs("pmdzero: out of memory\n", stderr);
			exit(PZ_EXIT_FAILURE);
		}
		r->f = f;
	}
	f = &r->f[r->n++];
	f->key = xstrdup(key);
	f->type = type;
	f->json = xstrdup(json);
	f->text = xstrdup(text ? text : json ? json : "-");
}

void pz_report_u64(struct pz_report *r, const char *key, uint64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
	pz_report_add(r, key, PZ_NUM, buf, NULL);
}

void pz_report_bytes(struct pz_report *r, const char *key, uint64_t v)
{
	char buf[32], text[64], human[32];

	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
	if (v >= 1024)
		snprintf(text, sizeof(text), "%s (%s)", buf,
			 pmdzero_format_size(v, human, sizeof(human)));
	else
		snprintf(text, sizeof(text), "%s", buf);
	pz_report_add(r, key, PZ_NUM, buf, text);
}

void pz_report_dbl(struct pz_report *r, const char *key, double v, int decimals)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%.*f", decimals, v);
	pz_report_add(r, key, PZ_NUM, buf, NULL);
}

void pz_report_str(struct pz_report *r, const char *key, const char *v)
{
	pz_report_add(r, key, PZ_STR, v, NULL);
}

void pz_report_bool(struct pz_report *r, const char *key, int v)
{
	/* libsmartcols reads "0" (or "", "n...") as false, anything else as true. */
	pz_report_add(r, key, PZ_BOOL, v ? "1" : "0", v ? "yes" : "no");
}

static int print_json(struct pz_report *r, FILE *out)
{
	struct libscols_table *tb = scols_new_table();
	struct libscols_line *ln;
	struct libscols_column *cl;
	int ret = -1;
	size_t i;

	if (!tb)
		return -1;
	scols_table_set_name(tb, r->name);
	scols_table_enable_json(tb, 1);
	scols_table_set_stream(tb, out);
	for (i = 0; i < r->n; i++) {
		cl = scols_table_new_column(tb, r->f[i].key, 0, 0);
		if (!cl)
			goto out;
		scols_column_set_json_type(cl, r->f[i].type == PZ_NUM ? SCOLS_JSON_NUMBER :
					   r->f[i].type == PZ_BOOL ? SCOLS_JSON_BOOLEAN_OPTIONAL :
					   SCOLS_JSON_STRING);
	}
	ln = scols_table_new_line(tb, NULL);
	if (!ln)
		goto out;
	for (i = 0; i < r->n; i++) {
		/* A cell left unset (no data) is printed as null by
		 * libsmartcols, whatever the column's JSON type. */
		if (r->f[i].json && scols_line_set_data(ln, i, r->f[i].json))
			goto out;
	}
	ret = scols_print_table(tb);
out:
	scols_unref_table(tb);
	return ret;
}

static int print_text(struct pz_report *r, FILE *out)
{
	struct libscols_table *tb = scols_new_table();
	struct libscols_line *ln;
	int ret = -1;
	size_t i;

	if (!tb)
		return -1;
	scols_table_enable_noheadings(tb, 1);
	scols_table_set_stream(tb, out);
	if (!scols_table_new_column(tb, "NAME", 0, 0) ||
	    !scols_table_new_column(tb, "VALUE", 0, SCOLS_FL_NOEXTREMES))
		goto out;
	for (i = 0; i < r->n; i++) {
		ln = scols_table_new_line(tb, NULL);
		if (!ln || scols_line_set_data(ln, 0, r->f[i].key) ||
		    scols_line_set_data(ln, 1, r->f[i].text))
			goto out;
	}
	ret = scols_print_table(tb);
out:
	scols_unref_table(tb);
	return ret;
}

int pz_report_print(struct pz_report *r, int json, FILE *out)
{
	/* Write errors on out are close_stdout()'s to report, at exit, as
	 * util-linux does: a reader gone away (EPIPE) is not one. */
	return (json ? print_json(r, out) : print_text(r, out)) ? -1 : 0;
}

void pz_report_free(struct pz_report *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->n; i++) {
		free(r->f[i].key);
		free(r->f[i].json);
		free(r->f[i].text);
	}
	free(r->f);
	free(r->name);
	free(r);
}
