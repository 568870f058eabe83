# Shared build settings for lib/, tools/ and tests/unit/ (included by each).
# O: absolute output directory; everything built goes under it.
# SANITIZE=1: build with AddressSanitizer and UBSan.

TOPDIR := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))/..)
O ?= $(TOPDIR)/build/default
override O := $(abspath $(O))

CC ?= cc
AR ?= ar
CFLAGS ?= -O2 -g
override CFLAGS += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror \
	-Wmissing-prototypes -Wstrict-prototypes -Wshadow -Wformat=2 \
	-fno-strict-aliasing
# -Wno-format-truncation: snprintf() is used precisely so that an overlong
# path or name is cut, never overflowed; GCC flags every such use.  Only
# GCC has the warning: clang rejects the option under -Werror, so it is
# given to a compiler that accepts it (asked once per make).
cc_has_flag = $(shell $(CC) -Werror $(1) -x c -c -o /dev/null /dev/null 2>/dev/null && echo y)
ifeq ($(call cc_has_flag,-Wformat-truncation),y)
override CFLAGS += -Wno-format-truncation
endif
ifeq ($(SANITIZE),1)
override CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all
override LDFLAGS += -fsanitize=address,undefined
# clang links its sanitizer runtime into programs statically and leaves a
# shared library's calls into it undefined, which -z defs refuses: link
# the shared runtime instead, as GCC does, and say where the loader finds it.
ifneq ($(shell $(CC) -dM -E -x c /dev/null 2>/dev/null | grep -w __clang__),)
override LDFLAGS += -shared-libsan -Wl,-rpath,$(shell $(CC) -print-runtime-dir)
endif
endif

PMDZERO_VERSION := $(shell cat $(TOPDIR)/lib/VERSION)
LIBPMDZERO_A := $(O)/lib/libpmdzero.a
# What a program linking libpmdzero.a statically needs besides libc.
LIBPMDZERO_DEPLIBS := -luring -laio -lblkid -lmount -lpthread

Q := $(if $(V),,@)
