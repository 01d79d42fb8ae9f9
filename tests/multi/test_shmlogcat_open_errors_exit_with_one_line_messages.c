/* test_shmlogcat_open_errors_exit_with_one_line_messages.c - every way a ring can fail to open
 * (no such ring, a file that is not a ring, a truncated one, another layout version, no
 * permission, an invalid name, one never initialised) makes every mode of shmlogcat exit at
 * once with its own sysexits status and one line on stderr naming the cause, never a crash or a
 * hang, and --list names the problem in its table. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pwd.h>
#include <sys/mman.h>
#include <sysexits.h>

#include "ring.h"
#include "test_shmlogcat_helpers.h"

static void shm_file(char *path, size_t cap, const char *ring)
{
	snprintf(path, cap, "/dev/shm/shmlog.%s", ring);
}

/* Puts LEN bytes of text where ring RING would be. */
static void write_junk(const char *ring, size_t len)
{
	char path[256];
	FILE *fp;

	shm_file(path, sizeof(path), ring);
	assert_non_null(fp = fopen(path, "w"));
	for (size_t i = 0; i < len; i++)
		fputc("this is not a ring\n"[i % 19], fp);
	assert_int_equal(fclose(fp), 0);
}

/* Runs every mode on RING as user AS and checks each fails with STATUS and NEEDLE. */
static void check_modes(uid_t as, const char *ring, int status, const char *needle)
{
	const char *const modes[][6] = {
		{ring, NULL},
		{"-f", ring, NULL},
		{"-f", "-n", "0", ring, NULL},
		{"-o", "json", "-l", "error", ring, NULL},
		{"--stats", ring, NULL},
		{"--set-level", "error", ring, NULL},
	};
	struct run r;

	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		run_cat_as(&r, as, modes[i]);
		printf("shmlogcat %s %s: status %d: %s", modes[i][0], modes[i][1] ? modes[i][1] : "",
		       r.status, r.err.data);
		assert_one_line_error(&r, status, needle);
		run_free(&r);
	}
}

/* The row --list prints for RING. */
static void check_listed(const char *ring, const char *reason)
{
	char *row;
	struct run r;

	RUN_CAT(&r, "--list");
	assert_int_equal(r.status, 0);
	row = strstr(r.out.data, ring);
	if (!row || !strstr(row, reason) || strchr(row, '\n') < strstr(row, reason))
		fail_msg("--list has no row '%s ... %s' in:\n%s", ring, reason, r.out.data);
	run_free(&r);
}

static void test_no_such_ring(void **state)
{
	(void)state;
	check_modes((uid_t)-1, ring_name("missing"), EX_NOINPUT, "no ring named");
}

static void test_a_file_that_is_not_a_ring(void **state)
{
	const char *ring = ring_name("junk");

	(void)state;
	write_junk(ring, 2 * RING_SLOTS_OFFSET);
	check_modes((uid_t)-1, ring, EX_DATAERR, "is not a shmlog ring");
	check_listed(ring, "not a shmlog ring");
	shmlog_unlink(ring);
}

static void test_a_truncated_file(void **state)
{
	const char *ring = ring_name("short");

	(void)state;
	write_junk(ring, 100);
	check_modes((uid_t)-1, ring, EX_DATAERR, "truncated");
	shmlog_unlink(ring);
}

/* Makes a small ring RING and maps its header for the test to damage; unmap_header() after. */
static struct ring_hdr *map_new_ring_header(const char *ring)
{
	struct shmlog *log = open_ring(ring, 1 << 16, SHMLOG_ON_FULL_DROP);
	struct ring_hdr *h;
	char path[256];
	int fd;

