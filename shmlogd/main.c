/* main.c - shmlogd, the collector: parses the command line, then runs the collector (collector.h). */
#include <sysexits.h>

#include "collector.h"
#include "options.h"
#include "program.h"

const struct program this_program = {"shmlogd", CLI_SHMLOGD};

int main(int argc, char **argv)
{
	struct options opt;
	int r = options_parse(&opt, argc, argv);

	if (r)
		return r > 0 ? 0 : EX_USAGE;
	return collector_run(&opt);
}
