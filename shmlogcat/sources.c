/* sources.c - reads records from several places at once: rings, and files shmlogd wrote (text or
 * JSON, plain, gzip or zstd, read through logfile/), with the same filters and printer as one ring.
 *
 * One reader model for both: a source gives out its records one at a time as its "head"; a file's
 * line that is not a record is a head too ("raw"), shown as it is (escaped, as the message alone;
 * left out of -o json, which must stay records) and counted.
 *
 * The history (what every source holds when we start: a ring's records before its head, a file's
 * lines up to its end) is a k-way merge: the head with the earliest time goes first, a tie to the
 * source named first, and each source keeps its own order. -n keeps the last N of the merged
 * history. A dump ends there. -f then starts one thread per source, each of which sleeps the way
 * its source allows (a ring's futex, a file's inotify watch) and prints what comes under one lock,
 * in the order it comes; the buffer is written out whenever a source has nothing more for now.
 *
 * With several sources, every line says where it came from: a field shmlog.source=NAME (the ring
 * name, or the file as named) after the record's own, in text and JSON alike, so merged output
 * reads back as a file with the same filters; -o cat, which shows messages only, puts "NAME: "
 * before the message.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "logfile.h"
#include "print.h"
#include "program.h"
#include "shmlogcat.h"

#define SOURCE_FIELD "shmlog.source"

enum head { HEAD_NONE, HEAD_RECORD, HEAD_RAW };

struct run;

struct source {
	struct run *run;
	const char *label;
	struct shmlog_observer *obs;  /* a ring, or */
	struct logfile *lf;           /* a file */
	uint64_t end_seq;             /* ring: its history is the records before this one */
	struct logfile_record line;   /* file: the parsed line */
	struct logfile_record marked; /* the head with its source's field added */
	char *cat;                    /* -o cat: "NAME: message" */
	size_t cat_cap;
	char *raw;                    /* a line that is not a record, NUL-terminated for -g */
	size_t raw_cap;
	struct shmlog_record rec;     /* the head (HEAD_RAW: the line as its message) */
	enum head head;
	int ended;                    /* its history is over */
	int failed;                   /* reported; read no more of it */
	int finished;                 /* a file that does not grow (compressed) was read whole */
	int running;                  /* its follower thread was started */
	unsigned long long unparsed;
	pthread_t thread;
};

struct run {
	const struct options *o;
	struct source *src;
	size_t n;
	struct printer out;
	int marking;    /* several sources: mark each line with its own */
	int in_history;
	int threaded;   /* following: the printer is shared under lock */
	pthread_mutex_t lock;
	int status;     /* the first failure's exit status */
};

static void fail_status(struct run *r, int status)
{
	if (!r->status)
		r->status = status;
}

/* The exit status for a file that could not be read (the same statuses as for a ring). */
static int file_status(int err)
{
	switch (err) {
	case ENOENT:
	case EISDIR:
		return EX_NOINPUT;
	case EACCES:
	case EPERM:
		return EX_NOPERM;
	case EBADMSG:
		return EX_DATAERR;
	case ENOMEM:
		return EX_OSERR;
	default:
		return EX_IOERR;
	}
}

static int source_open(struct run *r, struct source *s, const struct source_name *name)
{
	const struct options *o = r->o;
	char err[LOGFILE_ERR_MAX];
	struct shmlog_stats st;

	s->run = r;
	s->label = name->name;
	if (name->is_file) {
		if (!(s->lf = logfile_open(name->name, o->follow ? LOGFILE_FOLLOW : 0, err))) {
			fprintf(stderr, PROGRAM_NAME ": %s\n", err);
			return file_status(errno);
		}
		return 0;
	}
	/* -n 0 -f: no history at all, so start after the newest record. */
	s->obs = shmlog_observer_open(name->name, o->follow && o->lines == 0 ? SHMLOG_OBSERVE_NEWEST
									    : SHMLOG_OBSERVE_OLDEST);
	if (!s->obs)
		return ring_error(errno);
	s->end_seq = shmlog_observer_stats(s->obs, &st, NULL, 0) == 0 ? st.head_seq : UINT64_MAX;
	return 0;
}

static void source_close(struct source *s)
{
	shmlog_observer_close(s->obs);
	logfile_close(s->lf);
	logfile_record_free(&s->line);
	logfile_record_free(&s->marked);
	free(s->cat);
	free(s->raw);
}

/* Says on stderr that a ring lost or skipped records, in order with the output. */
static int note_gap(struct source *s, int event)
{
	struct run *r = s->run;
	int rc;

	if (r->threaded)
		pthread_mutex_lock(&r->lock);
	rc = report_gap(&r->out, r->marking ? s->label : NULL, event, s->rec.count);
	if (r->threaded)
		pthread_mutex_unlock(&r->lock);
	return rc;
}

/* A ring's next record as the head. Returns 1, 0 when it has none for now (or its history is
 * over), -1 on failure. WAIT: sleep until it has one. */
