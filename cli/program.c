/* program.c - a program's usage errors and failed library calls, in one wording (see program.h). */
#include <stdarg.h>
#include <stdio.h>
#include <sysexits.h>

#include "program.h"

int usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", this_program.name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (this_program.help_hint_on_next_line)
		fprintf(stderr, "\nTry '%s --help' for more information.\n", this_program.name);
	else
		fprintf(stderr, "; see %s --help\n", this_program.name);
	return EX_USAGE;
}

int ring_error(int err)
{
	return tool_ring_error(this_program.name, err, &this_program.exits);
}
