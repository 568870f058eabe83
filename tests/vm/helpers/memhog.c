// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * memhog [-p PERCENT] [-r RESERVE_MIB] [-i INTERVAL_MS] [-c]
 *
 * Memory pressure that never ends in the OOM killer: hold anonymous memory,
 * touched (non-zero, so neither the zero page nor THP's huge zero page backs
 * it), up to PERCENT (default 90) of the MemAvailable seen at start, but
 * never so much that MemAvailable falls below RESERVE_MIB (default 384):
 * every INTERVAL_MS (default 50) it reads /proc/meminfo again, gives memory
 * back (MADV_DONTNEED) when others need it and takes more when they have
 * freed it.  Memory is held in 2 MiB chunks, alternately advised
 * MADV_HUGEPAGE and MADV_NOHUGEPAGE, so that huge and small pages
 * interleave and compaction has work; with -c it also churns: each interval
 * one chunk is given back and another touched.
 *
 * Its oom_score_adj is 1000: should the kernel run out anyway, it is the
 * one killed, never the process under test.  Prints "memhog: ready ..." once
 * the first fill is done, and its figures when SIGTERM or SIGINT ends it
 * (exit 0).  Exit 2 on an error.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (2ul << 20)
#define MiB (1ul << 20)

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* MemAvailable in bytes, or -1. */
static long long mem_available(void)
{
	char line[128];
	long long kb = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %lld kB", &kb) == 1)
			break;
	fclose(f);
	return kb < 0 ? -1 : kb * 1024;
}

static uint64_t rng = 88172645463325252ull;

static uint64_t rnd(uint64_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng % n;
}

struct hog {
	char *base;
	size_t nchunks;
	unsigned char *held;
	size_t nheld, peak, touched, released;
};

static void touch(struct hog *h, size_t i)
{
	char *p = h->base + i * CHUNK;

	madvise(p, CHUNK, (i + h->touched) % 2 ? MADV_NOHUGEPAGE : MADV_HUGEPAGE);
	/* One write per 4 KiB page is enough to fault it in; non-zero. */
	for (size_t o = 0; o < CHUNK; o += 4096)
		p[o] = (char)(1 + (o >> 12) % 251);
	h->held[i] = 1;
	h->nheld++;
	h->touched++;
	if (h->nheld > h->peak)
		h->peak = h->nheld;
}

static void release(struct hog *h, size_t i)
{
	madvise(h->base + i * CHUNK, CHUNK, MADV_DONTNEED);
	h->held[i] = 0;
	h->nheld--;
	h->released++;
}

/* A random chunk that is (want = 1) or is not (want = 0) held. */
static size_t pick(const struct hog *h, int want)
{
	size_t i = (size_t)rnd(h->nchunks);

	for (size_t n = 0; n < h->nchunks; n++, i = (i + 1) % h->nchunks)
		if (h->held[i] == want)
			return i;
	return SIZE_MAX;
}

int main(int argc, char **argv)
{
	long percent = 90, reserve_mib = 384, interval_ms = 50;
	long long avail, reserve, min_avail;
	struct timespec tick;
	struct hog h = { 0 };
	int churn = 0, opt;
	FILE *adj;

	while ((opt = getopt(argc, argv, "p:r:i:c")) != -1) {
		switch (opt) {
		case 'p': percent = atol(optarg); break;
		case 'r': reserve_mib = atol(optarg); break;
		case 'i': interval_ms = atol(optarg); break;
		case 'c': churn = 1; break;
		default: goto usage;
		}
	}
	if (optind != argc || percent < 1 || percent > 100 || reserve_mib < 0 ||
	    interval_ms < 1 || interval_ms > 10000)
		goto usage;

	adj = fopen("/proc/self/oom_score_adj", "w");
	if (adj) {
		fputs("1000", adj);
		fclose(adj);
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);

	avail = mem_available();
	if (avail < 0) {
		fprintf(stderr, "memhog: no MemAvailable in /proc/meminfo\n");
		return 2;
	}
	reserve = (long long)reserve_mib * (long long)MiB;
	h.nchunks = (size_t)(avail / 100 * percent / (long long)CHUNK);
	if (!h.nchunks) {
		printf("memhog: ready, nothing to hold (MemAvailable %lld MiB)\n", avail / (long long)MiB);
		fflush(stdout);
		h.nchunks = 1;
	}
	h.base = mmap(NULL, h.nchunks * CHUNK, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	h.held = calloc(h.nchunks, 1);
	if (h.base == MAP_FAILED || !h.held) {
		fprintf(stderr, "memhog: cannot reserve %zu MiB: %s\n", h.nchunks * CHUNK / MiB,
			strerror(errno));
		return 2;
	}

	/* First fill: as far as the reserve allows, looking again every
	 * 8 chunks (16 MiB) so as never to overshoot by much. */
	min_avail = avail;
	while (!stop && h.nheld < h.nchunks) {
		if (h.nheld % 8 == 0) {
			avail = mem_available();
			if (avail < min_avail)
				min_avail = avail;
			if (avail < reserve + 16 * (long long)CHUNK)
				break;
		}
		touch(&h, h.nheld);
	}
	printf("memhog: ready, holding %zu MiB of %zu, MemAvailable %lld MiB, reserve %ld MiB\n",
	       h.nheld * CHUNK / MiB, h.nchunks * CHUNK / MiB, mem_available() / (long long)MiB,
	       reserve_mib);
	fflush(stdout);

	tick.tv_sec = interval_ms / 1000;
	tick.tv_nsec = (interval_ms % 1000) * 1000000L;
	while (!stop) {
		nanosleep(&tick, NULL);
		avail = mem_available();
		if (avail < min_avail)
			min_avail = avail;
		if (avail < reserve) {
			/* Others need it: give back what they are short of,
			 * and one chunk more. */
			long long want = (reserve - avail) / (long long)CHUNK + 1;

			while (want-- > 0 && h.nheld)
				release(&h, pick(&h, 1));
			continue;
		}
		if (avail > reserve + 32 * (long long)CHUNK) {
			/* Freed elsewhere: take up to 16 MiB of it back. */
			for (int k = 0; k < 8 && h.nheld < h.nchunks; k++)
				touch(&h, pick(&h, 0));
		}
		if (churn && h.nheld) {
			/* The chunk given back may be the one touched again. */
			release(&h, pick(&h, 1));
			touch(&h, pick(&h, 0));
		}
	}
	printf("memhog: held %zu MiB at the end, peak %zu MiB, touched %zu chunks, gave back %zu, "
	       "lowest MemAvailable %lld MiB\n", h.nheld * CHUNK / MiB, h.peak * CHUNK / MiB,
	       h.touched, h.released, min_avail / (long long)MiB);
	return 0;

usage:
	fprintf(stderr, "usage: memhog [-p PERCENT] [-r RESERVE_MIB] [-i INTERVAL_MS] [-c]\n");
	return 2;
}
