/* fuzz_logfile - a log file's contents are untrusted (logfile/logfile.h): any bytes, read as a
 * file shmlogd wrote, are split into lines and parsed without a crash, a hang or a read outside
 * them; and each line that parses as a record prints (shmlog_format, in the format it was read
 * from) as a line that parses again into a record printing the very same line: a reading, once
 * printed, is stable. Files compressed with gzip or zstd (seeds) go through the decoders too.
 *
 * Input: the file's bytes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz_util.h"
#include "logfile.h"

static char *print(const struct shmlog_record *rec, int fmt, size_t *len)
{
	ssize_t need = shmlog_format(rec, fmt, SHMLOG_FMT_NO_NEWLINE, NULL, 0);
	char *buf;

	FZ_CHECK(need >= 0, "shmlog_format returned %zd", need);
	buf = malloc((size_t)need + 1);
	FZ_CHECK(buf != NULL, "out of memory");
	FZ_CHECK(shmlog_format(rec, fmt, SHMLOG_FMT_NO_NEWLINE, buf, (size_t)need + 1) == need,
		 "length changed");
	*len = (size_t)need;
	return buf;
}

static void check_line(const char *line, size_t len, struct logfile_record *a,
		       struct logfile_record *b)
{
	size_t n1, n2;

	if (logfile_parse(line, len, a) != 0)
		return;
	char *p1 = print(&a->rec, a->format, &n1);
	FZ_CHECK(logfile_parse(p1, n1, b) == 0, "a printed record does not parse: %.*s", (int)n1, p1);
	FZ_CHECK(b->format == a->format, "format changed");
	char *p2 = print(&b->rec, b->format, &n2);
	FZ_CHECK(n1 == n2 && !memcmp(p1, p2, n1), "printed again differently:\n%.*s\n%.*s", (int)n1,
		 p1, (int)n2, p2);
	free(p1);
	free(p2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct logfile_record a = {0}, b = {0};
	char path[64], err[LOGFILE_ERR_MAX];
	const char *line;
	size_t len;
	int fd = memfd_create("fuzz_logfile", MFD_CLOEXEC), cut, rc;

	FZ_CHECK(fd >= 0, "memfd_create failed");
	FZ_CHECK(size == 0 || write(fd, data, size) == (ssize_t)size, "write failed");
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	struct logfile *lf = logfile_open(path, 0, err);
	FZ_CHECK(lf != NULL, "logfile_open: %s", err);
	while ((rc = logfile_next_line(lf, &line, &len, &cut)) == LOGFILE_LINE) {
		FZ_CHECK(len <= LOGFILE_MAX_LINE, "a line of %zu bytes", len);
		if (!cut)
			check_line(line, len, &a, &b);
	}
	FZ_CHECK(rc == LOGFILE_END || rc == -EBADMSG, "logfile_next_line returned %d", rc);
	logfile_close(lf);
	close(fd);
	logfile_record_free(&a);
	logfile_record_free(&b);
	return 0;
}
