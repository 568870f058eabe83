// SPDX-License-Identifier: GPL-2.0-or-later
/* The engine table through pmdzero_engine_parse(), _name(), _help() and
 * _flags(): names round-trip, are unique and described; flags agree. */
#include <errno.h>
#include <string.h>

#include "pmdzero.h"
#include "test.h"

int main(void)
{
	static const char *const bad[] = {
		"", "AUTO", "Ioctl", "io_uring", "uring_fallocate", "uring-", "libaio",
		"sync", "psync ", " auto", "foo",
	};
	const unsigned int size_flags = PMDZERO_ENGINE_WRITES | PMDZERO_ENGINE_CHUNKS;
	const char *name, *help;
	unsigned int f;
	size_t i;
	int e, j;

	for (e = 0; (name = pmdzero_engine_name((enum pmdzero_engine)e)); e++) {
		CHECK(pmdzero_engine_parse(name) == e, "\"%s\" parsed as %d, not %d",
		      name, pmdzero_engine_parse(name), e);
		for (j = 0; j < e; j++)
			CHECK(strcmp(name, pmdzero_engine_name((enum pmdzero_engine)j)),
			      "\"%s\" listed twice", name);
		help = pmdzero_engine_help((enum pmdzero_engine)e);
		CHECK(help && *help && !strchr(help, '\n'), "%s: no one-line help", name);
		f = pmdzero_engine_flags((enum pmdzero_engine)e);
		/* One call for the range, or pieces of block_size; chunks
		 * (uring-fallocate) may be one call by default. */
		CHECK((f & PMDZERO_ENGINE_ONE_CALL) || (f & size_flags), "%s: flags %#x", name, f);
		CHECK(!(f & PMDZERO_ENGINE_ONE_CALL) || !(f & PMDZERO_ENGINE_WRITES),
		      "%s: flags %#x", name, f);
		CHECK(!(f & PMDZERO_ENGINE_QUEUED) || (f & size_flags), "%s: queued one call", name);
	}
	CHECK(e == PMDZERO_ENGINE_COUNT, "%d engines listed, PMDZERO_ENGINE_COUNT is %d",
	      e, PMDZERO_ENGINE_COUNT);
	CHECK(e == pmdzero_engine_count(), "%d engines listed, pmdzero_engine_count() is %d",
	      e, pmdzero_engine_count());
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(pmdzero_engine_parse(bad[i]) == -EINVAL, "\"%s\" accepted", bad[i]);
	CHECK(pmdzero_engine_parse(NULL) == -EINVAL, "NULL accepted");
	CHECK(pmdzero_engine_name(PMDZERO_ENGINE_COUNT) == NULL, "name of COUNT");
	CHECK(pmdzero_engine_name((enum pmdzero_engine)-1) == NULL, "name of -1");
	CHECK(pmdzero_engine_help(PMDZERO_ENGINE_COUNT) == NULL, "help of COUNT");
	CHECK(pmdzero_engine_flags(PMDZERO_ENGINE_COUNT) == 0, "flags of COUNT");
	CHECK(PMDZERO_ENGINE_AUTO == 0, "auto must be the zero-initialised default");
	CHECK(!strcmp(pmdzero_engine_name(PMDZERO_ENGINE_AUTO), "auto"), "auto's name");
	TEST_EXIT();
}
