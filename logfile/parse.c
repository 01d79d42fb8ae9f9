/* parse.c - one line back into a record: picks the format by the line's first byte and resets
 * the record the format's parser fills (logfile.h). */
#include <errno.h>
#include <string.h>

#include "internal.h"

int logfile_parse(const char *line, size_t len, struct logfile_record *r)
{
	struct shmlog_record *rec = &r->rec;

	memset(rec, 0, sizeof(*rec));
	rec->fields = r->fields;
	if (len > LOGFILE_MAX_LINE)
		return -EBADMSG;
	/* Every decoded piece is at most as long as its escaped form: size the buffers once. */
	if (build_reserve(&r->msg, &r->msg_cap, len + 1) < 0 ||
	    build_reserve(&r->scratch, &r->scratch_cap, len + 8) < 0 ||
	    build_reserve(&r->tag, &r->tag_cap, SHMLOG_MAX_TAG + 4) < 0)
		return -ENOMEM;
	rec->tag = r->tag;
	rec->msg = r->msg;
	r->msg[0] = '\0';
	if (len > 0 && line[0] == '{') {
		r->format = SHMLOG_FORMAT_JSON;
		return parse_json(line, len, r);
	}
	r->format = SHMLOG_FORMAT_TEXT;
	return parse_text(line, len, r);
}
