/* followers.c - writer throughput with no follower and with two followers attached to the ring
 * (issue 4, acceptance 6: within 5%).
 *
 * P writer processes (1, then 2) each shmlog_write N 100-byte records into a fresh ring of the
 * default size, drained by a library consumer in another process (next; commit when EMPTY and
 * every 64 records). Followers are `shmlogcat -f RING > /dev/null` processes when shmlogcat is
 * built, else child processes that run shmlog_observer_next in a loop (the table says which).
 * Throughput = P x N / time from releasing the writers until the last one returns from its last
 * call; the consumer then checks that each writer's records arrived exactly once, in order.
 * N is 10 million by default, runs of about a second: a follower spends a fixed ~10 ms of CPU
 * when the writers start (it is lapped before its backoff grows), which is a fifth of a 50 ms
 * run (N = 1 million) but 1% of a steady one, and throughput is the steady rate.
 * Runs with 0 and 2 followers alternate within each round; rounds repeat.
 */
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <shmlog.h>

#include "common.h"

#define MSG_FMT "w=%d seq=%09ld GET /api/v1/orders/8812/items?page=2&limit=50 status=200 " \
		"bytes=512000 user=alice.x"
#define MAX_WRITERS 2
#define NFOLLOWERS 2

struct shared {
	volatile int stop;   /* parent -> consumer and observers */
	long bad, foreign, events, records;
	long next[MAX_WRITERS];
	long failed;
	long seen[NFOLLOWERS], lost[NFOLLOWERS]; /* observers */
};

struct run {
	double rate; /* records/s; 0 if the run was not exact */
	double follower_cpu_ns; /* CPU the followers used, per record written */
	char why[200];
};

/* ------------------------------------------------------------------ consumer */

/* What the consumer learns from the records, before it tells the parent through SH. */
struct consumer_tally {
	struct shared *sh;
	struct bench_seqcheck chk;
};

static void note_record(void *arg, const struct shmlog_record *rec)
{
	struct consumer_tally *t = arg;
	int w;
	long seq;

	t->sh->records++;
	if (bench_parse_ws(rec->msg, rec->msg_len, &w, &seq) < 0)
		t->chk.foreign++;
	else
		bench_seqcheck_note(&t->chk, w, seq);
}

static void consumer_main(const char *ring, struct shared *sh, int nwriters, int ready_fd)
{
	struct consumer_tally t = {.sh = sh};

	bench_seqcheck_init(&t.chk, nwriters);
	struct shmlog_consumer *c = bench_consumer_attach(ring, NULL, ready_fd);
	sh->events = bench_drain(c, &sh->stop, 0, note_record, &t);
	sh->bad = t.chk.bad;
	sh->foreign = t.chk.foreign;
	memcpy(sh->next, t.chk.next, sizeof(long) * (size_t)nwriters);
	shmlog_consumer_close(c);
	_exit(0);
}

/* ------------------------------------------------------------------ followers */

static void observer_main(const char *ring, struct shared *sh, int i, int ready_fd)
{
	struct shmlog_observer *o = shmlog_observer_open(ring, SHMLOG_OBSERVE_NEWEST);
	struct shmlog_record rec;

	if (!o)
		_exit(1);
	bench_say_ready(ready_fd);
	while (!sh->stop) {
		int rc = shmlog_observer_next(o, &rec, 100);
		if (rc == SHMLOG_NEXT_RECORD)
			sh->seen[i]++;
		else if (rc == SHMLOG_NEXT_LOST)
			sh->lost[i] += (long)rec.count;
		else if (rc < 0)
			_exit(1);
	}
	shmlog_observer_close(o);
	_exit(0);
}

/* Starts a follower; returns once it is attached (observers say so; shmlogcat gets a moment). */
static pid_t start_follower(const char *shmlogcat, const char *ring, struct shared *sh, int i)
{
	int fd[2];

	bench_pipe(fd);
	pid_t pid = bench_fork();
	if (pid == 0) {
		close(fd[0]);
		if (!shmlogcat)
			observer_main(ring, sh, i, fd[1]);
		int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
		/* its "-- lost N records --" notes too: a follower may be lapped, that is allowed */
		if (null < 0 || dup2(null, STDOUT_FILENO) < 0 || dup2(null, STDERR_FILENO) < 0)
			_exit(1);
		close(fd[1]);
		execl(shmlogcat, "shmlogcat", "-f", ring, (char *)NULL);
		_exit(127);
	}
	close(fd[1]);
	if (!shmlogcat)
		bench_wait_ready(fd[0], "an observer");
	close(fd[0]);
	return pid;
}

/* ------------------------------------------------------------------ writers */

/* Writes the decimal digits of V into the WIDTH characters at P (zero padded). */
static void put_digits(char *p, int width, long v)
{
	for (int i = width - 1; i >= 0; i--, v /= 10)
		p[i] = (char)('0' + v % 10);
}

