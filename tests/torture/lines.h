/* lines.h - reading one output line back, text or JSON Lines, as shmlogd and shmlogcat write
 * them: which process wrote it, its tag, its message, and, for shmlogd's loss reports, what was
 * lost. Shared by the verifier (verify.c) and the followers' checker (followers.c). */
#ifndef TORTURE_LINES_H
#define TORTURE_LINES_H

#include <stddef.h>

enum loss_kind { LOSS_NONE = 0, LOSS_DROPPED, LOSS_ABANDONED };

struct line {
	char tag[64];
	long pid;
	const char *msg;   /* into the line (text) or into the parser's buffer (JSON) */
	size_t msg_len;
	long long seq;     /* JSON event.sequence, -1 in text */
	int synthetic;     /* a loss report made by the collector (tag "shmlog") */
	int loss;          /* enum loss_kind, for a synthetic line */
	long loss_pid;     /* the pid the report names, 0 when it names none */
	long long loss_count;
};

/* Parses LINE (LEN bytes, no newline). Returns 0, or -1 when it is not a well-formed line of
 * the format (JSON: also not valid JSON). */
int line_parse(const char *line, size_t len, int json, struct line *out);

#endif
