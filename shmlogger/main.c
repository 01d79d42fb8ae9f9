/* main.c - shmlogger: logger(1) for shmlog rings. Logs its arguments, or each line of its
 * standard input, as records with typed fields (levels and JSON objects in the lines understood,
 * line_record.c), then waits for the collector to write them out.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "line_record.h"
#include "lines.h"
#include "options.h"
#include "program.h"

struct tally {
	unsigned long long written, dropped;
};

const struct program this_program = {PROGRAM_NAME, CLI_SHMLOGGER};

static int out_of_memory(void)
{
	fprintf(stderr, PROGRAM_NAME ": out of memory\n");
	return EX_OSERR;
}

/* Writes the record of LINE; a full ring is counted, any other failure ends the run. A JSON
 * line whose fields the ring's records cannot hold goes in as text, so that it is not lost. */
static int log_line(struct shmlog *log, struct line_shaper *s, const char *line, size_t len,
		    struct tally *t)
{
	struct out_record r;
	int is_json = line_record(s, line, len, &r), rc;

	if (is_json < 0)
		return out_of_memory();
	rc = shmlog_write_fields(log, r.level, r.tag, r.msg, r.len, r.fields, r.nfields);
	if (rc == -EMSGSIZE && is_json) {
		line_record_text(s, line, len, &r);
		rc = shmlog_write_fields(log, r.level, r.tag, r.msg, r.len, r.fields, r.nfields);
	}
	if (rc == -ENOBUFS) {
		t->dropped++;
		return 0;
	}
	if (rc < 0)
		return ring_error(-rc);
	t->written++;
	return 0;
}

/* The MESSAGE arguments, joined by spaces, as one line. */
static int log_arguments(struct shmlog *log, const struct options *o, struct line_shaper *s,
			 struct tally *t)
{
	size_t len = 0, at = 0;
	char *msg;
	int rc;

	for (int i = 0; i < o->nwords; i++)
		len += strlen(o->words[i]) + 1;
	if (!(msg = malloc(len)))
		return out_of_memory();
	for (int i = 0; i < o->nwords; i++) {
		size_t n = strlen(o->words[i]);

		memcpy(msg + at, o->words[i], n);
		at += n;
		msg[at++] = ' ';
	}
	rc = log_line(log, s, msg, at ? at - 1 : 0, t);
	free(msg);
	return rc;
}

static int log_lines(struct shmlog *log, const struct options *o, struct line_shaper *s,
		     struct tally *t)
{
	struct line_reader *lr = line_reader_new(STDIN_FILENO);
	const char *line;
	size_t len;
	int rc = 0, n;

	if (!lr)
		return out_of_memory();
	while (rc == 0 && (n = line_next(lr, &line, &len)) > 0)
		if (len || !o->skip_empty)
			rc = log_line(log, s, line, len, t);
	if (rc == 0 && n < 0) {
		fprintf(stderr, PROGRAM_NAME ": cannot read standard input: %s\n", strerror(-n));
		rc = n == -ENOMEM ? EX_OSERR : EX_IOERR;
	}
	line_reader_free(lr);
	return rc;
}

/* Waits for the collector. Records it has not written yet are still safe in the ring, so a
 * timeout is a warning, not a failure; dropped records are. */
static int finish(struct shmlog *log, const struct options *o, const struct tally *t)
{
	if (o->flush_timeout_ms != 0 && t->written &&
	    shmlog_flush(log, o->flush_timeout_ms) < 0 && !o->quiet)
		fprintf(stderr,
			PROGRAM_NAME ": warning: %s (the records stay in the ring until a collector "
				     "drains it)\n",
			shmlog_errmsg());
	if (t->dropped) {
		fprintf(stderr,
			PROGRAM_NAME ": ring '%s' was full: %llu of %llu records dropped; is shmlogd "
				     "running for it?\n",
			o->ring, t->dropped, t->dropped + t->written);
		return EX_TEMPFAIL;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct shmlog_options lo;
	struct options o;
	struct tally t = {0};
	struct shmlog *log;
	struct line_shaper *shaper;
	int status = options_parse(&o, argc, argv);

	if (status != OPTIONS_RUN)
		return status;
	shmlog_options_init(&lo);
	if (o.no_create)
		lo.flags |= SHMLOG_OPEN_NOCREATE;
	lo.mode = o.mode;
	if (o.allow_owner_given) {
		lo.allow_foreign_owner = SHMLOG_OWNER_UID;
		lo.foreign_owner_uid = (uint32_t)o.allow_owner;
	}
	if (!(shaper = line_shaper_new(&o)))
		return out_of_memory();
	if (!(log = shmlog_open(o.ring, &lo))) {
		line_shaper_free(shaper);
		return ring_error(errno);
	}
	status = o.words ? log_arguments(log, &o, shaper, &t) : log_lines(log, &o, shaper, &t);
	if (status == 0)
		status = finish(log, &o, &t);
	shmlog_close(log);
	line_shaper_free(shaper);
	return status;
}
