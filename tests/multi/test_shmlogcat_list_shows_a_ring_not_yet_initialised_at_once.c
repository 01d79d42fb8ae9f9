/* test_shmlogcat_list_shows_a_ring_not_yet_initialised_at_once.c - issue 17: --list used to
 * wait 2 seconds for the creator of every empty ring object (one being made, or one whose maker
 * died before initialising it), so three of them stalled it for 6 seconds. It shows each such
 * ring at once as "not initialised", next to a sound ring listed as usual, and exits 0. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_shmlogcat_helpers.h"

#define EMPTY_RINGS 3

/* An empty object under RING's name: what a creator leaves between shm_open(O_EXCL) and
 * initialising the ring, or for good when it dies in between. */
static void plant_empty(const char *ring)
{
	char path[256];
	FILE *fp;

	snprintf(path, sizeof(path), "/dev/shm/shmlog.%s", ring);
	assert_non_null(fp = fopen(path, "w"));
	assert_int_equal(fclose(fp), 0);
}

/* The row of --list's OUT that starts with RING; fails unless it holds WANT. */
static void expect_row(const char *out, const char *ring, const char *want)
{
	const char *row = strstr(out, ring);

	if (!row || !strstr(row, want) || strchr(row, '\n') < strstr(row, want))
		fail_msg("--list has no row '%s ... %s' in:\n%s", ring, want, out);
}

static void test_list_shows_empty_rings_at_once(void **state)
{
	const char *sound = ring_name("sound"), *empty[EMPTY_RINGS];
	struct shmlog *log = open_ring(sound, 1 << 16, SHMLOG_ON_FULL_DROP);
	struct run r;

	(void)state;
	for (int i = 0; i < EMPTY_RINGS; i++) {
		char what[32];
		snprintf(what, sizeof(what), "empty%d", i);
		empty[i] = ring_name(what);
		plant_empty(empty[i]);
	}
	RUN_CAT(&r, "--list");
	printf("--list with %d empty rings took %.3f s\n", EMPTY_RINGS, r.seconds);
	assert_int_equal(r.status, 0);
	for (int i = 0; i < EMPTY_RINGS; i++)
		expect_row(r.out.data, empty[i], "not initialised");
	expect_row(r.out.data, sound, "64K");
	/* Waiting for each creator took 2 s a ring: 6 s for these three. */
	if (r.seconds >= 1.0 * test_slow_factor())
		fail_msg("--list took %.2f s with %d empty rings: it waited for their creators",
			 r.seconds, EMPTY_RINGS);
	run_free(&r);
	for (int i = 0; i < EMPTY_RINGS; i++)
		shmlog_unlink(empty[i]);
	shmlog_close(log);
	shmlog_unlink(sound);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list_shows_empty_rings_at_once),
	};

	shmlogcat_path();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
