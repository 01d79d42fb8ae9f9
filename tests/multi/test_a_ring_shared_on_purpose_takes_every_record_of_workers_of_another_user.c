/* test_a_ring_shared_on_purpose_takes_every_record_of_workers_of_another_user.c - the two ways
 * shmlog.h's trust rules let another user log on purpose, end to end through shmlogd:
 * - root opens the ring (0600) before forking, and its workers drop to www-data: they log through
 *   the inherited handle, each under its own pid, and shmlogd writes every record once, in order;
 * - a group-shared ring (shmlogd --mode 0660 --group nogroup) takes nobody's records once nobody
 *   asks for it (shmlogger --mode 0660 --allow-owner root), and refuses them when either is
 *   missing. */
#include <sysexits.h>

#include "runas.h"
#include "shmlogd_harness.h"

#define WORKERS 4
#define PER_WORKER 500L

static int worker(struct shmlog *log, const struct tu_user *u, int id)
{
	if (tu_become(u) < 0 || geteuid() != u->uid)
		return 2;
	for (long i = 0; i < PER_WORKER; i++)
		if (shmlog_log(log, SHMLOG_INFO, "t", "w%d n%ld", id, i) < 0)
			return 4;
	return shmlog_flush(log, 60000) == 0 ? 0 : 3;
}

static void workers_that_drop_privileges(const struct tu_user *wwwdata)
{
	const char *ring = h_ring("drop");
	char out[64];
	struct daemon d;
	struct checker k;
	pid_t pids[WORKERS], forked[WORKERS];

	h_path(out, sizeof(out), "drop.log");
	unlink(".drop.log.shmlogd-state");
	const char *args[] = {"--ring", ring, "--output", out, NULL};
	h_start_ready(&d, args, "drop.stderr");
	struct shmlog *log = shmlog_open(ring, NULL);
	CHECK(log, "root's master could not open its own ring: %s", shmlog_errmsg());
	for (int i = 0; i < WORKERS; i++) {
		fflush(NULL);
		pids[i] = fork();
		CHECK(pids[i] >= 0, "fork: %s", strerror(errno));
		if (pids[i] == 0)
			_exit(worker(log, wwwdata, i));
		forked[i] = pids[i];
	}
	h_writers_done(pids, WORKERS, 1);
	shmlog_close(log);
	CHECK(h_stop(&d) == 0, "shmlogd did not exit 0 after SIGTERM");
	h_checker_init(&k, 0, WORKERS, PER_WORKER, 0);
	h_check_file(&k, out);
	h_check_complete(&k);
	for (int i = 0; i < WORKERS; i++) {
		char who[64], mine[64];
		snprintf(who, sizeof(who), "t[%d/", (int)forked[i]);
		snprintf(mine, sizeof(mine), "] w%d n", i);
		CHECK(h_count_in_file(out, who) == PER_WORKER && h_count_in_file(out, mine) ==
			      PER_WORKER,
		      "worker %d's records are not all under its own pid %d", i, (int)forked[i]);
	}
	printf("%d workers dropped to www-data after fork: %ld records written, each once, in "
	       "order\n",
	       WORKERS, k.records);
}

static int log_as_nobody(const struct tu_user *nobody, const char *ring, const char *const *extra,
			 const char *msg, char *err, size_t cap)
{
	const char *argv[16];
	int n = 0;

	argv[n++] = h_program(0, "shmlogger");
	argv[n++] = "-r";
	argv[n++] = ring;
	argv[n++] = "-n";
	argv[n++] = "-T";
	argv[n++] = "0";
	while (*extra)
		argv[n++] = *extra++;
	argv[n++] = msg;
	argv[n] = NULL;
	return tu_run_as(nobody, (gid_t)-1, argv, err, cap);
}

static void a_group_shared_ring(const struct tu_user *nobody)
{
	const char *ring = h_ring("group");
	char out[64], err[1024], gid[16];
	struct daemon d;

	h_path(out, sizeof(out), "group.log");
	unlink(".group.log.shmlogd-state");
	snprintf(gid, sizeof(gid), "%u", (unsigned)nobody->gid);
	const char *args[] = {"--ring", ring, "--output", out, "--mode", "0660", "--group", gid,
			      NULL};
	h_start_ready(&d, args, "group.stderr");

	int st = log_as_nobody(nobody, ring, (const char *const[]){"-m", "0660", NULL}, "no owner",
			       err, sizeof(err));
	CHECK(st == EX_NOPERM && strstr(err, "belongs to root"),
	      "without --allow-owner root: exit %d, %s", st, err);
	st = log_as_nobody(nobody, ring, (const char *const[]){"-u", "root", NULL}, "no mode", err,
			   sizeof(err));
	CHECK(st == EX_NOPERM && strstr(err, "mode 0660"), "without --mode 0660: exit %d, %s", st,
	      err);
	st = log_as_nobody(nobody, ring, (const char *const[]){"-m", "0660", "-u", "root", NULL},
			   "shared on purpose", err, sizeof(err));
	CHECK(st == 0, "nobody could not log to the group-shared ring: exit %d, %s", st, err);
	CHECK(h_wait_lines(out, "shared on purpose", 1, 10000 * test_slow_factor()) >= 0,
	      "nobody's record was not written");
	CHECK(h_stop(&d) == 0, "shmlogd did not exit 0 after SIGTERM");
	CHECK(h_count_in_file(out, "shared on purpose") == 1 &&
		      h_count_in_file(out, "no owner") == 0 && h_count_in_file(out, "no mode") == 0,
	      "the group-shared ring's log is not what was accepted, once");
	printf("group-shared 0660 ring: nobody's record taken with --mode 0660 --allow-owner root, "
	       "refused without either\n");
}

int main(void)
{
	struct tu_user nobody, wwwdata;
	const char *why;

	if (tu_other_user("nobody", &nobody, &why) < 0 ||
	    tu_other_user("www-data", &wwwdata, &why) < 0)
		h_skip(why);
	h_shmlogd();
	workers_that_drop_privileges(&wwwdata);
	a_group_shared_ring(&nobody);
	h_cleanup();
	return 0;
}
