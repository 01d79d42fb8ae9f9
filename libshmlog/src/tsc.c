/* tsc.c - measuring a ring's TSC rate, writers' anchors, and readers' conversion of the raw ticks
 * that older rings hold (see tsc.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tsc.h"
#include "internal.h"

#define ANCHOR_EVERY_MS 100
#define CALIBRATE_US 20000

static int file_has(const char *path, const char *needle, int whole_line)
{
	char line[4096];
	int found = 0;
	FILE *f = fopen(path, "re");
	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f)) {
		if (whole_line) {
			line[strcspn(line, "\n")] = '\0';
			found = strcmp(line, needle) == 0;
		} else if (strncmp(line, "flags", 5) == 0) {
			found = strstr(line, needle) != NULL;
		}
	}
	fclose(f);
	return found;
}

static int tsc_trustworthy(void)
{
#if defined(__x86_64__)
	const char *force = getenv("SHMLOG_CLOCK");
	if (force && strcmp(force, "realtime") == 0)
		return 0;
	if (force && strcmp(force, "tsc") == 0)
		return 1;
	return file_has("/proc/cpuinfo", " constant_tsc", 0) &&
	       file_has("/proc/cpuinfo", " nonstop_tsc", 0) &&
	       file_has("/sys/devices/system/clocksource/clocksource0/current_clocksource", "tsc",
			1);
#else
	return 0;
#endif
}

/* One (tsc, CLOCK_MONOTONIC_RAW) pair, taken as close together as we can. */
static void sample(uint64_t *tsc, int64_t *ns)
{
	uint64_t best = UINT64_MAX;
	for (int i = 0; i < 5; i++) {
		uint64_t t0 = clock_tsc();
		int64_t n = clock_ns(CLOCK_MONOTONIC_RAW);
		uint64_t t1 = clock_tsc();
		if (t1 - t0 < best) {
			best = t1 - t0;
			*tsc = t0 + (t1 - t0) / 2;
			*ns = n;
		}
	}
}

uint64_t tsc_calibrate(void)
{
	/* sample() always sets them; gcc -O3 cannot see it through sample()'s loop. */
	uint64_t t0 = 0, t1 = 0;
	int64_t n0 = 0, n1 = 0;

	if (!tsc_trustworthy())
		return 0;
	sample(&t0, &n0);
	usleep(CALIBRATE_US);
	sample(&t1, &n1);
	if (t1 <= t0 || n1 <= n0)
		return 0;
	return (uint64_t)((double)(t1 - t0) * 1e9 / (double)(n1 - n0) + 0.5);
}

/* ------------------------------------------------------------------ writers */

#define TSC_HZ_MIN 1000000ULL
#define TSC_HZ_MAX 100000000000ULL

uint64_t tsc_mult(uint64_t hz)
{
#if defined(__x86_64__)
	if (hz < TSC_HZ_MIN || hz > TSC_HZ_MAX)
		return 0;
	return (1000000000ULL << TSC_SHIFT) / hz; /* 10^9 << 32 < 2^62 */
#else
	(void)hz;
	return 0;
#endif
}

int64_t tsc_clock_set(struct tsc_clock *c, uint64_t tsc, int64_t ns, uint64_t mult)
{
	/* The last time the old anchor could give: the end of its window. limit * mult < 2^56. */
	int64_t old_end = c->limit ? c->ns + (int64_t)((c->limit * c->mult) >> TSC_SHIFT)
				   : INT64_MIN;

	c->tsc = tsc;
	c->ns = ns;
	c->mult = mult;
	c->limit = ((uint64_t)TSC_ANCHOR_NS << TSC_SHIFT) / mult;
	c->floor = old_end > ns && old_end - ns < TSC_STEP_NS ? old_end : INT64_MIN;
	return ns > c->floor ? ns : c->floor;
}

int64_t tsc_clock_renew(struct tsc_clock *c, uint64_t mult)
{
	uint64_t t0 = clock_tsc();
	int64_t ns = clock_ns(CLOCK_REALTIME);
	uint64_t t1 = clock_tsc();

	return tsc_clock_set(c, t0 + (t1 - t0) / 2, ns, mult);
}

/* ------------------------------------------------------------------ readers of old TSC rings */

static void anchor(struct clock_conv *cv)
{
	uint64_t t0 = clock_tsc();
	cv->anchor_ns = clock_ns(CLOCK_REALTIME);
	uint64_t t1 = clock_tsc();
	cv->anchor_tsc = t0 + (t1 - t0) / 2;
	cv->renew_tsc = cv->anchor_tsc + cv->renew_ticks;
}

void clock_conv_init(struct clock_conv *cv, uint32_t source, uint64_t tsc_hz)
{
	memset(cv, 0, sizeof(*cv));
	/* A damaged header must not make us divide by zero or trust nonsense rates. */
	cv->source = source == CLOCK_SRC_TSC && tsc_hz >= 1000000 ? CLOCK_SRC_TSC
								 : CLOCK_SRC_REALTIME;
	if (cv->source == CLOCK_SRC_TSC) {
		cv->ns_per_tick = 1e9 / (double)tsc_hz;
		cv->renew_ticks = tsc_hz / 1000 * ANCHOR_EVERY_MS;
		anchor(cv);
	}
}

int64_t clock_conv_ns(struct clock_conv *cv, uint64_t raw)
{
	if (cv->source != CLOCK_SRC_TSC)
		return (int64_t)raw;
	/* Re-anchor now and then so NTP adjustments of the wall clock are followed: judged by the
	 * record's own ticks, which costs no clock read per record. */
	if ((int64_t)(raw - cv->renew_tsc) > 0)
		anchor(cv);
	double delta = (double)(int64_t)(raw - cv->anchor_tsc) * cv->ns_per_tick;
	return cv->anchor_ns + (int64_t)delta;
}
