// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Progress on a terminal, for zero and verify.  The write engines and
 * verify's reads report bytes as they complete; BLKZEROOUT, fallocate and
 * one uring-fallocate SQE are one kernel call that reports nothing until
 * it returns, so a ticker thread shows the time spent in it instead.
 * Both draw under one lock, at most once a second.
 */
#include <stdio.h>
#include <time.h>

#include "cmd.h"

uint64_t pz_monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* A one-line bar on stderr, redrawn at most once a second. */
void pz_progress_cb(uint64_t done, uint64_t total, void *arg)
{
	struct pz_progress *pr = arg;
	char d[32], t[32], bar[33];
	uint64_t now = pz_monotonic_ns();
	double secs, pct;
	int i, fill;

	if (!pr->enabled || !done || done >= total)
		return;
	pthread_mutex_lock(&pr->lock);
	pr->incremental = 1;
	if (now - pr->last < 1000000000ULL) {
		pthread_mutex_unlock(&pr->lock);
		return;
	}
	pr->last = now;
	pct = total ? 100.0 * (double)done / (double)total : 100.0;
	fill = (int)(pct * 32 / 100);
	for (i = 0; i < 32; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[32] = '\0';
	secs = (double)(now - pr->t0) / 1e9;
	fprintf(stderr, "\r\033[K%s [%s] %5.1f%% %s / %s  %.1f MiB/s", pr->verb, bar, pct,
		pmdzero_format_size(done, d, sizeof(d)), pmdzero_format_size(total, t, sizeof(t)),
		secs > 0 ? (double)done / 1048576.0 / secs : 0.0);
	fflush(stderr);
	pthread_mutex_unlock(&pr->lock);
}

static void *progress_ticker(void *arg)
{
	struct pz_progress *pr = arg;
	struct timespec deadline;
	char t[32];

	pthread_mutex_lock(&pr->lock);
	while (!pr->stop) {
		clock_gettime(CLOCK_REALTIME, &deadline);
		deadline.tv_sec += 1;
		pthread_cond_timedwait(&pr->wake, &pr->lock, &deadline);
		if (pr->stop || pr->incremental)
			continue;
		pr->last = pz_monotonic_ns();
		fprintf(stderr, "\r\033[K%s %s with %s: %s for %.0f s", pr->verb,
			pmdzero_format_size(pr->total, t, sizeof(t)), pr->engine,
			pr->one_call ? "in one kernel call" : "waiting for the first write",
			(double)(pr->last - pr->t0) / 1e9);
		fflush(stderr);
	}
	pthread_mutex_unlock(&pr->lock);
	return NULL;
}

void pz_progress_begin(struct pz_progress *pr, int enabled, const char *verb, uint64_t total,
		       const char *engine, int one_call)
{
	pr->enabled = enabled;
	pr->verb = verb;
	pr->t0 = pr->last = pz_monotonic_ns();
	pr->total = total;
	pr->engine = engine;
	pr->one_call = one_call;
	pthread_mutex_init(&pr->lock, NULL);
	pthread_cond_init(&pr->wake, NULL);
	/* No engine (verify's reads): the bar alone.  Without the ticker the
	 * write engines' bar still works. */
	if (!pr->enabled || !engine || pthread_create(&pr->ticker, NULL, progress_ticker, pr))
		pr->stop = 1;
}

void pz_progress_end(struct pz_progress *pr)
{
	if (!pr->stop) {
		pthread_mutex_lock(&pr->lock);
		pr->stop = 1;
		pthread_cond_signal(&pr->wake);
		pthread_mutex_unlock(&pr->lock);
		pthread_join(pr->ticker, NULL);
	}
	if (pr->enabled && pr->last != pr->t0) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
	pthread_cond_destroy(&pr->wake);
	pthread_mutex_destroy(&pr->lock);
}
