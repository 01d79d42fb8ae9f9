/* writers.c - the writer processes: each opens the ring with its own full-ring policy (block or
 * drop), runs 1..TORTURE_MAX_THREADS threads that log self-checking records (record.h) at a
 * paced rate, and publishes per thread what it attempted, committed and had dropped in the shared
 * mapping "writers.state" (struct writers_shared). That account is what the verifier holds the
 * output against, and it survives a SIGKILL of the writer: see struct thread_account for why at
 * most one record per thread is then of unknown outcome.
 *
 * A writer asked to stop (its account's stop word) finishes the record in hand, waits until the
 * collector has consumed what it wrote (shmlog_flush) and exits 0. Exit 2: the ring would not
 * open; 3: a write failed with something other than -ENOBUFS.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "record.h"
#include "torture.h"

struct writer_thread {
	struct shmlog *log;
	struct writer_account *acc;
	int id, index;
	unsigned rate; /* records per second for this thread, 0: full speed */
	uint64_t rng;
};

static void store64(int64_t *p, int64_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static void pace(struct writer_thread *wt, unsigned burst)
{
	if (!wt->rate)
		return;
	int64_t ns = (int64_t)burst * 1000000000 / wt->rate;
	struct timespec ts = {.tv_sec = ns / 1000000000, .tv_nsec = ns % 1000000000};
	nanosleep(&ts, NULL);
}

/* Logs records until told to stop, keeping the thread's account current. */
static void *writer_thread_main(void *arg)
{
	struct writer_thread *wt = arg;
	struct thread_account *a = &wt->acc->t[wt->index];
	char *buf = malloc(REC_MAX_LEN + 1);
	unsigned burst = 0, burst_len = 1;

	if (!buf)
		return NULL;
	for (long long n = 0; !__atomic_load_n(&wt->acc->stop, __ATOMIC_ACQUIRE); n++) {
		struct rec_id id = {.w = wt->id, .t = wt->index, .n = n, .len = rec_pick_len(&wt->rng)};
		rec_build(&id, buf);
		int level = n % 5000 == 4999 ? SHMLOG_CRITICAL : n % 7 ? SHMLOG_INFO : SHMLOG_WARNING;
		store64(&a->next, n + 1);
		int r = shmlog_write(wt->log, level, "torture", buf, id.len);
		if (r == 0) {
			store64(&a->bytes, a->bytes + (int64_t)id.len);
			store64(&a->committed, a->committed + 1);
		} else if (r == -ENOBUFS) {
			store64(&a->enobufs, a->enobufs + 1);
		} else {
			store64(&a->errors, a->errors + 1);
			fprintf(stderr, "writer %d thread %d: record %lld: %s\n", wt->id, wt->index, n,
				shmlog_errmsg());
		}
		if (++burst >= burst_len) {
			pace(wt, burst);
			burst = 0;
			burst_len = 1 + (unsigned)(rec_rng(&wt->rng) % 32);
		}
	}
	free(buf);
	return NULL;
}

/* The child: never returns. */
static void writer_main(int id)
{
	struct writer_account *acc = &R->shared->w[id];
	struct shmlog_options o;
	struct writer_thread wt[TORTURE_MAX_THREADS];
	pthread_t th[TORTURE_MAX_THREADS];
	int64_t errors = 0;

	shmlog_options_init(&o);
	o.on_full = acc->on_full;
	o.flags = SHMLOG_OPEN_NOCREATE;
	struct shmlog *log = shmlog_open(R->ring, &o);
	if (!log) {
		fprintf(stderr, "writer %d: %s\n", id, shmlog_errmsg());
		_exit(2);
	}
	__atomic_store_n(&acc->opened, 1, __ATOMIC_RELEASE);
	unsigned per_thread = R->cfg.rate / (unsigned)(R->cfg.writers * 2);
	for (int i = 0; i < acc->threads; i++) {
		wt[i] = (struct writer_thread){.log = log, .acc = acc, .id = id, .index = i,
					       .rate = R->cfg.rate ? per_thread + 1 : 0,
					       .rng = R->cfg.seed * 1000003u + (uint64_t)id * 31 + (uint64_t)i};
		if (i > 0 && pthread_create(&th[i], NULL, writer_thread_main, &wt[i]) != 0) {
			fprintf(stderr, "writer %d: pthread_create failed\n", id);
			_exit(3);
		}
	}
	writer_thread_main(&wt[0]);
	for (int i = 1; i < acc->threads; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < acc->threads; i++)
		errors += acc->t[i].errors;
	/* Records written; a collector restarted meanwhile still has to write them out. */
	if (shmlog_flush(log, 30000) < 0)
		fprintf(stderr, "writer %d: flush: %s\n", id, shmlog_errmsg());
	shmlog_close(log);
	_exit(errors ? 3 : 0);
}

/* Maps writers.state in the work directory, shared with every writer forked later. */
int writers_init(void)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/writers.state", R->cfg.workdir);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || ftruncate(fd, sizeof(struct writers_shared)) < 0) {
		fail("cannot create %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	R->shared = mmap(NULL, sizeof(struct writers_shared), PROT_READ | PROT_WRITE, MAP_SHARED, fd,
			 0);
	close(fd);
	if (R->shared == MAP_FAILED) {
		R->shared = NULL;
		fail("mmap %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int writer_start(void)
{
	if (R->nwriters >= TORTURE_MAX_WRITERS)
		return -1;
	int id = R->nwriters++;
	struct writer_account *acc = &R->shared->w[id];

	memset(acc, 0, sizeof(*acc));
	acc->threads = 1 + (int)rnd_below(TORTURE_MAX_THREADS - 1); /* 1..3 */
	/* Writers 0 and 1 are one of each, the rest by the seed. */
	acc->on_full = (id < 2 ? id == 0 : rnd_below(2)) ? SHMLOG_ON_FULL_BLOCK : SHMLOG_ON_FULL_DROP;
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		fail("fork a writer: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		/* The kernel sends SIGHUP, then SIGCONT, to a process group that becomes orphaned
		 * while one of its members is stopped (POSIX job control), and faults stop writers:
		 * a suite run in the background by a shell that then exits ended writer 5 so. A
		 * writer has no use for SIGHUP; the early SIGCONT only shortens a pause. */
		signal(SIGHUP, SIG_IGN);
		writer_main(id);
	}
	acc->pid = pid;
	R->wstate[id] = W_RUNNING;
	note("writer %d started: pid %d, %d threads, %s", id, (int)pid, acc->threads,
	     acc->on_full == SHMLOG_ON_FULL_BLOCK ? "block" : "drop");
	return id;
}

int writer_alive(int id)
{
	return R->wstate[id] == W_RUNNING;
}

/* Records how a writer ended, from its wait status. */
static void writer_ended(int id, int st, int expected_kill)
{
	R->wcont_at[id] = 0;
	if (WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL && expected_kill) {
		R->wstate[id] = W_KILLED;
	} else if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
		R->wstate[id] = W_EXITED;
	} else {
		R->wstate[id] = W_FAILED;
		fail("writer %d (pid %d) ended with %s %d", id, (int)R->shared->w[id].pid,
		     WIFEXITED(st) ? "exit status" : "signal",
		     WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
	}
}

void writer_kill(int id)
{
	int st;
	pid_t pid = R->shared->w[id].pid;

	kill(pid, SIGKILL);
	if (waitpid(pid, &st, 0) == pid)
		writer_ended(id, st, 1);
	note("writer %d (pid %d) killed", id, (int)pid);
}

void writers_reap(void)
{
	for (int id = 0; id < R->nwriters; id++) {
		int st;
		if (R->wstate[id] != W_RUNNING)
			continue;
		if (waitpid(R->shared->w[id].pid, &st, WNOHANG) == R->shared->w[id].pid)
			writer_ended(id, st, 0);
	}
}

/* Asks every running writer to stop (SIGCONT first: a stopped one could not), then waits. */
void writers_stop_all(void)
{
	for (int id = 0; id < R->nwriters; id++)
		if (R->wstate[id] == W_RUNNING) {
			__atomic_store_n(&R->shared->w[id].stop, 1, __ATOMIC_RELEASE);
			kill(R->shared->w[id].pid, SIGCONT);
			R->wcont_at[id] = 0;
		}
	int64_t end = now_ms() + 60000;
	for (int id = 0; id < R->nwriters; id++) {
		while (R->wstate[id] == W_RUNNING) {
			int st;
			pid_t r = waitpid(R->shared->w[id].pid, &st, WNOHANG);
			if (r == R->shared->w[id].pid) {
				writer_ended(id, st, 0);
				break;
			}
			if (now_ms() > end) {
				fail("writer %d (pid %d) did not stop within 60 s of being asked", id,
				     (int)R->shared->w[id].pid);
				kill(R->shared->w[id].pid, SIGKILL);
				waitpid(R->shared->w[id].pid, &st, 0);
				R->wstate[id] = W_FAILED;
				break;
			}
			pump();
			sleep_ms(10);
		}
	}
}