	shmlog_close(log);
	shm_file(path, sizeof(path), ring);
	assert_true((fd = open(path, O_RDWR)) >= 0);
	h = mmap(NULL, RING_SLOTS_OFFSET, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	assert_true(h != MAP_FAILED);
	close(fd);
	return h;
}

static void unmap_header(struct ring_hdr *h)
{
	munmap(h, RING_SLOTS_OFFSET);
}

static void test_a_ring_of_another_layout_version(void **state)
{
	const char *ring = ring_name("version");
	struct ring_hdr *h = map_new_ring_header(ring);

	(void)state;
	h->layout_version = RING_LAYOUT_VERSION + 1;
	unmap_header(h);
	check_modes((uid_t)-1, ring, EX_PROTOCOL, "layout version");
	check_listed(ring, "another shmlog layout version");
	shmlog_unlink(ring);
}

/* Runs --stats on RING: it must exit 0 and print WANT and none of UNWANTED (NULL-terminated);
 * else the test fails saying that --stats WHAT. */
static void check_stats(const char *ring, const char *want, const char *const *unwanted,
			const char *what)
{
	const char *const stats[] = {"--stats", ring, NULL};
	struct run r;

	run_cat_as(&r, (uid_t)-1, stats);
	printf("shmlogcat --stats: %s", r.out.data);
	assert_int_equal(r.status, 0);
	int bad = !strstr(r.out.data, want);
	for (; *unwanted; unwanted++)
		bad |= strstr(r.out.data, *unwanted) != NULL;
	if (bad)
		fail_msg("--stats %s:\n%s", what, r.out.data);
	run_free(&r);
}

/* A head scribbled over by a stray write: --stats and --list say DAMAGED and why, instead of
 * an impossible percentage. */
static void test_a_ring_with_a_scribbled_head(void **state)
{
	const char *ring = ring_name("scribbled");
	struct ring_hdr *h = map_new_ring_header(ring);

	(void)state;
	h->head_pos = 1ull << 63;
	unmap_header(h);
	check_stats(ring, "DAMAGED head or tail: head at 9223372036854775808", (const char *[]){"% full", NULL},
		    "does not say the ring is damaged");
	check_listed(ring, "DAMAGED");
	shmlog_unlink(ring);
}

/* A checkpoint scribbled over, aligned and far past the head: --stats and --list call the
 * checkpoint damaged and the fill unknown (the collector recovers from it), rather than
 * printing a fill of 439804624896000%. Just past a head that stands still is damage too: the
 * head is read again after the checkpoint, so a busy ring whose consumer commits between the
 * reads is told from it (test_ring_records: a reader stalled between its loads). */
static void test_a_ring_with_a_scribbled_checkpoint(void **state)
{
	const char *ring = ring_name("checkpoint");
	struct ring_hdr *h = map_new_ring_header(ring);

	(void)state;
	h->cp[0][0] = h->cp[1][0] = 1ull << 40;
	unmap_header(h);
	check_stats(ring, "checkpoint DAMAGED: head at 0, tail at 0, checkpoint at 1099511627776",
		    (const char *[]){"% full", "writers refuse it", NULL},
		    "does not say the checkpoint is damaged");
	check_listed(ring, " ? ");

	h = map_new_ring_header(ring);
	h->cp[0][0] = h->cp[1][0] = 64;
	unmap_header(h);
	check_stats(ring, "checkpoint DAMAGED: head at 0, tail at 0, checkpoint at 64",
		    (const char *[]){"% full", NULL},
		    "does not call a checkpoint past a head that stands still damaged");
	shmlog_unlink(ring);
}

/* As root: a 0600 ring of root's, read by nobody. Otherwise: our own ring with mode 0. */
static void test_a_ring_we_may_not_read(void **state)
{
	const char *ring = ring_name("private");
	struct shmlog *log = open_ring(ring, 1 << 16, SHMLOG_ON_FULL_DROP);
	const struct passwd *pw = getpwnam("nobody");
	char path[256];
	uid_t as = (uid_t)-1;

	(void)state;
	shmlog_close(log);
	shm_file(path, sizeof(path), ring);
	if (geteuid() == 0 && pw) {
		as = pw->pw_uid;
		assert_int_equal(chmod(path, 0600), 0);
	} else {
		assert_int_equal(chmod(path, 0), 0);
	}
	check_modes(as, ring, EX_NOPERM, "permission denied");
	shmlog_unlink(ring);
}

static void test_an_invalid_ring_name(void **state)
{
	(void)state;
	check_modes((uid_t)-1, "no*such", EX_USAGE, "invalid");
}

/* A name with a '/' is a file: a missing one is named as such. */
static void test_a_missing_file(void **state)
{
	struct run r;

	(void)state;
	RUN_CAT(&r, "./no/such.log");
	assert_one_line_error(&r, EX_NOINPUT, "cannot open './no/such.log': No such file");
	run_free(&r);
	RUN_CAT(&r, "-f", "--file", "no-such.log");
	assert_one_line_error(&r, EX_NOINPUT, "cannot open 'no-such.log'");
	run_free(&r);
	RUN_CAT(&r, "/");
	assert_one_line_error(&r, EX_NOINPUT, "is not a regular file");
	run_free(&r);
}

/* An empty object is a ring whose creator died before initialising it: the library waits a
 * moment for it, then gives up. */
static void test_a_ring_never_initialised(void **state)
{
	const char *ring = ring_name("empty");
	struct run r;

	(void)state;
	write_junk(ring, 0);
	RUN_CAT(&r, ring);
	assert_one_line_error(&r, EX_TEMPFAIL, "never initialised");
	assert_true(r.seconds < 10);
	run_free(&r);
	shmlog_unlink(ring);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_such_ring),
		cmocka_unit_test(test_a_file_that_is_not_a_ring),
		cmocka_unit_test(test_a_truncated_file),
		cmocka_unit_test(test_a_ring_of_another_layout_version),
		cmocka_unit_test(test_a_ring_with_a_scribbled_head),
		cmocka_unit_test(test_a_ring_with_a_scribbled_checkpoint),
		cmocka_unit_test(test_a_ring_we_may_not_read),
		cmocka_unit_test(test_an_invalid_ring_name),
		cmocka_unit_test(test_a_missing_file),
		cmocka_unit_test(test_a_ring_never_initialised),
	};

	shmlogcat_path();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
