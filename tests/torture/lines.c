/* lines.c - parses output lines (lines.h). JSON goes through the tests' strict checker
 * (tests/common/json_check.c), so an invalid line is caught as well as a damaged record. Text
 * lines are "TIME LEVEL tag[pid/tid] message". */
#include "lines.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_check.h"
#include "text_line.h"

/* "pid 4711 dropped 52 records (ring full)", "abandoned 3 records (...)". */
static void parse_loss(struct line *l)
{
	char buf[160];
	size_t n = l->msg_len < sizeof(buf) - 1 ? l->msg_len : sizeof(buf) - 1;
	long pid = 0;
	long long count = 0;
	char verb[32];

	memcpy(buf, l->msg, n);
	buf[n] = '\0';
	if (sscanf(buf, "pid %ld %31s %lld records", &pid, verb, &count) != 3) {
		pid = 0;
		if (sscanf(buf, "%31s %lld records", verb, &count) != 2)
			return;
	}
	l->loss_pid = pid;
	l->loss_count = count;
	if (!strcmp(verb, "dropped"))
		l->loss = LOSS_DROPPED;
	else if (!strcmp(verb, "abandoned"))
		l->loss = LOSS_ABANDONED;
}

static int parse_text(const char *s, size_t len, struct line *l)
{
	struct text_line t;

	if (text_line_split(s, len, &t) < 0 || t.tag_len >= sizeof(l->tag))
		return -1;
	memcpy(l->tag, t.tag, t.tag_len);
	l->tag[t.tag_len] = '\0';
	l->pid = t.pid;
	l->msg = t.msg;
	l->msg_len = t.msg_len;
	return 0;
}

static int parse_json(const char *s, size_t len, struct line *l)
{
	static struct json_object obj;
	static char msg[64 * 1024];
	long long pid = 0;
	const struct json_member *synthetic;

	if (!json_parse_line(s, len, &obj))
		return -1;
	long n = json_str(&obj, "message", msg, sizeof(msg));
	if (n < 0 || (size_t)n >= sizeof(msg))
		return -1;
	json_str(&obj, "log.logger", l->tag, sizeof(l->tag));
	json_get_int(&obj, "process.pid", &pid);
	json_get_int(&obj, "event.sequence", &l->seq);
	l->pid = (long)pid;
	l->msg = msg;
	l->msg_len = (size_t)n;
	synthetic = json_get(&obj, "shmlog.synthetic");
	if (synthetic && synthetic->len == 4 && !memcmp(synthetic->value, "true", 4))
		l->synthetic = 1;
	return 0;
}

int line_parse(const char *line, size_t len, int json, struct line *out)
{
	memset(out, 0, sizeof(*out));
	out->seq = -1;
	if ((json ? parse_json(line, len, out) : parse_text(line, len, out)) < 0)
		return -1;
	if (!strcmp(out->tag, "shmlog"))
		out->synthetic = 1;
	if (out->synthetic)
		parse_loss(out);
	return 0;
}
