/* text_line.c - see text_line.h. */
#include "text_line.h"

#include <stdlib.h>
#include <string.h>

static const char *skip_spaces(const char *p, const char *end)
{
	while (p < end && *p == ' ')
		p++;
	return p;
}

int text_line_split(const char *s, size_t len, struct text_line *out)
{
	const char *end = s + len, *p = memchr(s, ' ', len); /* after the time */

	if (!p)
		return -1;
	p = skip_spaces(p, end);
	while (p < end && *p != ' ')
		p++; /* the level, padded with spaces */
	p = skip_spaces(p, end);
	out->tag = p;
	while (p < end && *p != '[')
		p++;
	if (p >= end)
		return -1;
	out->tag_len = (size_t)(p - out->tag);
	out->pid = strtol(p + 1, NULL, 10);
	p = memchr(p, ']', (size_t)(end - p));
	if (!p || p + 1 >= end || p[1] != ' ')
		return -1;
	out->msg = p + 2;
	out->msg_len = (size_t)(end - out->msg);
	return 0;
}
