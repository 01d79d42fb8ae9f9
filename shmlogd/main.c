/* main.c - shmlogd, the collector: parses the command line, then runs the collector (collector.h). */
#include <stdio.h>
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
	/* The options are checked, but the forwarding thread is the next stage of the work
	 * (docs/FORWARDING.md §10): a central log that silently receives nothing is worse than a
	 * collector that will not start. */
	if (opt.forward.nurls) {
		fprintf(stderr, "shmlogd: --forward is checked but not carried out by this version "
				"(docs/FORWARDING.md): leave --forward out for now\n");
		return EX_CONFIG;
	}
	return collector_run(&opt);
}
