/* test_shmlog_open_refuses_a_ring_of_another_user_or_writable_beyond_its_mode.c - the library's
 * trust rules (shmlog.h, "Trust"): a writer or consumer attaching to a ring that another user
 * made, or that lets group or others write more than the caller's mode, fails with EPERM and a
 * message naming the owner and the mode; allow_foreign_owner (one uid, or any) and a matching
 * mode accept exactly what they name; an observer reads any ring and reports its owner. */
#include "runas.h"
#include "shmlogd_harness.h"

/* Creates RING as U (in a child that drops to U first) with MODE, and logs one record. */
static void create_as(const struct tu_user *u, const char *ring, unsigned mode)
{
	fflush(NULL);
	pid_t pid = fork();
	CHECK(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		struct shmlog_options o;
		shmlog_options_init(&o);
		o.mode = mode;
		o.size = SHMLOG_MIN_SIZE;
		if (u && tu_become(u) < 0)
			_exit(2);
		struct shmlog *lg = shmlog_open(ring, &o);
		if (!lg) {
			fprintf(stderr, "create: %s\n", shmlog_errmsg());
			_exit(3);
		}
		shmlog_log(lg, SHMLOG_INFO, "t", "made by uid %u", (unsigned)geteuid());
		shmlog_close(lg);
		_exit(0);
	}
	int st;
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "creating %s with mode %04o failed", ring, mode);
}

/* Opens RING as a writer with OPTS: expects success (want 0) or -WANT, with every NEEDLE in
 * shmlog_errmsg(). */
static void expect_open(const char *ring, const struct shmlog_options *o, int want,
			const char *const *needles)
{
	struct shmlog *lg = shmlog_open(ring, o);
	int err = lg ? 0 : errno;
	CHECK(err == want, "shmlog_open(%s, mode %04o, allow %d uid %u): errno %d, expected %d (%s)",
	      ring, o ? o->mode : 0600, o ? o->allow_foreign_owner : 0,
	      o ? o->foreign_owner_uid : 0, err, want, lg ? "opened" : shmlog_errmsg());
	for (; want && needles && *needles; needles++)
		CHECK(strstr(shmlog_errmsg(), *needles), "'%s' is not in: %s", *needles,
		      shmlog_errmsg());
	if (lg) {
		CHECK(shmlog_log(lg, SHMLOG_INFO, "t", "accepted") == 0, "log: %s", shmlog_errmsg());
		shmlog_close(lg);
	}
}

static struct shmlog_options opts(unsigned mode, int allow, uid_t uid)
{
	struct shmlog_options o;
	shmlog_options_init(&o);
	o.mode = mode;
	o.allow_foreign_owner = allow;
	o.foreign_owner_uid = (uint32_t)uid;
	o.flags = SHMLOG_OPEN_NOCREATE;
	return o;
}

int main(void)
{
	struct tu_user nobody, wwwdata;
	const char *why;

	if (tu_other_user("nobody", &nobody, &why) < 0 ||
	    tu_other_user("www-data", &wwwdata, &why) < 0)
		h_skip(why);
	const char *foreign = h_ring("foreign"), *mine = h_ring("mine");
	struct shmlog_options o;

	create_as(&nobody, foreign, 0666);
	expect_open(foreign, NULL, EPERM,
		    (const char *const[]){"belongs to nobody (uid", "mode 0666", "allow", NULL});
	struct shmlog_consumer *c = shmlog_consumer_open(foreign, NULL);
	CHECK(!c && errno == EPERM, "a consumer attached to a ring nobody owns");
	o = opts(0600, SHMLOG_OWNER_UID, nobody.uid);
	expect_open(foreign, &o, EPERM, (const char *const[]){"mode 0666", NULL});
	o = opts(0666, SHMLOG_OWNER_UID, wwwdata.uid);
	expect_open(foreign, &o, EPERM, (const char *const[]){"nobody", NULL});
	o = opts(0666, SHMLOG_OWNER_UID, nobody.uid);
	expect_open(foreign, &o, 0, NULL);
	o = opts(0666, SHMLOG_OWNER_ANY, 0);
	expect_open(foreign, &o, 0, NULL);
	o = opts(0666, 7, 0);
	expect_open(foreign, &o, EINVAL, NULL);

	/* Our own ring, but writable by others beyond what we ask for. */
	create_as(NULL, mine, 0666);
	expect_open(mine, NULL, EPERM, (const char *const[]){"mode 0666", "group and others", NULL});
	o = opts(0660, SHMLOG_OWNER_SELF, 0);
	expect_open(mine, &o, EPERM, (const char *const[]){"others", NULL});
	o = opts(0666, SHMLOG_OWNER_SELF, 0);
	expect_open(mine, &o, 0, NULL);

	/* A FIFO squatting a ring's name is refused at once by every role, never waited on (an
	 * open of a FIFO for reading blocks until a writer comes). */
	const char *fifo = h_ring("fifo");
	char path[128];
	snprintf(path, sizeof(path), "/dev/shm/shmlog.%s", fifo);
	CHECK(mkfifo(path, 0666) == 0, "mkfifo %s: %s", path, strerror(errno));
	int64_t t0 = h_now_ms();
	CHECK(!shmlog_observer_open(fifo, SHMLOG_OBSERVE_OLDEST) && errno == EPROTO,
	      "an observer opened a FIFO: %s", shmlog_errmsg());
	CHECK(strstr(shmlog_errmsg(), "not a regular file"), "message: %s", shmlog_errmsg());
	expect_open(fifo, NULL, EPROTO, (const char *const[]){"not a regular file", NULL});
	CHECK(!shmlog_consumer_open(fifo, NULL) && errno == EPROTO, "a consumer opened a FIFO");
	CHECK(h_now_ms() - t0 < 1000, "the FIFO took %lld ms to refuse", (long long)(h_now_ms() - t0));
	unlink(path);

	/* A reader may read anyone's ring, and learns whose it is. */
	struct shmlog_observer *ob = shmlog_observer_open(foreign, SHMLOG_OBSERVE_OLDEST);
	CHECK(ob, "an observer could not read a foreign ring: %s", shmlog_errmsg());
	struct shmlog_stats st;
	CHECK(shmlog_observer_stats(ob, &st, NULL, 0) == 0, "stats: %s", shmlog_errmsg());
	CHECK(st.owner_uid == nobody.uid && st.mode == 0666, "stats: owner %u mode %04o",
	      (unsigned)st.owner_uid, st.mode);
	CHECK(st.head_seq == 3, "the foreign ring holds %llu records: the creator's and the two "
	      "accepted writers', expected 3", (unsigned long long)st.head_seq);
	shmlog_observer_close(ob);
	printf("refused: a foreign owner, a foreign owner other than the one allowed, group and "
	       "others' write beyond the mode asked; accepted what was asked for\n");
	h_cleanup();
	return 0;
}
