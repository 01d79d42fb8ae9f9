/* format_oracle.h - checks everything shmlog_format() and shmlog_record_field() promise about one
 * record, from the outside: the snprintf contract at every capacity, one line per record, valid
 * UTF-8 without raw controls, JSON that parses and carries the record's own values, text whose
 * escapes undo to the record's bytes. Any violation aborts (FZ_CHECK), which libFuzzer reports.
 */
#ifndef SHMLOG_FUZZ_FORMAT_ORACLE_H
#define SHMLOG_FUZZ_FORMAT_ORACLE_H

#include <stddef.h>

#include "shmlog.h"

/* Walks REC's fields with shmlog_record_field() next to an independent decoder of record.h's
 * layout: both must agree on every field and on where the damage starts. */
void fz_check_fields(const struct shmlog_record *rec);

/* Formats REC in FORMAT with every flag combination and checks the lines. SMALL_CAP is an extra
 * capacity to try below the needed one (any value; it is reduced modulo the line's length). */
void fz_check_format(const struct shmlog_record *rec, int format, size_t small_cap);

/* fz_check_fields, then fz_check_format for text, JSON and cat. */
void fz_check_record(const struct shmlog_record *rec, size_t small_cap);

#endif
