/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Minimal checks for the unit tests: exit 0 pass, 1 fail, 77 skip. */
#ifndef PMDZERO_TEST_H
#define PMDZERO_TEST_H

#include <stdio.h>
#include <stdlib.h>

static int test_failures;

#define CHECK(cond, ...)						\
	do {								\
		if (!(cond)) {						\
			test_failures++;				\
			printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
			printf(__VA_ARGS__);				\
			putchar('\n');					\
		}							\
	} while (0)

#define TEST_EXIT()							\
	do {								\
		printf("%d check(s) failed\n", test_failures);		\
		return test_failures ? 1 : 0;				\
	} while (0)

#endif
