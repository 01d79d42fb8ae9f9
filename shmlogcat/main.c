/* main.c - shmlogcat: looks inside a live shmlog ring (dump, follow, filter, stats, list, set
 * the runtime level) without disturbing its writers or its collector. */
#include <errno.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <sysexits.h>

#include "program.h"
#include "shmlogcat.h"

const struct program this_program = {PROGRAM_NAME, CLI_SHMLOGCAT};

static int run_set_level(const struct options *o)
{
	int rc = shmlog_ring_set_level(o->ring, o->level);

	return rc < 0 ? ring_error(-rc) : 0;
}

static int run(const struct options *o)
{
	switch (o->mode) {
	case MODE_STATS:
		return run_stats(o);
	case MODE_LIST:
		return run_list(o);
	case MODE_SET_LEVEL:
		return run_set_level(o);
	default:
		/* One ring alone keeps the ring reader; files, several sources, --merge: sources.c. */
		if (o->nsources == 1 && !o->sources[0].is_file && !o->merge)
			return run_read(o);
		return run_sources(o);
	}
}

int main(int argc, char **argv)
{
	struct options opts;
	int status;

	/* -g patterns follow the user's locale: UTF-8 letters are in [[:alpha:]]. */
	setlocale(LC_CTYPE, "");
	/* A reader that goes away (`shmlogcat -f app | head`) shows as EPIPE from write, and every
	 * mode then exits quietly with status 0. */
	signal(SIGPIPE, SIG_IGN);
	status = options_parse(&opts, argc, argv);
	if (status == OPTIONS_RUN)
		status = run(&opts);
	options_free(&opts);
	return status;
}
