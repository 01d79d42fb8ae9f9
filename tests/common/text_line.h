/* text_line.h - splits one line of text output, "TIME LEVEL tag[pid/tid] message", as shmlogd
 * and shmlogcat write it (libshmlog/src/format.c), into its tag, pid and message. Shared by the
 * shmlogd tests' harness and the torture driver, which both read output back. */
#ifndef SHMLOG_TEXT_LINE_H
#define SHMLOG_TEXT_LINE_H

#include <stddef.h>

struct text_line {
	const char *tag; /* into the line */
	size_t tag_len;
	long pid;
	const char *msg; /* into the line: the rest of it, fields and marks included */
	size_t msg_len;
};

/* Splits S (LEN bytes, without the newline). Returns 0, or -1 when it is not such a line. */
int text_line_split(const char *s, size_t len, struct text_line *out);

#endif
