/* logfile.h - reads back the files shmlogd writes: one static library shared by shmlogcat (its
 * file sources) and, later, shmlogd's forwarder (issue 18). Private to this project; not installed.
 *
 * Design
 * ------
 * Three layers, each in its own files, each usable alone:
 *
 *   stream.c   bytes: tells plain from gzip from zstd by the first bytes (1f 8b, 28 b5 2f fd),
 *              never by the name, and decompresses through zlib and libzstd. Concatenated gzip
 *              members and zstd frames are read one after another, as gzip -d and zstd -d do.
 *   lines.c    lines: opens the file (a path the user names is theirs: symbolic links are
 *              followed; only regular files are read), splits its bytes at '\n' into lines of at
 *              most LOGFILE_MAX_LINE bytes (a longer one is cut there and flagged, the rest of it
 *              skipped) and, when following, waits on inotify for more and follows the name
 *              across shmlogd's rotation; rotated.c finds the rotated files it missed.
 *   parse*.c   records: turns one line back into a struct shmlog_record (parse.c picks the
 *              format, parse_text.c and parse_json.c read each, parse_json.c with the programs'
 *              one JSON object reader, json/json_reader.c; build.c holds the decoded bytes and
 *              encodes fields with libshmlog's own encoder).
 *
 * File contents are untrusted (anyone who could write the file could have put anything in it):
 * every length is bounded (a line by LOGFILE_MAX_LINE, a tag by SHMLOG_MAX_TAG, a key by
 * SHMLOG_MAX_KEY, the fields by 2 * SHMLOG_MAX_FIELDS), the decoders only ever grow their output
 * buffers by what a line can hold, and nothing read is printed except through shmlog_format(),
 * which escapes every control character again.
 *
 * Following across rotation: shmlogd rotates by swapping the output's name with a fresh file's
 * (renameat2 RENAME_EXCHANGE; docs/COLLECTOR.md, section 6), after which it never writes the old
 * file again. So the follower reads its descriptor to the end; when the end is reached it looks
 * at the name: a different inode there means a rotation, so it reads the old descriptor to the
 * end once more (anything written just before the swap), gives out a last line that had no
 * '\n', then reads any file rotated away while it was not looking (rotated.c), and only then the
 * new file at the name, from its start. Nothing is lost and nothing is read twice. It sleeps on
 * an inotify watch of the file's directory (which reports writes to the files in it and names
 * that come and go), so an idle follower costs no CPU.
 *
 * Errors: functions returning int return 0 (or a documented non-negative value) or -errno;
 * logfile_open returns NULL with errno set and a one-line message in its ERR argument. The library
 * never prints and never exits.
 */
#ifndef SHMLOG_LOGFILE_H
#define SHMLOG_LOGFILE_H

#include <stddef.h>
#include <stdint.h>

#include <shmlog.h>

/* A line longer than this is cut and cannot be a record: shmlogd writes at most a 16 KiB message,
 * escaped (4 bytes a byte at worst), and fields. */
#define LOGFILE_MAX_LINE (1024 * 1024)
#define LOGFILE_ERR_MAX 512

enum logfile_compression { LOGFILE_PLAIN, LOGFILE_GZIP, LOGFILE_ZSTD };

#define LOGFILE_FOLLOW 0x1u /* at the end, wait for more and follow the name across rotation */

struct logfile;

/* Opens PATH for reading (FLAGS: LOGFILE_*). A compressed file is read to its end and not
 * followed (rotated files never grow). Returns the handle, or NULL with errno set (ENOENT,
 * EACCES, EISDIR for a directory or other non-regular file, ENOMEM, ...) and a one-line message
 * naming the cause and the fix in ERR (LOGFILE_ERR_MAX bytes). */
struct logfile *logfile_open(const char *path, unsigned flags, char *err);
/* Closes the file and frees the handle. Accepts NULL. */
void logfile_close(struct logfile *lf);

enum logfile_compression logfile_compression(const struct logfile *lf);
const char *logfile_path(const struct logfile *lf);

/* What logfile_next_line() found. */
enum logfile_next {
	LOGFILE_LINE = 0,  /* *line, *len hold a line without its '\n' */
	LOGFILE_END = 1,   /* the end of the file: no more lines (not following) */
	LOGFILE_AGAIN = 2, /* following: nothing new yet; logfile_wait() then call again */
};

/* The next line, valid until the next call. *cut is set when the line was longer than
 * LOGFILE_MAX_LINE and was cut there. Returns an enum logfile_next, or -errno: -EBADMSG the
 * compressed data is damaged or cut short (logfile_error() says how; the lines before it were
 * given out), -EIO and others from read(2). */
int logfile_next_line(struct logfile *lf, const char **line, size_t *len, int *cut);

/* After LOGFILE_AGAIN: sleeps until the file or its name may have changed, or TIMEOUT_MS pass
 * (negative: no limit). Returns 0, or -errno. */
int logfile_wait(struct logfile *lf, int timeout_ms);

/* The message of the last failure on LF ("" if none). */
const char *logfile_error(const struct logfile *lf);

/* The stamp in a rotated file's name, PATH.STAMP[.gz|.zst]: the rotation's wall time in
 * microseconds, UTC, "20260121T101503.123456Z", fixed-width so that the names sort by time.
 * shmlogd names its rotated files with it (shmlogd/rotate.c); followers find them by it. */
#define LOGFILE_STAMP_LEN 23
void logfile_stamp(char out[LOGFILE_STAMP_LEN + 1], int64_t us);
/* Whether the LOGFILE_STAMP_LEN bytes at S are a stamp. */
int logfile_is_stamp(const char *s);

/* ---------------------------------------------------------------------------------------------
 * Lines to records
 * ------------------------------------------------------------------------------------------- */

/* A record parsed from a line: rec points into the buffers here, valid until the next parse
 * into the same struct. Zero it before first use; logfile_record_free() frees it. */
struct logfile_record {
	struct shmlog_record rec;
	int format; /* SHMLOG_FORMAT_TEXT or SHMLOG_FORMAT_JSON: what the line was */
	char *tag, *msg, *scratch; /* scratch: a field's string value on its way to fields */
	char *check;               /* text: the record printed again, to compare with the line */
	unsigned char *fields;
	size_t tag_cap, msg_cap, scratch_cap, check_cap, fields_cap;
};

void logfile_record_free(struct logfile_record *r);

/* Parses LINE (LEN bytes, no '\n') as shmlogd writes records: a line that begins with '{' as
 * JSON (ECS), any other as text; the format is decided line by line, so a file whose format was
 * changed half-way reads whole. Returns 0 with R->rec filled, -EBADMSG when the line is not a
 * record in that format, -ENOMEM. Printing R->rec with shmlog_format() in R->format gives LINE
 * again for every line shmlogd wrote. */
int logfile_parse(const char *line, size_t len, struct logfile_record *r);

/* Appends the string field KEY=VALUE to R->rec's fields (copying them into R's own buffer
 * first if they are elsewhere, as a ring record's are). For marking a record's source.
 * Returns 0, -EINVAL for a key of the wrong length, -ENOMEM. */
int logfile_record_add_string(struct logfile_record *r, const char *key, const char *value,
			      size_t value_len);

#endif
