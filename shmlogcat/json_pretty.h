/* json_pretty.h - indents a JSON line for -o json-pretty. */
#ifndef SHMLOGCAT_JSON_PRETTY_H
#define SHMLOGCAT_JSON_PRETTY_H

#include <stddef.h>

/* Writes the JSON text of LEN bytes at JSON (one object, as shmlog_format's JSON formatter
 * makes it) to BUF with one member per line, indented two spaces a level, and a newline at the
 * end. Strings, keys and numbers are copied byte for byte: the values are the formatter's, and
 * only the whitespace between them changes. Like snprintf, returns the length the whole text
 * needs and writes a NUL after what fits when CAP > 0; it fits when the result is below CAP.
 * Never fails: text that is not JSON is still copied, indented as well as its brackets allow. */
size_t json_pretty(const char *json, size_t len, char *buf, size_t cap);

#endif
