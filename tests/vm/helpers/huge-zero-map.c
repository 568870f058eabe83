// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * huge-zero-map HOLD_SECONDS
 *
 * Read-fault one PMD-aligned 2 MiB range of anonymous memory (MADV_HUGEPAGE)
 * and say what got mapped there, from /proc/self/pagemap and
 * /proc/kpageflags: "huge-zero" (the THP huge zero folio), "zero" (the 4 KiB
 * ZERO_PAGE) or "other".  Then hold the mapping HOLD_SECONDS and exit.
 * Exit 0 when it could tell, 2 on an error.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PMD_BYTES (2UL << 20)
#define KPF_THP 22
#define KPF_ZERO_PAGE 24

static int read_u64(const char *path, uint64_t index, uint64_t *v)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = pread(fd, v, sizeof(*v), (off_t)(index * sizeof(*v)));
	close(fd);
	return n == sizeof(*v) ? 0 : -1;
}

int main(int argc, char **argv)
{
	uint64_t entry, flags, pfn;
	volatile char *p;
	char *map;
	int hold;

	if (argc != 2 || (hold = atoi(argv[1])) < 0) {
		fprintf(stderr, "usage: huge-zero-map HOLD_SECONDS\n");
		return 2;
	}
	map = mmap(NULL, 2 * PMD_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED) {
		perror("mmap");
		return 2;
	}
	p = (char *)(((uintptr_t)map + PMD_BYTES - 1) & ~(PMD_BYTES - 1));
	if (madvise((void *)p, PMD_BYTES, MADV_HUGEPAGE))
		perror("madvise(MADV_HUGEPAGE)");
	if (p[0] != 0) {
		fprintf(stderr, "a fresh anonymous page is not zero\n");
		return 2;
	}
	if (read_u64("/proc/self/pagemap", (uintptr_t)p / (uint64_t)getpagesize(), &entry)) {
		perror("/proc/self/pagemap");
		return 2;
	}
	if (!(entry >> 63)) {
		fprintf(stderr, "the read fault mapped nothing\n");
		return 2;
	}
	pfn = entry & ((1ULL << 55) - 1);
	if (read_u64("/proc/kpageflags", pfn, &flags)) {
		perror("/proc/kpageflags");
		return 2;
	}
	if (flags & (1ULL << KPF_ZERO_PAGE))
		puts(flags & (1ULL << KPF_THP) ? "huge-zero" : "zero");
	else
		puts("other");
	fflush(stdout);
	sleep((unsigned int)hold);
	return 0;
}
