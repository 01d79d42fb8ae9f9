/* test_shmlogcat_set_level_without_write_permission_fails_clearly.c - a user who may read a
 * ring but not write it (mode 0644, owned by root, shmlogcat run as nobody) can dump it and see
 * its stats, but --set-level fails with one line naming the cause and the fix, exit status
 * EX_NOPERM, and the level stays as it was. Needs root to switch users; skipped otherwise. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pwd.h>
#include <sysexits.h>

#include "test_shmlogcat_helpers.h"

static uid_t nobody;

static void test_set_level_without_write_permission_fails_clearly(void **state)
{
	const char *ring = ring_name("perm");
	struct shmlog *log = open_ring(ring, 1 << 16, SHMLOG_ON_FULL_DROP);
	struct run r;

	(void)state;
	shmlog_log(log, SHMLOG_INFO, "t", "readable by all");

	run_cat_as(&r, nobody, (const char *const[]){ring, NULL});
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out.data, "readable by all"));
	run_free(&r);
	run_cat_as(&r, nobody, (const char *const[]){"--stats", "--interval", "0", ring, NULL});
	assert_int_equal(r.status, 0);
	run_free(&r);

	run_cat_as(&r, nobody, (const char *const[]){"--set-level", "error", ring, NULL});
	printf("as nobody: status %d, stderr: %s", r.status, r.err.data);
	assert_one_line_error(&r, EX_NOPERM, "permission denied");
	assert_non_null(strstr(r.err.data, "write"));
	assert_int_equal(shmlog_get_level(log), SHMLOG_DEBUG);
	run_free(&r);

	shmlog_close(log);
	shmlog_unlink(ring);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_level_without_write_permission_fails_clearly),
	};
	const struct passwd *pw = getpwnam("nobody");
	struct run r;

	shmlogcat_path();
	if (geteuid() != 0 || !pw) {
		printf("skipped: needs root and a user 'nobody' to run shmlogcat without write "
		       "permission on a root-owned ring\n");
		return SKIP_STATUS;
	}
	nobody = pw->pw_uid;
	run_cat_as(&r, nobody, (const char *const[]){"--version", NULL});
	if (r.status != 0) {
		printf("skipped: user nobody cannot run %s (status %d)\n", shmlogcat_path(),
		       r.status);
		return SKIP_STATUS;
	}
	run_free(&r);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
