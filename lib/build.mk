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
	-fno-strict-aliasing -Wno-format-truncation
# -Wno-format-truncation: snprintf() is used precisely so that an overlong
# path or name is cut, never overflowed; GCC flags every such use.
ifeq ($(SANITIZE),1)
override CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all
override LDFLAGS += -fsanitize=address,undefined
endif

PMDZERO_VERSION := $(shell cat $(TOPDIR)/lib/VERSION)
LIBPMDZERO_A := $(O)/lib/libpmdzero.a
# What a program linking libpmdzero.a statically needs besides libc.
LIBPMDZERO_DEPLIBS := -luring -laio -lblkid -lmount -lpthread

Q := $(if $(V),,@)
