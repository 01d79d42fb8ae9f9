/* test_shmlogd_rotates_by_size_keeping_3_compressed_files.c - with --rotate-size 64K --keep 3 and
 * each of --compress none, gzip and zstd: there are never more than 3 rotated files (sampled
 * all along), no file grows past 64K, every rotated file decompresses with the system's gzip or
 * zstd, and the rotated files then the live one, concatenated, hold the newest records exactly
 * once and in order (a contiguous run of event.sequence), up to the last one logged. */
#include "shmlogd_harness.h"

#define WRITERS 4
#define PER_WRITER 10000L
#define KEEP 3
#define ROTATE_SIZE (64 * 1024)

static void check_sizes_and_suffixes(const char *dir, const char *method)
{
	char *names[H_MAX_FILES], path[4096];
	int n = h_rotated(dir, "out.log", names, 0);
	const char *suffix = !strcmp(method, "gzip") ? ".gz" : !strcmp(method, "zstd") ? ".zst" : "";
	struct stat st;

	for (int i = 0; i < n; i++) {
		size_t len = strlen(names[i]), sl = strlen(suffix);
		CHECK(len > sl && !strcmp(names[i] + len - sl, suffix) &&
			      (sl || strchr(names[i] + strlen("out.log."), '.') ==
					     strrchr(names[i], '.')),
		      "%s: rotated file %s is not compressed as %s", method, names[i], method);
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0640,
		      "%s: %s has mode %o, not 0640", method, path, st.st_mode & 0777);
		if (!sl)
			CHECK(st.st_size <= ROTATE_SIZE, "%s: %s has %lld bytes, over the 64K limit",
			      method, path, (long long)st.st_size);
		free(names[i]);
	}
}

static void run(const char *method)
{
	const char *ring = h_ring(method);
	char dir[64], out[96], cmd[256];
	pid_t pids[WRITERS];
	struct daemon d;
	struct checker k;
	int most = 0, samples = 0;

	snprintf(dir, sizeof(dir), "rot-%s", method);
	snprintf(out, sizeof(out), "%s/out.log", dir);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' && mkdir '%s'", dir, dir);
	CHECK(system(cmd) == 0, "%s failed", cmd);
	const char *args[] = {"--ring", ring, "--output", out, "--format", "json", "--rotate-size",
			      "64K", "--keep", "3", "--compress", method, NULL};
	h_start_ready(&d, args, "rotate.stderr");
	h_writers_start(pids, WRITERS,
			(struct writer_spec){.ring = ring, .n = PER_WRITER, .pace_every = 50,
					     .pace_us = 500});
	do {
		int g = h_generations(dir, "out.log");
		most = g > most ? g : most;
		samples++;
		CHECK(g <= KEEP, "%s: %d rotated files at once, more than --keep %d", method, g, KEEP);
		h_sleep_ms(2);
	} while (!h_writers_done(pids, WRITERS, 0));
	CHECK(h_stop(&d) == 0, "shmlogd did not exit 0 after SIGTERM");

	check_sizes_and_suffixes(dir, method);
	h_checker_init(&k, 1, WRITERS, PER_WRITER, 1);
	k.contiguous = 1;
	int rotated = h_check_rotated(&k, dir, "out.log");
	/* The kept files hold a contiguous run of event.sequence (checked line by line) that ends
	 * with the last record logged; a writer that finished early may be in deleted files only. */
	CHECK(k.last_seq == WRITERS * PER_WRITER - 1, "%s: the last record kept is %lld, not %ld",
	      method, k.last_seq, WRITERS * PER_WRITER - 1);
	for (int w = 0; w < WRITERS; w++)
		CHECK(k.next[w] < 0 || k.next[w] == PER_WRITER,
		      "%s: writer %d ends at record %ld of %ld", method, w, k.next[w], PER_WRITER);
	CHECK(rotated == KEEP, "%s: %d rotated files at the end, expected %d", method, rotated, KEEP);
	printf("%s: %d samples, at most %d rotated files; kept records %lld..%lld (%ld), complete "
	       "and in order\n",
	       method, samples, most, k.last_seq - k.records + 1, k.last_seq, k.records);
}

int main(void)
{
	run("none");
	run("gzip");
	run("zstd");
	h_cleanup();
	return 0;
}
