/* fields.c - typing shmlogger's KEY=VALUE arguments (see fields.h for the rules).
 *
 * The value's type follows JSON's own number syntax, so that what a shell script writes as
 * status=200 or took=0.25 reaches the JSON output as a number, while identifiers that merely
 * look numeric to strtol ("007", "0x1f", " 5") stay strings. KEY:=VALUE is the escape hatch.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fields.h"

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool key_char(char c, bool first)
{
	if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_')
		return true;
	return !first && (is_digit(c) || c == '.' || c == '-');
}

/* Skips -?(0|[1-9][0-9]*) at *p; false if there is none. */
static bool skip_json_int(const char **p)
{
	const char *s = *p;

	if (*s == '-')
		s++;
	if (*s == '0')
		s++;
	else if (is_digit(*s))
		while (is_digit(*s))
			s++;
	else
		return false;
	*p = s;
	return true;
}

/* Skips digits at *p; false if there is not at least one. */
static bool skip_digits(const char **p)
{
	const char *s = *p;

	while (is_digit(*s))
		s++;
	if (s == *p)
		return false;
	*p = s;
	return true;
}

/* Whether V is a JSON number; *integral says it has neither fraction nor exponent. */
static bool json_number(const char *v, bool *integral)
{
	const char *p = v;

	if (!skip_json_int(&p))
		return false;
	*integral = true;
	if (*p == '.') {
		p++;
		if (!skip_digits(&p))
			return false;
		*integral = false;
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!skip_digits(&p))
			return false;
		*integral = false;
	}
	return *p == '\0';
}

void field_type_value(const char *v, struct shmlog_field *f)
{
	bool integral;

	if (strcmp(v, "true") == 0 || strcmp(v, "false") == 0) {
		f->type = SHMLOG_FIELD_BOOL;
		f->v.b = v[0] == 't';
		return;
	}
	if (json_number(v, &integral)) {
		errno = 0;
		if (integral) {
			long long i = strtoll(v, NULL, 10);

			if (errno == 0) {
				f->type = SHMLOG_FIELD_INT;
				f->v.i = i;
				return;
			}
			errno = 0;
		}
		double d = strtod(v, NULL);

		if (errno == 0 && isfinite(d)) {
			f->type = SHMLOG_FIELD_FLOAT;
			f->v.f = d;
			return;
		}
	}
	f->type = SHMLOG_FIELD_STRING;
	f->v.s.ptr = v;
	f->v.s.len = strlen(v);
}

int field_parse(const char *arg, struct shmlog_field *f)
{
	size_t n = 0;

	while (key_char(arg[n], n == 0))
		n++;
	if (n == 0 || n > SHMLOG_MAX_KEY)
		return 0;
	memset(f, 0, sizeof(*f));
	f->key = arg;
	f->key_len = n;
	if (arg[n] == ':' && arg[n + 1] == '=') {
		f->type = SHMLOG_FIELD_STRING;
		f->v.s.ptr = arg + n + 2;
		f->v.s.len = strlen(f->v.s.ptr);
		return 1;
	}
	if (arg[n] != '=')
		return 0;
	field_type_value(arg + n + 1, f);
	return 1;
}
