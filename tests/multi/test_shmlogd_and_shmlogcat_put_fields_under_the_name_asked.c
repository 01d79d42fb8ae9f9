/* test_shmlogd_and_shmlogcat_put_fields_under_the_name_asked.c - with --fields-under labels,
 * shmlogd's JSON file and shmlogcat -o json hold the same line for a record, its fields under
 * "labels." as strings with flat keys; with --fields-under myapp shmlogcat keeps their types
 * under "myapp."; without the option they stay at the top level; and every line has
 * ecs.version. */
#include "shmlogd_harness.h"

#define MSG "fields-under check"

/* The line of shmlogcat ARGS RING that holds MSG, into LINE. */
static void cat_line(const char *ring, const char *args, char *line, size_t cap)
{
	char cmd[8400], buf[4096];
	int found = 0;

	snprintf(cmd, sizeof(cmd), "%s'%s' %s %s", test_wrapper_prefix(), h_program(1, "shmlogcat"),
		 args, ring);
	FILE *p = popen(cmd, "r");
	CHECK(p, "popen: %s", strerror(errno));
	while (fgets(buf, sizeof(buf), p))
		if (strstr(buf, MSG)) {
			snprintf(line, cap, "%s", buf);
			found++;
		}
	CHECK(pclose(p) == 0, "shmlogcat %s failed", args);
	CHECK(found == 1, "shmlogcat %s: %d lines with the record", args, found);
}

static void expect_in(const char *line, const char *want, const char *who)
{
	CHECK(strstr(line, want), "%s: no %s in %s", who, want, line);
}

int main(void)
{
	const char *ring = h_ring("under");
	char out[64], file_line[4096] = "", line[4096], cmd[8400];
	struct daemon d;

	h_path(out, sizeof(out), "under.jsonl");
	unlink(".under.jsonl.shmlogd-state");
	const char *args[] = {"--ring",	   ring,   "--output", out, "--format",
			      "json", "--fields-under", "labels", NULL};
	h_start_ready(&d, args, NULL);
	snprintf(cmd, sizeof(cmd), "%s'%s' -r %s -T 5000 status=200 ok=true ms=1.25 request.id=r-17 '%s'",
		 test_wrapper_prefix(), h_program(0, "shmlogger"), ring, MSG);
	CHECK(system(cmd) == 0, "shmlogger failed");
	CHECK(h_wait_lines(out, MSG, 1, 10000 * test_slow_factor()) >= 0, "shmlogd wrote no line");
	CHECK(h_stop(&d) == 0, "shmlogd did not exit 0");
	FILE *f = fopen(out, "r");
	CHECK(f && fgets(file_line, sizeof(file_line), f), "%s: no line", out);
	fclose(f);
	CHECK(json_line_valid(file_line, strlen(file_line)), "not JSON: %s", file_line);

	expect_in(file_line, "\"labels.status\":\"200\",\"labels.ok\":\"true\",\"labels.ms\":\"1.25\","
			     "\"labels.request_id\":\"r-17\"}",
		  "shmlogd --fields-under labels");
	expect_in(file_line, ",\"ecs.version\":\"1.6.0\",", "shmlogd");
	cat_line(ring, "-o json --fields-under labels", line, sizeof(line));
	CHECK(!strcmp(line, file_line), "shmlogd wrote\n%sshmlogcat printed\n%s", file_line, line);

	cat_line(ring, "-o json --fields-under myapp", line, sizeof(line));
	expect_in(line, "\"myapp.status\":200,\"myapp.ok\":true,\"myapp.ms\":1.25,"
			"\"myapp.request.id\":\"r-17\"}",
		  "shmlogcat --fields-under myapp");
	cat_line(ring, "-o json", line, sizeof(line));
	expect_in(line, "\"status\":200,\"ok\":true,\"ms\":1.25,\"request.id\":\"r-17\"}",
		  "shmlogcat -o json");
	printf("the same line from shmlogd and shmlogcat: %s", file_line);
	h_cleanup();
	return 0;
}
