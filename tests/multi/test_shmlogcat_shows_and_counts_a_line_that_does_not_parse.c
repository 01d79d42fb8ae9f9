/* test_shmlogcat_shows_and_counts_a_line_that_does_not_parse.c - a file with lines that are not
 * records (a stray message, a terminal escape, a cut JSON object) between records: in text they
 * are shown as they are, escaped, in their place, and one line on stderr counts them and names
 * the file; the exit status is 0. -o json leaves them out (JSON output stays records) and says
 * so; a filter other than -g hides them, -g applies to the whole line. */
#include "test_shmlogcat_files_helpers.h"

static const char good1[] = "2026-11-21T10:15:03.123456Z INFO  web[10/11] first k=1\n";
static const char good2[] = "{\"@timestamp\":\"2026-11-21T10:15:04.000000Z\",\"log.level\":\"error\","
			    "\"log.logger\":\"web\",\"message\":\"second\",\"process.pid\":10,"
			    "\"process.thread.id\":11,\"event.sequence\":7}\n";

int main(void)
{
	char text[2048];
	struct cat_run r;

	snprintf(text, sizeof(text), "%snot a record \x1b[31mred\n%s{\"@timestamp\":\"cut\n", good1, good2);
	write_file("mixed.log", text);

	CAT_RUN(&r, "./mixed.log");
	CHECK(r.status == 0, "status %d", r.status);
	CHECK(!strcmp(r.out, "2026-11-21T10:15:03.123456Z INFO  web[10/11] first k=1\n"
			     "not a record \\x1b[31mred\n"
			     "2026-11-21T10:15:04.000000Z ERROR web[10/11] second\n"
			     "{\"@timestamp\":\"cut\n"),
	      "text output:\n%s", r.out);
	CHECK(count_char(r.err, '\n') == 1 && strstr(r.err, "2 lines of './mixed.log' did not parse"),
	      "stderr: '%s'", r.err);
	cat_free(&r);

	CAT_RUN(&r, "-o", "json", "./mixed.log");
	CHECK(r.status == 0 && count_char(r.out, '\n') == 2 && strstr(r.out, "\"message\":\"second\"") &&
		      !strstr(r.out, "not a record"),
	      "-o json: status %d, output:\n%s", r.status, r.out);
	CHECK(count_char(r.err, '\n') == 1 && strstr(r.err, "left out of the JSON output"),
	      "-o json stderr: '%s'", r.err);
	cat_free(&r);

	CAT_RUN(&r, "-l", "info", "./mixed.log");
	CHECK(r.status == 0 && count_char(r.out, '\n') == 2 && !strstr(r.out, "not a record"),
	      "-l info shows: %s", r.out);
	cat_free(&r);
	CAT_RUN(&r, "-g", "red|second", "./mixed.log");
	CHECK(r.status == 0 && count_char(r.out, '\n') == 2 && strstr(r.out, "not a record") &&
		      strstr(r.out, " second\n"),
	      "-g shows: %s", r.out);
	cat_free(&r);
	printf("unparsable lines shown in place, escaped, counted on one line; left out of JSON\n");
	h_cleanup();
	return 0;
}
