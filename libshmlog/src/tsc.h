/* tsc.h - record timestamps: ns since the epoch, read cheaply from the TSC where it is
 * trustworthy.
 *
 * Private header. clock_gettime(CLOCK_REALTIME) was measured at 22 ns here, about half of a
 * whole shmlog_write; rdtsc costs under 10 ns. So when the CPU has an invariant TSC and the
 * kernel itself uses the TSC as its clocksource (it checks the TSCs of all CPUs agree before it
 * does), the ring's creator measures the TSC rate and records it in the header (tsc_hz), and
 * each writer thread turns rdtsc into ns since the epoch against an anchor of its own, one
 * (TSC, CLOCK_REALTIME) pair it renews once TSC_ANCHOR_NS' worth of ticks have passed. The
 * record then holds final ns: every reader, at any time, prints the same time for it.
 *
 * Rings that older versions created with CLOCK_SRC_TSC hold raw ticks instead; writers keep
 * storing ticks there and readers convert them with a clock_conv, as those versions did.
 * docs/FORMAT.md §7.7 has the error bound and the compatibility rules.
 */
#ifndef SHMLOG_TSC_H
#define SHMLOG_TSC_H

#include <stdint.h>

enum { CLOCK_SRC_REALTIME = 0, CLOCK_SRC_TSC = 1 };

/* Measures the TSC rate for a new ring (takes ~20 ms): ticks per second, or 0 where the TSC is
 * not trustworthy (then writers read CLOCK_REALTIME). SHMLOG_CLOCK=realtime in the environment
 * gives 0; SHMLOG_CLOCK=tsc trusts an x86-64 TSC that the kernel does not use (tests, VMs). */
uint64_t tsc_calibrate(void);

static inline uint64_t clock_tsc(void)
{
#if defined(__x86_64__)
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
#else
	return 0;
#endif
}

/* ------------------------------------------------------------------ writers: TSC to ns */

#define TSC_SHIFT 32
/* An anchor serves this long: the error grows with the time since it (FORMAT.md §7.7). */
#define TSC_ANCHOR_NS 10000000
/* A wall clock found behind the old anchor's times by less than this at a renewal was slewed
 * or the rate was a little fast: the thread's times wait for it instead of going back. More
 * is a step of the wall clock, and the times follow it. */
#define TSC_STEP_NS 1000000

/* A writer thread's anchor. A zeroed one serves nothing: the first read renews it. */
struct tsc_clock {
	uint64_t tsc;   /* TSC at the anchor */
	uint64_t limit; /* ticks past tsc this anchor serves */
	uint64_t mult;  /* ns per tick << TSC_SHIFT */
	int64_t ns;     /* CLOCK_REALTIME at the anchor */
	int64_t floor;  /* no time below this (see TSC_STEP_NS); INT64_MIN: none */
};

/* ns per tick << TSC_SHIFT for a ring whose header says HZ, or 0 (use CLOCK_REALTIME) when HZ
 * lies outside 1 MHz..100 GHz (a damaged header) or this is not x86-64. */
uint64_t tsc_mult(uint64_t hz);

/* Anchors C at the pair (TSC, NS) with rate MULT, keeping the times it gives from going back
 * behind the old anchor's by less than TSC_STEP_NS. Returns the time at TSC. */
int64_t tsc_clock_set(struct tsc_clock *c, uint64_t tsc, int64_t ns, uint64_t mult);

/* Reads both clocks and anchors C there (tsc_clock_set). Returns the time now. */
int64_t tsc_clock_renew(struct tsc_clock *c, uint64_t mult);

/* The time at tick T, which must lie within C's window (T - c->tsc < c->limit). */
static inline int64_t tsc_clock_at(const struct tsc_clock *c, uint64_t t)
{
	int64_t ns = c->ns + (int64_t)(((t - c->tsc) * c->mult) >> TSC_SHIFT);
	return ns > c->floor ? ns : c->floor;
}

/* ns since the epoch now, for a ring whose tsc_mult() is MULT. No syscall: rdtsc and a multiply,
 * and one clock_gettime (vDSO) per TSC_ANCHOR_NS. The window bounds the product: with any rate
 * the mult allows, limit * mult stays below 2^56. */
static inline int64_t tsc_clock_ns(struct tsc_clock *c, uint64_t mult)
{
	uint64_t t = clock_tsc();

	if (__builtin_expect(t - c->tsc >= c->limit, 0))
		return tsc_clock_renew(c, mult);
	return tsc_clock_at(c, t);
}

/* ------------------------------------------------------------------ readers of old TSC rings */

/* A reader's converter from a ring's raw record times to ns since the epoch: raw ns, or for a
 * CLOCK_SRC_TSC ring (made by an older version) ticks against a recent anchor of the reader's. */
struct clock_conv {
	uint32_t source;
	double ns_per_tick;
	uint64_t anchor_tsc, renew_tsc; /* the anchor; a record past renew_tsc renews it */
	uint64_t renew_ticks;
	int64_t anchor_ns;              /* wall clock at the anchor */
};

void clock_conv_init(struct clock_conv *cv, uint32_t source, uint64_t tsc_hz);
int64_t clock_conv_ns(struct clock_conv *cv, uint64_t raw);

#endif
