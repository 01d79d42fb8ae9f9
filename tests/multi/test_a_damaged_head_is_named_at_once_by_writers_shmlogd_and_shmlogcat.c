/* test_a_damaged_head_is_named_at_once_by_writers_shmlogd_and_shmlogcat.c - a ring whose head was
 * scribbled to a place no ring in use can reach (2^62 - 16, or laps ahead of its tail): a new
 * blocking writer (shmlogger -n -T 0) fails at once with EX_DATAERR and one line saying the ring
 * is damaged and to recreate it, instead of waiting for room; shmlogd refuses the ring naming
 * its head, not its checkpoint; shmlogcat --stats calls it DAMAGED. */
#include <sysexits.h>

#include "ring.h"
#include "runas.h"
#include "shmlogd_harness.h"

static void damage_and_check(const char *what, uint64_t (*damaged_head)(const struct ring *r))
{
	const char *ring = h_ring(what);
	char err[2048], out[64], cmd[8300], text[4096];
	struct shmlog_options o;

	shmlog_options_init(&o);
	o.size = SHMLOG_MIN_SIZE;
	struct shmlog *lg = shmlog_open(ring, &o);
	CHECK(lg, "open: %s", shmlog_errmsg());
	for (int i = 0; i < 10; i++)
		CHECK(shmlog_log(lg, SHMLOG_INFO, "t", "before the damage %d", i) == 0, "log");
	shmlog_close(lg);
	struct ring r;
	CHECK(ring_attach(&r, ring, NULL, RING_WRITE) == 0, "attach: %s", shmlog_errmsg());
	r.hdr->head_pos = damaged_head(&r);
	ring_detach(&r);

	const char *argv[] = {"/usr/bin/timeout", "30", h_program(0, "shmlogger"),
			      "-r", ring, "-n", "-T", "0", "x", NULL};
	int64_t t0 = h_now_ms();
	int st = tu_run_as(NULL, (gid_t)-1, argv, err, sizeof(err));
	int64_t took = h_now_ms() - t0;
	CHECK(st == EX_DATAERR, "%s: shmlogger exited %d after %lld ms, expected EX_DATAERR: %s",
	      what, st, (long long)took, err);
	CHECK(took < 2500, "%s: shmlogger took %lld ms to say so", what, (long long)took);
	CHECK(strstr(err, "is damaged") && strstr(err, "remove /dev/shm/shmlog.") &&
		      strchr(err, '\n') == err + strlen(err) - 1,
	      "%s: shmlogger's message: %s", what, err);
	printf("%s: shmlogger in %lld ms: %s", what, (long long)took, err);

	struct daemon d;
	h_path(out, sizeof(out), "damaged.log");
	unlink(".damaged.log.shmlogd-state");
	unlink("damaged.stderr");
	const char *args[] = {"--ring", ring, "--output", out, NULL};
	h_start(&d, args, "damaged.stderr");
	st = h_reap(&d, 10000 * test_slow_factor());
	CHECK(st == EX_DATAERR, "%s: shmlogd exited %d, expected EX_DATAERR", what, st);
	CHECK(h_count_in_file("damaged.stderr", "damaged: its head or tail is impossible") == 1 &&
		      h_count_in_file("damaged.stderr", "checkpoint") == 0,
	      "%s: shmlogd does not name the damaged head", what);

	snprintf(cmd, sizeof(cmd), "%s --stats %s", h_program(1, "shmlogcat"), ring);
	FILE *p = popen(cmd, "r");
	CHECK(p, "popen: %s", strerror(errno));
	size_t n = fread(text, 1, sizeof(text) - 1, p);
	text[n] = '\0';
	pclose(p);
	CHECK(strstr(text, "DAMAGED head or tail"), "%s: shmlogcat --stats says:\n%s", what, text);
}

static uint64_t near_the_limit(const struct ring *r)
{
	(void)r;
	return RING_POS_MAX - RING_ALIGN;
}

static uint64_t laps_ahead_of_the_tail(const struct ring *r)
{
	return r->hdr->tail + 4 * r->size;
}

int main(void)
{
	h_shmlogd();
	damage_and_check("limit", near_the_limit);
	damage_and_check("ahead", laps_ahead_of_the_tail);
	h_cleanup();
	return 0;
}