static int ring_next(struct source *s, int wait)
{
	struct run *r = s->run;

	for (;;) {
		int ev = shmlog_observer_next(s->obs, &s->rec, wait ? -1 : 0);

		if (ev < 0) {
			fprintf(stderr, PROGRAM_NAME ": reading ring '%s' failed: %s\n", s->label,
				strerror(-ev));
			fail_status(r, EX_SOFTWARE);
			return -1;
		}
		if (ev == SHMLOG_NEXT_EMPTY)
			return 0;
		if (ev != SHMLOG_NEXT_RECORD) {
			if (note_gap(s, ev) < 0)
				return -1;
			continue;
		}
		s->head = HEAD_RECORD;
		/* Past the history: kept as the head for -f to print first. */
		if (r->in_history && s->rec.seq >= s->end_seq)
			return 0;
		return 1;
	}
}

/* The line a file source gave out as its head: a record, or raw. Returns 0, or -1 when memory
 * ran out. */
static int take_line(struct source *s, const char *line, size_t len, int cut)
{
	int rc = cut ? -EBADMSG : logfile_parse(line, len, &s->line);

	if (rc == 0) {
		s->rec = s->line.rec;
		s->head = HEAD_RECORD;
		return 0;
	}
	if (rc != -ENOMEM && len + 1 > s->raw_cap) {
		char *grown = realloc(s->raw, len + 1);
		rc = grown ? 0 : -ENOMEM;
		if (grown) {
			s->raw = grown;
			s->raw_cap = len + 1;
		}
	}
	if (rc == -ENOMEM) {
		fputs(PROGRAM_NAME ": out of memory\n", stderr);
		fail_status(s->run, EX_OSERR);
		return -1;
	}
	/* regexec(REG_STARTEND) needs no NUL, but some (ASan's) read up to one. */
	memcpy(s->raw, line, len);
	s->raw[len] = '\0';
	memset(&s->rec, 0, sizeof(s->rec));
	s->rec.msg = s->raw;
	s->rec.msg_len = s->rec.msg_full_len = len;
	s->head = HEAD_RAW;
	s->unparsed++;
	return 0;
}

/* A file's next line as the head; returns as ring_next. */
static int file_next(struct source *s, int wait)
{
	const char *line;
	size_t len;
	int cut;

	for (;;) {
		int rc = logfile_next_line(s->lf, &line, &len, &cut);

		if (rc == LOGFILE_LINE)
			return take_line(s, line, len, cut) < 0 ? -1 : 1;
		s->finished = rc == LOGFILE_END;
		if (rc == LOGFILE_END || (rc == LOGFILE_AGAIN && !wait))
			return 0;
		if (rc == LOGFILE_AGAIN)
			rc = logfile_wait(s->lf, -1);
		if (rc < 0) {
			fprintf(stderr, PROGRAM_NAME ": reading '%s' failed: %s\n", s->label,
				*logfile_error(s->lf) ? logfile_error(s->lf) : strerror(-rc));
			fail_status(s->run, file_status(-rc));
			return -1;
		}
	}
}

/* Makes the source's next record (or raw line) its head. Returns as ring_next; marks the
 * source ended at the end of its history, failed on failure. */
static int source_next(struct source *s, int wait)
{
	int rc;

	s->head = HEAD_NONE;
	if (s->failed)
		return -1;
	rc = s->lf ? file_next(s, wait) : ring_next(s, wait);
	if (rc < 0)
		s->failed = 1;
	else if (rc == 0 && s->run->in_history)
		s->ended = 1;
	return rc;
}

/* -o cat: the message with "NAME: " before it. */
static const struct shmlog_record *mark_message(struct source *s, const struct shmlog_record *rec)
{
	size_t ln = strlen(s->label), need = ln + 2 + rec->msg_len;

	if (need > s->cat_cap) {
		char *grown = realloc(s->cat, need);
		if (!grown)
			return NULL;
		s->cat = grown;
		s->cat_cap = need;
	}
	memcpy(s->cat, s->label, ln);
	memcpy(s->cat + ln, ": ", 2);
	if (rec->msg_len)
		memcpy(s->cat + ln + 2, rec->msg, rec->msg_len);
	s->marked.rec = *rec;
	s->marked.rec.msg = s->cat;
	s->marked.rec.msg_len = need;
	s->marked.rec.msg_full_len = rec->msg_full_len + ln + 2;
	return &s->marked.rec;
}

/* REC with the source's mark (see the opening comment), or NULL when memory ran out. */
static const struct shmlog_record *mark(struct source *s, const struct shmlog_record *rec,
					int format)
{
	if (format == SHMLOG_FORMAT_CAT)
		return mark_message(s, rec);
	s->marked.rec = *rec;
	if (logfile_record_add_string(&s->marked, SOURCE_FIELD, s->label, strlen(s->label)) < 0)
		return NULL;
	return &s->marked.rec;
}

/* Prints REC as FORMAT; history goes through print_hold, which keeps it back for -n and -r. */
static int put(struct run *r, const struct shmlog_record *rec, int format)
{
	struct printer *out = &r->out;
	int keep_format = out->format, rc;
	unsigned keep_flags = out->flags;

	/* A raw line is shown as the message alone: escaped, uncoloured. */
	if (format != out->format) {
		out->format = format;
		out->flags = 0;
	}
	rc = r->in_history ? print_hold(out, rec) : print_record(out, rec);
	out->format = keep_format;
	out->flags = keep_flags;
	return rc;
}

