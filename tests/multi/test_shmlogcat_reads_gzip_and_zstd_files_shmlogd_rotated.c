/* test_shmlogcat_reads_gzip_and_zstd_files_shmlogd_rotated.c - shmlogd (--rotate-size 64K,
 * --compress gzip, then zstd) rotates and compresses its JSON output while two writers log;
 * shmlogcat given the rotated files and the live one prints every record exactly once and in
 * order, tells the compression by the bytes (a copy without its suffix reads the same), and its
 * filters work on compressed files too. */
#include "test_shmlogcat_files_helpers.h"

#define WRITERS 2
#define PER_WRITER 6000L

static void run(const char *method, const char *suffix)
{
	const char *ring = h_ring(method);
	char dir[64], out[96], cmd[512], *names[H_MAX_FILES], paths[H_MAX_FILES][160];
	const char *args[H_MAX_FILES + 8];
	pid_t pids[WRITERS];
	struct daemon d;
	struct checker k;
	struct cat_run r;
	int n, na = 0, compressed = 0;

	snprintf(dir, sizeof(dir), "rot-%s", method);
	snprintf(out, sizeof(out), "%s/out.log", dir);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' && mkdir '%s'", dir, dir);
	CHECK(system(cmd) == 0, "%s failed", cmd);
	h_start_ready(&d, (const char *const[]){"--ring", ring, "--output", out, "--format", "json",
						"--rotate-size", "64K", "--keep", "0",
						"--compress", method, NULL},
		      "rotate.stderr");
	h_writers_start(pids, WRITERS,
			(struct writer_spec){.ring = ring, .n = PER_WRITER, .pace_every = 100, .pace_us = 200});
	h_writers_done(pids, WRITERS, 1);
	CHECK(h_stop(&d) == 0, "shmlogd did not exit 0 after SIGTERM"); /* it compresses all first */

	n = h_rotated(dir, "out.log", names, 0);
	for (int i = 0; i < n; i++) {
		compressed += strlen(names[i]) > strlen(suffix) &&
			      !strcmp(names[i] + strlen(names[i]) - strlen(suffix), suffix);
		snprintf(paths[i], sizeof(paths[i]), "%s/%s", dir, names[i]);
		args[na++] = paths[i];
		free(names[i]);
	}
	CHECK(compressed >= 2, "%s: only %d of %d rotated files are %s", method, compressed, n, suffix);
	args[na++] = out;
	args[na++] = "-o";
	args[na++] = "json";
	args[na] = NULL;
	cat_run(&r, args);
	CHECK(r.status == 0 && !*r.err, "%s: status %d, stderr '%s'", method, r.status, r.err);
	/* Several files: each line also says which one it came from, which the checker ignores. */
	h_checker_init(&k, 1, WRITERS, PER_WRITER, 0);
	k.contiguous = 1;
	FILE *f = fmemopen(r.out, r.out_len, "r");
	h_check_stream(&k, f, method);
	fclose(f);
	h_check_complete(&k);
	CHECK(k.records == WRITERS * PER_WRITER, "%s: %ld records", method, k.records);
	cat_free(&r);

	/* By the bytes, not the name: the first rotated file under a plain name. */
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s/copy.log'", paths[0], dir);
	CHECK(system(cmd) == 0, "%s failed", cmd);
	snprintf(cmd, sizeof(cmd), "%s/copy.log", dir);
	struct cat_run a, b;
	CAT_RUN(&a, paths[0]);
	CAT_RUN(&b, cmd);
	CHECK(a.status == 0 && b.status == 0 && a.out_len > 0 && !strcmp(a.out, b.out),
	      "%s: the copy without its suffix reads differently", method);
	cat_free(&a);
	cat_free(&b);

	/* Filters on compressed files: one record of the last writer's, out of all. */
	args[na - 2] = "-g";
	args[na - 1] = "^w1 n5999$";
	cat_run(&r, args);
	CHECK(r.status == 0 && count_char(r.out, '\n') == 1 && strstr(r.out, "] w1 n5999 shmlog.source="),
	      "%s: -g found '%s'", method, r.out);
	cat_free(&r);
	printf("%s: %d rotated files (%d %s) and the live one: %ld records once each, in order\n",
	       method, n, compressed, suffix, k.records);
}

int main(void)
{
	run("gzip", ".gz");
	run("zstd", ".zst");
	h_cleanup();
	return 0;
}
