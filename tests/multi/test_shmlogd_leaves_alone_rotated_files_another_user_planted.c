/* test_shmlogd_leaves_alone_rotated_files_another_user_planted.c - at start shmlogd picks up
 * files with its rotated names from the output's directory: it compresses plain ones, removes
 * stale temporaries and deletes what --keep and --max-age say. In a sticky directory another user
 * can make such names. Files of nobody's under each of those names (old enough for --max-age,
 * more than --keep) are left exactly as they are, each named in a warning, and the records the
 * ring held are delivered all the same. */
#include "test_shmlogd_trust.h"

static const char *const planted[] = {
	"pub/app.log.20200101T000000.000000Z",        /* plain: would be compressed */
	"pub/app.log.20200101T000001.000000Z.gz.tmp", /* a stale temporary: would be removed */
	"pub/app.log.20200101T000002.000000Z.gz",     /* old, beyond --keep: would be deleted */
	"pub/app.log.20200101T000003.000000Z",        /* likewise */
};
#define N_PLANTED (sizeof(planted) / sizeof(planted[0]))

int main(void)
{
	char cmd[512];
	uid_t uid;
	off_t size;

	t_need_other_user();
	const char *ring = t_ring_with_records("rotated");
	t_dir("pub", 01777);
	for (size_t i = 0; i < N_PLANTED; i++) {
		snprintf(cmd, sizeof(cmd), "umask 022; echo theirs > %s; touch -d 2020-01-01 %s",
			 planted[i], planted[i]);
		t_as_other(cmd);
	}

	const char *args[] = {"--ring", ring, "--output", "pub/app.log", "--compress", "gzip",
			      "--keep", "1", "--max-age", "1d", NULL};
	t_expect_delivered(args, "pub/app.log");
	for (size_t i = 0; i < N_PLANTED; i++) {
		t_owner_size(planted[i], &uid, &size);
		CHECK(uid == 65534 && size == 7, "%s was changed", planted[i]);
		CHECK(h_count_in_file("accepted.stderr", planted[i]) >= 1,
		      "no warning names %s", planted[i]);
	}
	snprintf(cmd, sizeof(cmd), "%s.gz", planted[0]);
	CHECK(access(cmd, F_OK) != 0, "%s was compressed", planted[0]);
	printf("all %zu planted files left alone, each named in a warning\n", N_PLANTED);
	h_cleanup();
	return 0;
}
