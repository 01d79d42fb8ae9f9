/* fields.h - shmlogger's KEY=VALUE arguments as typed shmlog fields. */
#ifndef SHMLOGGER_FIELDS_H
#define SHMLOGGER_FIELDS_H

#include <shmlog.h>

/* Parses ARG as a field: KEY=VALUE (typed by its value) or KEY:=VALUE (always a string).
 * KEY is 1..SHMLOG_MAX_KEY characters of [A-Za-z0-9_.-] starting with a letter or '_'.
 * VALUE becomes
 *   bool    "true" or "false"
 *   int     an integer as JSON writes it (-?(0|[1-9][0-9]*)) that fits in int64
 *   float   any other JSON number (fraction, exponent, or an integer beyond int64), if finite
 *   string  anything else ("", "007", "+1", "0x10", "nan", "null", ...)
 * Returns 1 with *f pointing into ARG, or 0 when ARG is not a field (it starts the message). */
int field_parse(const char *arg, struct shmlog_field *f);

/* Sets the type and value of *F from the NUL-terminated V by the rules above (a string points
 * at V). --parse-json types JSON numbers with it, so both ways in agree on what an integer is. */
void field_type_value(const char *v, struct shmlog_field *f);

#endif
