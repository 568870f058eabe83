// SPDX-License-Identifier: LGPL-2.1-or-later
/* The version, defined once in lib/VERSION and passed in by lib/Makefile. */
#include "internal.h"

#ifndef PMDZERO_VERSION_STRING
#error "PMDZERO_VERSION_STRING must come from lib/Makefile (lib/VERSION)"
#endif

const char *pmdzero_version(void)
{
	return PMDZERO_VERSION_STRING;
}
