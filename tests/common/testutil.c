/* testutil.c - helpers shared by the tests (see testutil.h). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

const char *tu_ring_name(const char *tag)
{
	static char names[8][64];
	static int n;
	char *out = names[n % 8];
	snprintf(out, 64, "t-%d-%s-%d", (int)getpid(), tag, n);
	n++;
	return out;
}

uint64_t tu_rand(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint32_t fnv1a(const char *p, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 16777619u;
	return h;
}

size_t tu_payload(char *buf, size_t cap, unsigned writer, uint64_t index, size_t len_hint)
{
	int n = snprintf(buf, cap, "w=%u i=%llu ", writer, (unsigned long long)index);
	uint64_t st = (uint64_t)writer << 40 ^ index;
	size_t len = (size_t)n;
	for (size_t k = 0; k < len_hint && len + 9 < cap; k++)
		buf[len++] = (char)('!' + tu_rand(&st) % 90);
	snprintf(buf + len, cap - len, "%08x", fnv1a(buf, len));
	return len + 8;
}

int tu_payload_check(const char *msg, size_t len, unsigned *writer, uint64_t *index)
{
	char head[64], hex[9];
	unsigned long long i;
	unsigned w;

	if (len < 8 + 6)
		return -1;
	memcpy(hex, msg + len - 8, 8);
	hex[8] = '\0';
	if (strtoul(hex, NULL, 16) != fnv1a(msg, len - 8))
		return -1;
	size_t hl = len - 8 < sizeof(head) - 1 ? len - 8 : sizeof(head) - 1;
	memcpy(head, msg, hl);
	head[hl] = '\0';
	if (sscanf(head, "w=%u i=%llu ", &w, &i) != 2)
		return -1;
	*writer = w;
	*index = i;
	return 0;
}

void tu_order_note(struct tu_order *o, unsigned nwriters, const struct shmlog_record *rec)
{
	unsigned w;
	uint64_t i;

	if (tu_payload_check(rec->msg, rec->msg_len, &w, &i) < 0 || w >= nwriters ||
	    w >= TU_MAX_WRITERS) {
		o->torn++;
		return;
	}
	if (i != o->next[w])
		o->out_of_order++;
	o->next[w] = i + 1;
}

pid_t tu_fork(int (*fn)(void *arg, int i), void *arg, int i)
{
	pid_t pid = fork();
	if (pid == 0)
		_exit(fn(arg, i));
	return pid;
}

int tu_wait(pid_t pid)
{
	int st;
	if (waitpid(pid, &st, 0) < 0)
		return -1;
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WEXITSTATUS(st);
}

int64_t tu_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

long tu_drain(struct shmlog_consumer *c, long want, int quiet_ms, tu_event_fn cb, void *arg)
{
	struct shmlog_record rec;
	long got = 0;
	int since = 0;

	while (got < want) {
		int ev = shmlog_consumer_next(c, &rec, 0);
		if (ev == SHMLOG_NEXT_EMPTY) {
			shmlog_consumer_commit(c);
			ev = shmlog_consumer_next(c, &rec, 50);
		}
		if (ev < 0)
			return ev;
		if (ev == SHMLOG_NEXT_EMPTY) {
			since += 50;
			if (since >= quiet_ms)
				break;
			continue;
		}
		since = 0;
		if (ev == SHMLOG_NEXT_RECORD)
			got++;
		if (cb && cb(arg, ev, &rec))
			break;
		if (got % 64 == 0)
			shmlog_consumer_commit(c);
	}
	shmlog_consumer_commit(c);
	return got;
}
