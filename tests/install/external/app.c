/* app.c - a program outside the shmlog tree: logs one record to ring ARGV[1] through the
 * installed libshmlog, saying how it was built (ARGV[2]). Compiled as strict C99 with every
 * warning an error, to show that shmlog.h asks nothing special of its users. */
#include <shmlog.h>
#include <stdio.h>
#include <string.h>

#define STR_(x) #x
#define STR(x) STR_(x)

int main(int argc, char **argv)
{
	const char *header_version =
		STR(SHMLOG_VERSION_MAJOR) "." STR(SHMLOG_VERSION_MINOR) "." STR(SHMLOG_VERSION_PATCH);
	struct shmlog_field field = SHMLOG_STR("built_with", argc > 2 ? argv[2] : "");
	struct shmlog *log;
	int rc;

	if (argc != 3) {
		fprintf(stderr, "usage: app RING HOW\n");
		return 64;
	}
	if (strcmp(shmlog_version(), header_version) != 0) {
		fprintf(stderr, "app: library %s, header %s\n", shmlog_version(), header_version);
		return 1;
	}
	log = shmlog_open(argv[1], NULL);
	if (!log) {
		fprintf(stderr, "app: %s\n", shmlog_errmsg());
		return 1;
	}
	rc = shmlog_log_fields(log, SHMLOG_INFO, "external", &field, 1, "hello from %s", argv[2]);
	if (rc < 0)
		fprintf(stderr, "app: %s\n", shmlog_errmsg());
	shmlog_close(log);
	return rc < 0;
}
