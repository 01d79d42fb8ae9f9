/* test_shmlogd_says_it_skipped_a_damaged_record_not_that_its_writer_died.c - a committed record
 * whose bytes are overwritten afterwards (its length, or its level), while its writer is alive:
 * shmlogd writes the records around it and one loss record "skipped 1 damaged record at position
 * P", never "abandoned ... (writer died before committing)". */
#include "ring.h"
#include "shmlogd_harness.h"

static void damage_length(struct rec_hdr *h)
{
	h->meta = (h->meta & ~0xffffffffull) | 0xffffffffull;
}

static void damage_level(struct rec_hdr *h)
{
	h->meta = (h->meta & ~(0xffull << 56)) | (9ull << 56);
}

static void check(const char *what, void (*damage)(struct rec_hdr *))
{
	const char *ring = h_ring(what);
	char out[64], want[96];
	struct shmlog_options o;
	struct daemon d;
	struct ring r;

	shmlog_options_init(&o);
	o.size = SHMLOG_MIN_SIZE;
	struct shmlog *lg = shmlog_open(ring, &o); /* stays open: the writer is alive throughout */
	CHECK(lg, "open: %s", shmlog_errmsg());
	for (int i = 0; i < 3; i++)
		CHECK(shmlog_log(lg, SHMLOG_INFO, "t", "record %d", i) == 0, "log");
	CHECK(ring_attach(&r, ring, NULL, RING_WRITE) == 0, "attach: %s", shmlog_errmsg());
	uint64_t pos1 = meta_len(ring_rec(&r, 0)->meta);
	damage(ring_rec(&r, pos1));
	ring_detach(&r);

	h_path(out, sizeof(out), "damaged.log");
	unlink(".damaged.log.shmlogd-state");
	const char *args[] = {"--ring", ring, "--output", out, NULL};
	h_start_ready(&d, args, "damaged.stderr");
	CHECK(shmlog_log(lg, SHMLOG_INFO, "t", "record 3") == 0, "log");
	CHECK(shmlog_flush(lg, 30000 * test_slow_factor()) == 0, "flush: %s", shmlog_errmsg());
	CHECK(h_stop(&d) == 0, "shmlogd did not exit 0 after SIGTERM");
	shmlog_close(lg);

	snprintf(want, sizeof(want), "skipped 1 damaged record at position %llu",
		 (unsigned long long)pos1);
	CHECK(h_count_in_file(out, "record 0") == 1 && h_count_in_file(out, "record 2") == 1 &&
		      h_count_in_file(out, "record 3") == 1 && h_count_in_file(out, "record 1") == 0,
	      "%s: the records around the damaged one are not there once each", what);
	CHECK(h_count_in_file(out, want) == 1, "%s: no '%s' in the output", what, want);
	CHECK(h_count_in_file(out, "abandoned") == 0 && h_count_in_file(out, "died") == 0,
	      "%s: the damaged record was blamed on a writer's death", what);
	printf("%s damaged: '%s'\n", what, want);
}

int main(void)
{
	h_shmlogd();
	check("length", damage_length);
	check("level", damage_level);
	h_cleanup();
	return 0;
}
