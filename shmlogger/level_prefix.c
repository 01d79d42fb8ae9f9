/* level_prefix.c - finds the level a line of text starts with, for --parse-level.
 *
 * Programs that only print still say how bad things are, in a handful of ways at the start of
 * the line. shmlogger recognises these, and nothing else:
 *
 *   <PRI>      a syslog priority, facility * 8 + severity, 0..191 written without leading zeros
 *              ("<3>disk gone", as sd-daemon(3) and the kernel's printk prefix a line); the
 *              facility is dropped, the severity mapped by level_of_syslog_severity().
 *   [WORD]     a level word in square or angle brackets, any case, optionally followed by ':'.
 *   <WORD>
 *   WORD:      a level word and a colon, any case, whatever follows ("ERROR:root:boom" is
 *              Python's logging.basicConfig() default).
 *   WORD       a level word, any case, followed by a blank or the end of the line.
 *
 * The prefix and the blanks (spaces, tabs) after it are stripped from the message.
 *
 * Any case, as the programs that print these write them all ways ("Error: ...", "error ..."):
 * so a sentence that starts with a level word, "Debug build started", is taken for one, and
 * --no-parse-level is the way out for a program that writes such lines. What is never a level:
 * a word that goes on ("Errors found: 3", "INFOrmation", "ERROR-42"): the word must end at a
 * bracket, a colon, a blank or the end of the line.
 * A prefix must be the very first byte of the line: a timestamp or colour code before it hides it.
 *
 * Level words and shmlog levels:
 *   trace, debug                                      -> debug   (shmlog has nothing lower)
 *   info, notice                                      -> info    (syslog notice is a normal event)
 *   warn, warning                                     -> warning
 *   error, err                                        -> error
 *   crit, critical, fatal, alert, emerg, emergency,
 *   panic                                             -> critical
 * shmlog's own names and aliases come from shmlog_level_parse(), their one owner; the others are
 * logger(1)'s syslog names and the usual words of other logging libraries.
 */
#include <stdbool.h>
#include <string.h>

#include <shmlog.h>

#include "level_prefix.h"

#define WORD_MIN 3 /* err */
#define WORD_MAX 9 /* emergency */

static const struct {
	const char *word;
	int level;
} other_words[] = {
	{"trace", SHMLOG_DEBUG},	 {"notice", SHMLOG_INFO},     {"fatal", SHMLOG_CRITICAL},
	{"alert", SHMLOG_CRITICAL},	 {"emerg", SHMLOG_CRITICAL},  {"emergency", SHMLOG_CRITICAL},
	{"panic", SHMLOG_CRITICAL},
};

static bool is_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

static bool is_letter(char c)
{
	return is_upper(c) || (c >= 'a' && c <= 'z');
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

int level_of_word(const char *s, size_t n)
{
	char word[WORD_MAX + 1];

	if (n < WORD_MIN || n > WORD_MAX)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!is_letter(s[i]))
			return -1; /* also keeps shmlog_level_parse()'s digits out */
		word[i] = (char)(is_upper(s[i]) ? s[i] - 'A' + 'a' : s[i]);
	}
	word[n] = '\0';
	for (size_t i = 0; i < sizeof(other_words) / sizeof(other_words[0]); i++)
		if (strcmp(word, other_words[i].word) == 0)
			return other_words[i].level;
	int level = shmlog_level_parse(word);
	return level > 0 ? level : -1;
}

/* Derived from shmlog_level_syslog(), which owns each level's severity, rather than a second
 * table: the worst level whose own severity is SEV or milder. So emerg and alert (0, 1), worse
 * than any level, are critical, and notice (5), which no level has, is info: a normal event. */
int level_of_syslog_severity(long long sev)
{
	if (sev < 0 || sev > 7)
		return -1;
	for (int level = SHMLOG_CRITICAL; level > SHMLOG_DEBUG; level--)
		if (shmlog_level_syslog(level) >= sev)
			return level;
	return SHMLOG_DEBUG;
}

/* "<PRI>" at the start of S (N bytes): the level of its severity, *END just past the '>'. */
static int syslog_pri(const char *s, size_t n, size_t *end)
{
	size_t i = 1;
	int pri = 0;

	while (i < n && i <= 3 && s[i] >= '0' && s[i] <= '9')
		pri = pri * 10 + (s[i++] - '0');
	if (i == 1 || i >= n || s[i] != '>' || (s[1] == '0' && i > 2) || pri > 191)
		return -1;
	*end = i + 1;
	return level_of_syslog_severity(pri % 8);
}

/* The letters at the start of S (N bytes), when there are few enough for a level word. */
static size_t word_length(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && i <= WORD_MAX && is_letter(s[i]))
		i++;
	return i;
}

/* "[WORD]" or "<WORD>" (then an optional ':'), "WORD:" or "WORD" before a blank or the end, at the start of S (N bytes): its level, *END past the prefix. */
static int word_prefix(const char *s, size_t n, size_t *end)
{
	char close = s[0] == '[' ? ']' : s[0] == '<' ? '>' : '\0';
	size_t at = close ? 1 : 0;
	size_t w = word_length(s + at, n - at);
	size_t after = at + w;
	int level = level_of_word(s + at, w);

	if (level < 0)
		return -1;
	if (close) {
		if (after == n || s[after] != close)
			return -1;
		after++;
		if (after < n && s[after] == ':')
			after++;
	} else if (after < n && s[after] == ':') {
		after++;
	} else if (!(after == n || is_blank(s[after]))) {
		return -1;
	}
	*end = after;
	return level;
}

int level_prefix(const char *line, size_t len, size_t *skip)
{
	size_t end = 0;
	int level;

	if (len == 0)
		return -1;
	if (line[0] == '<' && len > 1 && line[1] >= '0' && line[1] <= '9')
		level = syslog_pri(line, len, &end);
	else
		level = word_prefix(line, len, &end);
	if (level < 0)
		return -1;
	while (end < len && is_blank(line[end]))
		end++;
	*skip = end < len ? end : 0;
	return level;
}
