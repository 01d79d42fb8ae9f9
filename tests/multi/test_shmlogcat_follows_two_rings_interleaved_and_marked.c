/* test_shmlogcat_follows_two_rings_interleaved_and_marked.c - shmlogcat -f RING1 RING2 shows the
 * history of both merged by time, then every new record of either ring as it comes, in the
 * order they come, each line ending in shmlog.source=<its ring>; a file named with them is
 * followed too. Each line is waited for by content. Idle, the follower uses no CPU. */
#include "test_shmlogcat_files_helpers.h"

static struct shmlog *open_realtime(const char *ring)
{
	struct shmlog_options o;
	struct shmlog *log;

	shmlog_options_init(&o);
	o.flags = SHMLOG_OPEN_REALTIME_CLOCK;
	CHECK((log = shmlog_open(ring, &o)), "shmlog_open(%s): %s", ring, shmlog_errmsg());
	return log;
}

static void expect_line(struct cat_follower *f, const char *msg, const char *source)
{
	char want[256];
	const char *line = follower_line(f, 20000);

	snprintf(want, sizeof(want), "] %s shmlog.source=%s", msg, source);
	CHECK(line, "no line for '%s' from %s", msg, source);
	size_t n = strlen(line), w = strlen(want);
	CHECK(n > w && !strcmp(line + n - w, want), "expected '%s' from %s, got: %s", msg, source, line);
}

int main(void)
{
	const char *ra = h_ring("a"), *rb = h_ring("b");
	struct shmlog *a = open_realtime(ra), *b = open_realtime(rb);
	struct cat_follower f;

	write_file("c.log", "2000-01-01T00:00:00.000000Z INFO  c[1/1] c0\n");
	CHECK(shmlog_log(a, SHMLOG_INFO, "t", "a0") == 0 && shmlog_log(b, SHMLOG_INFO, "t", "b0") == 0,
	      "log");
	FOLLOWER_START(&f, "-f", ra, rb, "./c.log");
	expect_line(&f, "c0", "./c.log"); /* the history, by time */
	expect_line(&f, "a0", ra);
	expect_line(&f, "b0", rb);
	static const struct {
		int ring; /* 0: a, 1: b, 2: the file */
		const char *msg;
	} steps[] = {{1, "b1"}, {0, "a1"}, {2, "c1"}, {1, "b2"}, {0, "a2"}, {0, "a3"}, {1, "b3"}};
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		const char *src = steps[i].ring == 0 ? ra : steps[i].ring == 1 ? rb : "./c.log";
		if (steps[i].ring == 2) {
			FILE *c = fopen("c.log", "a");
			CHECK(c && fprintf(c, "2000-01-01T00:00:01.000000Z INFO  c[1/1] %s\n", steps[i].msg) > 0 &&
				      fclose(c) == 0, "append to c.log");
		} else {
			CHECK(shmlog_log(steps[i].ring ? b : a, SHMLOG_INFO, "t", "%s", steps[i].msg) == 0, "log");
		}
		expect_line(&f, steps[i].msg, src);
	}
	/* Idle, it sleeps: a futex per ring, inotify for the file. */
	int exact;
	long long cpu0 = h_cpu_ns(f.pid, &exact);
	h_sleep_ms(500);
	long long idle_ns = h_cpu_ns(f.pid, &exact) - cpu0;
	CHECK(idle_ns < 20000000, "an idle follower used %lld ns of CPU in 500 ms", idle_ns);
	char *err = follower_stop(&f);
	CHECK(!*err, "the follower said: %s", err);
	free(err);
	shmlog_close(a);
	shmlog_close(b);
	printf("two rings and a file followed together, each line marked with its source\n");
	h_cleanup();
	return 0;
}
