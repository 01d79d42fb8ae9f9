/* level_prefix.h - the level a line of text announces at its start ("ERROR ...", "<3>...").
 * The rules and the reasons for them are at the top of level_prefix.c. */
#ifndef SHMLOGGER_LEVEL_PREFIX_H
#define SHMLOGGER_LEVEL_PREFIX_H

#include <stddef.h>

/* The shmlog level of the level word S (N bytes, any case, nothing around it): shmlog's own
 * names and aliases (shmlog_level_parse(), digits excepted) and trace, notice, fatal, alert,
 * emerg, emergency, panic. Returns the level, or -1 when S is none of them. */
int level_of_word(const char *s, size_t n);

/* The shmlog level of syslog severity SEV (0 emerg .. 7 debug), or -1 outside 0..7. */
int level_of_syslog_severity(long long sev);

/* Looks for a level prefix at the start of LINE (LEN bytes). Returns its level and sets *SKIP to
 * the bytes to strip (the prefix and the blanks after it), or returns -1 when there is none.
 * A line that is nothing but a prefix and blanks gets the level and *SKIP = 0: its text stays the
 * message, so that no record comes out empty. */
int level_prefix(const char *line, size_t len, size_t *skip);

#endif
