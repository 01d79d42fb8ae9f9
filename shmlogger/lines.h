/* lines.h - reads standard input (or any fd) line by line, NUL bytes included. */
#ifndef SHMLOGGER_LINES_H
#define SHMLOGGER_LINES_H

#include <stddef.h>

/* Bytes of one line kept; the rest of a longer line is read and discarded. Far above
 * SHMLOG_MAX_MESSAGE, so the library's truncation mark gives the true length of any line up to
 * this size. */
#define LINE_KEEP_MAX (1024 * 1024)

struct line_reader;

/* A reader of FD, or NULL when out of memory. */
struct line_reader *line_reader_new(int fd);
void line_reader_free(struct line_reader *lr);

/* Returns 1 with the next line (without its '\n'; a last line without one counts too) in
 * *line and *len, valid until the next call; 0 at the end of input; -errno on a read error.
 * A line longer than LINE_KEEP_MAX comes back cut to that length. */
int line_next(struct line_reader *lr, const char **line, size_t *len);

#endif
