/* main.c - shmlogd, the collector: parses the command line, then runs the collector (collector.h). */
#include <errno.h>
#include <sysexits.h>

#include "collector.h"
#include "options.h"
#include "program.h"

/* Another collector holding the ring (EBUSY, ETIMEDOUT) is worth a retry; a ring of another
 * layout version is as unusable as a damaged one. */
static const struct tool_exit shmlogd_exceptions[] = {
	{EBUSY, EX_TEMPFAIL}, {ETIMEDOUT, EX_TEMPFAIL}, {EPROTONOSUPPORT, EX_DATAERR}, {0, 0}};
const struct program this_program = {"shmlogd", {shmlogd_exceptions, EX_OSERR}, 0};

int main(int argc, char **argv)
{
	struct options opt;
	int r = options_parse(&opt, argc, argv);

	if (r)
		return r > 0 ? 0 : EX_USAGE;
	return collector_run(&opt);
}
