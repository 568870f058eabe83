// SPDX-License-Identifier: GPL-2.0-or-later
/* pmdzero_engine_parse() and pmdzero_engine_name(). */
#include <errno.h>
#include <string.h>

#include "pmdzero.h"
#include "test.h"

int main(void)
{
	static const char *const names[] = {
		"auto", "ioctl", "fallocate", "uring", "uring-fallocate", "aio", "psync",
	};
	static const char *const bad[] = {
		"", "AUTO", "Ioctl", "io_uring", "uring_fallocate", "uring-", "libaio",
		"sync", "psync ", " auto", "foo",
	};
	size_t i;
	int e;

	CHECK(sizeof(names) / sizeof(names[0]) == PMDZERO_ENGINE_COUNT, "engine count");
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		e = pmdzero_engine_parse(names[i]);
		CHECK(e == (int)i, "\"%s\" parsed as %d", names[i], e);
		CHECK(pmdzero_engine_name((enum pmdzero_engine)i) &&
		      !strcmp(pmdzero_engine_name((enum pmdzero_engine)i), names[i]),
		      "name of %zu", i);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(pmdzero_engine_parse(bad[i]) == -EINVAL, "\"%s\" accepted", bad[i]);
	CHECK(pmdzero_engine_parse(NULL) == -EINVAL, "NULL accepted");
	CHECK(pmdzero_engine_name(PMDZERO_ENGINE_COUNT) == NULL, "name of COUNT");
	CHECK(pmdzero_engine_name((enum pmdzero_engine)-1) == NULL, "name of -1");
	CHECK(PMDZERO_ENGINE_AUTO == 0, "auto must be the zero-initialised default");
	TEST_EXIT();
}
