/* line_record.h - what one line of input (or the message of the arguments) becomes as a record:
 * its level, tag, message and fields, by --parse-level and --parse-json. */
#ifndef SHMLOGGER_LINE_RECORD_H
#define SHMLOGGER_LINE_RECORD_H

#include <stddef.h>

#include <shmlog.h>

#include "options.h"

/* Arguments for shmlog_write_fields(); they point into the line, the options and the shaper. */
struct out_record {
	int level;
	const char *tag;
	const char *msg;
	size_t len;
	const struct shmlog_field *fields;
	size_t nfields;
};

struct line_shaper;

/* A shaper for the options O (which must outlive it), or NULL when out of memory. */
struct line_shaper *line_shaper_new(const struct options *o);
void line_shaper_free(struct line_shaper *s);

/* Shapes LINE (LEN bytes) into *R, valid until the next call. Returns 1 when it was taken as a
 * JSON object, 0 as text, -ENOMEM. */
int line_record(struct line_shaper *s, const char *line, size_t len, struct out_record *r);

/* Shapes LINE as text, whatever --parse-json says: for a JSON line whose record the ring
 * refused as too large (its fields are not cut; the message is). */
void line_record_text(struct line_shaper *s, const char *line, size_t len,
		      struct out_record *r);

#endif
