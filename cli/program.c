/* program.c - a failed library call, in the one wording of every program (see program.h). */
#include <stdio.h>

#include "program.h"
#include "shmlog.h"

int ring_error(int err)
{
	fprintf(stderr, "%s: %s\n", this_program.name, shmlog_errmsg());
	return cli_exit_status(err);
}