static void writer_main(const char *ring, int w, long n, struct bench_gate *gate, int ready_fd,
			struct shared *sh)
{
	struct shmlog *lg = shmlog_open(ring, NULL);
	char msg[160];
	long failed = 0;

	if (!lg)
		_exit(1);
	int len = snprintf(msg, sizeof(msg), MSG_FMT, w, 0L);
	char *digits = strstr(msg, "seq=") + 4;
	bench_say_ready(ready_fd);
	bench_gate_wait(gate);
	for (long seq = 0; seq < n; seq++) {
		put_digits(digits, 9, seq); /* the same bytes snprintf(MSG_FMT) gives, but cheap */
		failed += shmlog_write(lg, SHMLOG_INFO, BENCH_TAG, msg, (size_t)len) != 0;
	}
	__atomic_fetch_add(&sh->failed, failed, __ATOMIC_RELAXED);
	shmlog_close(lg);
	_exit(failed != 0);
}

/* ------------------------------------------------------------------ one run */

static void run_once(const char *shmlogcat, int nwriters, int nfollowers, long n, struct run *res)
{
	struct shared *sh = bench_shared(sizeof(*sh));
	pid_t writers[MAX_WRITERS], followers[NFOLLOWERS];
	struct bench_gate gate;
	int ready[2], status = 0;
	char ring[80], c;

	memset(res, 0, sizeof(*res));
	bench_ring_name(ring, sizeof(ring), "fol");
	shmlog_unlink(ring);
	bench_pipe(ready);
	pid_t consumer = bench_fork();
	if (consumer == 0) {
		close(ready[0]);
		consumer_main(ring, sh, nwriters, ready[1]);
	}
	bench_wait_ready(ready[0], "the consumer");
	for (int i = 0; i < nfollowers; i++)
		followers[i] = start_follower(shmlogcat, ring, sh, i);
	if (shmlogcat && nfollowers)
		usleep(300 * 1000); /* let shmlogcat attach and reach its follow loop */
	bench_gate_init(&gate);
	for (int w = 0; w < nwriters; w++) {
		writers[w] = bench_fork();
		if (writers[w] == 0) {
			close(ready[0]);
			writer_main(ring, w, n, &gate, ready[1], sh);
		}
	}
	close(ready[1]);
	for (int w = 0; w < nwriters; w++)
		if (read(ready[0], &c, 1) != 1)
			status = 1;
	close(ready[0]);

	int64_t t0 = bench_now_ns();
	bench_gate_go(&gate);
	for (int w = 0; w < nwriters; w++)
		status |= bench_reap(writers[w]);
	int64_t t1 = bench_now_ns();

	sh->stop = 1;
	status |= bench_reap(consumer);
	double cpu = 0;
	for (int i = 0; i < nfollowers; i++) {
		if (shmlogcat)
			kill(followers[i], SIGTERM);
		double follower_cpu;
		int st = bench_reap_cpu(followers[i], &follower_cpu);
		cpu += follower_cpu;
		if (st != 0 && !(shmlogcat && st == 128 + SIGTERM))
			status |= st;
	}
	shmlog_unlink(ring);

	int exact = status == 0 && sh->failed == 0 && sh->events == 0 && sh->bad == 0 &&
		    sh->foreign == 0;
	for (int w = 0; w < nwriters; w++)
		exact &= sh->next[w] == n;
	res->follower_cpu_ns = cpu * 1e9 / ((double)nwriters * (double)n);
	if (exact)
		res->rate = (double)nwriters * (double)n / ((double)(t1 - t0) / 1e9);
	else
		snprintf(res->why, sizeof(res->why),
			 "consumer got %ld records of %ld; %ld out of order, %ld foreign, %ld loss "
			 "events, %ld failed calls, status %d",
			 sh->records, (long)nwriters * n, sh->bad, sh->foreign, sh->events, sh->failed,
			 status);
	if (!shmlogcat && nfollowers)
		fprintf(stderr, "  observers saw %ld and %ld records, were lapped for %ld and %ld\n",
			sh->seen[0], sh->seen[1], sh->lost[0], sh->lost[1]);
	munmap(sh, sizeof(*sh));
}

/* ------------------------------------------------------------------ main */

static void usage(FILE *to)
{
	fprintf(to,
		"usage: bench_followers [--quick] [--rounds R] [--n N]\n"
		"Writer throughput (1 and 2 writers, consumer draining) with 0 and with 2 followers\n"
		"attached: `shmlogcat -f` (from $SHMLOG_BIN_DIR, else this program's directory) or,\n"
		"without it, library observers. Defaults: --rounds 9 --n 10000000 (records per\n"
		"writer: runs of about a second, so a follower's start-up burst does not weigh);\n"
		"--quick: --rounds 3 --n 3000000.\n");
}