/* Prints the source's head if the filters let it through. Returns 0, or -1 when output failed. */
static int emit(struct run *r, struct source *s)
{
	const struct shmlog_record *rec = &s->rec;
	int format = r->out.format;

	if (s->head == HEAD_RAW) {
		if (format == SHMLOG_FORMAT_JSON)
			return 0; /* counted; JSON output stays records */
		format = SHMLOG_FORMAT_CAT;
	}
	/* A raw line has no level, time, pid, tag or fields: only a filter of -g alone passes it. */
	if (!filter_match(&r->o->filter, rec))
		return 0;
	if (r->marking && !(rec = mark(s, rec, format))) {
		fputs(PROGRAM_NAME ": out of memory\n", stderr);
		r->out.status = EX_OSERR;
		return -1;
	}
	return put(r, rec, format);
}

/* The history of every source, merged by time (see the opening comment). */
static int merge_history(struct run *r)
{
	for (size_t i = 0; i < r->n; i++)
		source_next(&r->src[i], 0);
	for (;;) {
		struct source *best = NULL;

		for (size_t i = 0; i < r->n; i++) {
			struct source *s = &r->src[i];
			if (s->failed || s->ended || s->head == HEAD_NONE)
				continue;
			if (s->head == HEAD_RAW) {
				best = s; /* it has no time: it goes where its file has it */
				break;
			}
			if (!best || s->rec.time_ns < best->rec.time_ns)
				best = s;
		}
		if (!best)
			break;
		if (emit(r, best) < 0)
			return -1;
		source_next(best, 0);
	}
	r->in_history = 0;
	return print_release(&r->out) < 0 || print_flush(&r->out) < 0 ? -1 : 0;
}

/* Follows one source (its thread): prints its head, then each record as it comes. */
static void *follow_source(void *arg)
{
	struct source *s = arg;
	struct run *r = s->run;

	for (;;) {
		int rc = 0;

		if (s->head != HEAD_NONE) {
			pthread_mutex_lock(&r->lock);
			rc = emit(r, s);
			if (rc < 0)
				_exit(r->out.status); /* the reader went away (0), or output failed */
			pthread_mutex_unlock(&r->lock);
		}
		if ((rc = source_next(s, 0)) == 0 && s->finished)
			return NULL;
		if (rc == 0) {
			pthread_mutex_lock(&r->lock);
			if (print_flush(&r->out) < 0)
				_exit(r->out.status);
			pthread_mutex_unlock(&r->lock);
			rc = source_next(s, 1);
		}
		if (rc < 0)
			return NULL;
	}
}

static void follow(struct run *r)
{
	r->threaded = 1;
	follow_nicely(r->o);
	start_watching_stdout();
	for (size_t i = 0; i < r->n; i++) {
		struct source *s = &r->src[i];
		if (s->failed)
			continue;
		if (pthread_create(&s->thread, NULL, follow_source, s) != 0) {
			fprintf(stderr, PROGRAM_NAME ": cannot follow '%s': %s\n", s->label,
				strerror(errno));
			fail_status(r, EX_OSERR);
			continue;
		}
		s->running = 1;
	}
	for (size_t i = 0; i < r->n; i++)
		if (r->src[i].running)
			pthread_join(r->src[i].thread, NULL);
}

/* One line per file with lines that were not records. */
static void report_unparsed(const struct run *r)
{
	for (size_t i = 0; i < r->n; i++) {
		const struct source *s = &r->src[i];
		if (s->unparsed)
			fprintf(stderr, PROGRAM_NAME ": %llu line%s of '%s' did not parse as records "
					"(%s)\n",
				s->unparsed, s->unparsed == 1 ? "" : "s", s->label,
				r->out.format == SHMLOG_FORMAT_JSON ? "left out of the JSON output"
								    : "shown as they are");
	}
}

int run_sources(const struct options *o)
{
	struct run r = {.o = o, .n = o->nsources, .in_history = 1};
	int status = 0;

	pthread_mutex_init(&r.lock, NULL);
	r.marking = o->nsources > 1;
	if (!(r.src = calloc(o->nsources, sizeof(*r.src))) ||
	    print_init(&r.out, o) < 0) {
		free(r.src);
		fputs(PROGRAM_NAME ": out of memory\n", stderr);
		return EX_OSERR;
	}
	for (size_t i = 0; i < r.n && !status; i++)
		status = source_open(&r, &r.src[i], &o->sources[i]);
	if (!status && merge_history(&r) < 0)
		status = r.out.status;
	else if (!status && o->follow)
		follow(&r);
	if (!status)
		report_unparsed(&r);
	if (!status)
		status = r.status;
	for (size_t i = 0; i < r.n; i++)
		source_close(&r.src[i]);
	print_free(&r.out);
	pthread_mutex_destroy(&r.lock);
	free(r.src);
	return status;
}
