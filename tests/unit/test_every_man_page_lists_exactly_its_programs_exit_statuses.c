/* test_every_man_page_lists_exactly_its_programs_exit_statuses.c - issue 17: the EXIT STATUS
 * section of shmlogd(8), shmlogcat(1) and shmlogger(1) lists exactly the statuses that
 * cli/exitcode.c's table gives that program, each with its sysexits.h name ("64 (EX_USAGE)"),
 * in the table's order: a status added to the code and not to the page, or left on the page
 * after the code stopped giving it, fails here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exitcode.h"
#include "shmlogd_harness.h"

/* One ".TP" item of the section: its status and the line that names it. */
struct item {
	int status;
	char line[1024];
};

/* Reads the items of PAGE's EXIT STATUS section into ITEMS (at most CAP); returns how many. */
static size_t read_section(const char *page, struct item *items, size_t cap)
{
	char line[1024];
	int in = 0, after_tp = 0;
	size_t n = 0;
	FILE *f = fopen(page, "r");

	CHECK(f, "cannot open %s", page);
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, ".SH", 3)) {
			if (in)
				break;
			in = strstr(line, "EXIT STATUS") != NULL;
			continue;
		}
		if (!in)
			continue;
		if (after_tp) {
			const char *p = line;
			while (*p && (*p < '0' || *p > '9'))
				p++;
			CHECK(*p && n < cap, "%s: no status after .TP: %s", page, line);
			items[n].status = atoi(p);
			snprintf(items[n].line, sizeof(items[n].line), "%s", line);
			n++;
		}
		after_tp = !strncmp(line, ".TP", 3);
	}
	fclose(f);
	CHECK(in, "%s has no EXIT STATUS section", page);
	return n;
}

static void check_page(const char *rel, unsigned program)
{
	char page[4096];
	struct item items[32];
	size_t rows, k = 0;
	const struct cli_exit *t = cli_exit_table(&rows);
	const char *src = getenv("SHMLOG_TEST_SRC_DIR");

	snprintf(page, sizeof(page), "%s/%s", src ? src : ".", rel);
	size_t n = read_section(page, items, 32);
	for (size_t i = 0; i < rows; i++) {
		if (!(t[i].programs & program))
			continue;
		CHECK(k < n, "%s: EXIT STATUS lacks %d (%s): %s", rel, t[i].status, t[i].name,
		      t[i].meaning);
		CHECK(items[k].status == t[i].status,
		      "%s: EXIT STATUS lists %d where cli/exitcode.c has %d (%s) next", rel,
		      items[k].status, t[i].status, t[i].name);
		CHECK(t[i].status == 0 || strstr(items[k].line, t[i].name),
		      "%s: status %d is not named %s: %s", rel, t[i].status, t[i].name,
		      items[k].line);
		k++;
	}
	CHECK(k == n, "%s: EXIT STATUS lists %d, which cli/exitcode.c never gives this program", rel,
	      items[k].status);
	printf("%s: the %zu statuses of cli/exitcode.c, in order\n", rel, n);
}

int main(void)
{
	check_page("shmlogd/shmlogd.8", CLI_SHMLOGD);
	check_page("shmlogcat/shmlogcat.1", CLI_SHMLOGCAT);
	check_page("shmlogger/shmlogger.1", CLI_SHMLOGGER);
	return 0;
}