static const char *cell(char *buf, size_t cap, double *v, int n, int lossy)
{
	char s[96];
	if (n == 0)
		return "**LOSSY**";
	bench_stat_str(s, sizeof(s), bench_stat_of(v, (size_t)n), "%.2f");
	snprintf(buf, cap, "%s%s", s, lossy ? " (**some runs LOSSY**)" : "");
	return buf;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"quick", no_argument, NULL, 'q'}, {"rounds", required_argument, NULL, 'r'},
		{"n", required_argument, NULL, 'n'}, {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}};
	int rounds = 0, quick = 0, opt;
	long n = 0;
	char path[4096], reason[4096];

	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'q':
			quick = 1;
			break;
		case 'r':
			rounds = atoi(optarg);
			break;
		case 'n':
			n = atol(optarg);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 64;
		}
	}
	if (rounds <= 0)
		rounds = quick ? 3 : 9;
	if (n <= 0)
		n = quick ? 3000000 : 10000000;
	if (rounds > 64) {
		fprintf(stderr, "bench: --rounds at most 64\n");
		return 64;
	}
	const char *shmlogcat = NULL;
	if (bench_find_prog("shmlogcat", path, sizeof(path)) == 0)
		shmlogcat = path;
	else
		snprintf(reason, sizeof(reason), "%s", path);

	bench_banner("Followers: writer throughput with 0 and 2 followers attached");
	printf("Followers: %s%s. Each writer shmlog_writes %ld records of %d bytes into a fresh "
	       "ring of the default size, drained by a library consumer; %d rounds, 0 and 2 "
	       "followers alternating. Cells: median (min–max) over clean runs.\n\n",
	       shmlogcat ? "`shmlogcat -f RING > /dev/null`: " : "library observers "
							      "(shmlog_observer_next loop), because ",
	       shmlogcat ? shmlogcat : reason, n, snprintf(NULL, 0, MSG_FMT, 0, 0L), rounds);
	fflush(stdout);

	double rate[MAX_WRITERS][2][64], ratio[MAX_WRITERS][64], fcpu[MAX_WRITERS][64];
	int nrate[MAX_WRITERS][2] = {{0}}, lossy[MAX_WRITERS][2] = {{0}}, nratio[MAX_WRITERS] = {0};
	char why[MAX_WRITERS][2][200];
	for (int r = 0; r < rounds; r++)
		for (int p = 1; p <= MAX_WRITERS; p++) {
			double got[2] = {0, 0};
			for (int k = 0; k < 2; k++) {
				int f = (r + k) % 2; /* which of "0 followers", "2 followers" goes first */
				struct run res;
				run_once(shmlogcat, p, f * NFOLLOWERS, n, &res);
				fprintf(stderr, "  round %d, %d writers, %d followers: %.2f M records/s%s%s\n",
					r + 1, p, f * NFOLLOWERS, res.rate / 1e6,
					res.rate > 0 ? "" : ", LOSSY: ", res.why);
				if (res.rate > 0 && f)
					fcpu[p - 1][nrate[p - 1][f]] = res.follower_cpu_ns;
				if (res.rate > 0)
					rate[p - 1][f][nrate[p - 1][f]++] = got[f] = res.rate / 1e6;
				else
					snprintf(why[p - 1][f], sizeof(why[0][0]), "%s", res.why), lossy[p - 1][f]++;
			}
			if (got[0] > 0 && got[1] > 0)
				ratio[p - 1][nratio[p - 1]++] = got[1] / got[0];
		}

	char a[128], b[128], d[128], e[128];
	printf("| writers | records/s (millions), 0 followers | with 2 followers | ratio 2 / 0 "
	       "(per round) | goal ≥ 0.95 | followers' CPU, ns per record |\n"
	       "|---|---|---|---|---|---|\n");
	for (int p = 0; p < MAX_WRITERS; p++) {
		double rr[64];
		memcpy(rr, ratio[p], sizeof(rr));
		struct bench_stat s = bench_stat_of(rr, (size_t)nratio[p]);
		printf("| %d | %s | %s | %s | %s | %s |\n", p + 1,
		       cell(a, sizeof(a), rate[p][0], nrate[p][0], lossy[p][0]),
		       cell(b, sizeof(b), rate[p][1], nrate[p][1], lossy[p][1]),
		       nratio[p] ? bench_stat_str(d, sizeof(d), s, "%.3f") : "n/a",
		       !nratio[p] ? "n/a" : s.med >= 0.95 ? "met" : "**missed**",
		       nrate[p][1] ? bench_stat_str(e, sizeof(e),
						    bench_stat_of(fcpu[p], (size_t)nrate[p][1]), "%.0f")
				   : "—");
	}
	for (int p = 0; p < MAX_WRITERS; p++)
		for (int f = 0; f < 2; f++)
			if (lossy[p][f])
				printf("\n%d writers, %d followers: LOSSY in %d runs: %s\n", p + 1,
				       f * NFOLLOWERS, lossy[p][f], why[p][f]);
	printf("\nEvery clean run: each writer's records arrived at the consumer exactly once, in "
	       "order.\n\n");
	return 0;
}
