/* json_pretty.c - indents a JSON line for -o json-pretty.
 *
 * There is one formatter of records as JSON, the library's (shmlog_format): it owns the keys,
 * their order, the escaping and the UTF-8 repair, and whatever it adds later (ECS keys, a prefix
 * for fields) must show here too. So -o json-pretty is not a second formatter of records but a
 * reindenter of that formatter's lines: it only moves whitespace between tokens. It tracks
 * strings (and backslash escapes inside them) so that a ':', ',' or bracket inside a value is
 * never taken for structure. */
#include "json_pretty.h"

#define INDENT "  "

/* Where the text goes: BUF while it fits (one byte kept for the NUL), counted regardless. */
struct sink {
	char *buf;
	size_t cap, len;
};

static void put(struct sink *o, char c)
{
	if (o->len + 1 < o->cap)
		o->buf[o->len] = c;
	o->len++;
}

static void newline(struct sink *o, int depth)
{
	put(o, '\n');
	for (int i = 0; i < depth; i++)
		for (const char *s = INDENT; *s; s++)
			put(o, *s);
}

/* Copies the string starting at JSON[i] (its opening quote) and returns the index after it. */
static size_t copy_string(struct sink *o, const char *json, size_t len, size_t i)
{
	put(o, json[i++]);
	while (i < len) {
		char c = json[i++];

		put(o, c);
		if (c == '\\' && i < len)
			put(o, json[i++]);
		else if (c == '"')
			break;
	}
	return i;
}

/* The index of the first byte at or after I that is not JSON whitespace. */
static size_t skip_space(const char *json, size_t len, size_t i)
{
	while (i < len && (json[i] == ' ' || json[i] == '\t' || json[i] == '\n' || json[i] == '\r'))
		i++;
	return i;
}

size_t json_pretty(const char *json, size_t len, char *buf, size_t cap)
{
	struct sink o = {buf, cap, 0};
	int depth = 0;
	size_t i = skip_space(json, len, 0);

	while (i < len) {
		char c = json[i];
		size_t next;

		if (c == '"') {
			i = copy_string(&o, json, len, i);
			continue;
		}
		next = skip_space(json, len, i + 1);
		if ((c == '{' || c == '[') && next < len && (json[next] == '}' || json[next] == ']')) {
			put(&o, c); /* an empty object or array stays on its line */
			put(&o, json[next]);
			i = next + 1;
			continue;
		}
		if (c == '}' || c == ']')
			newline(&o, depth > 0 ? --depth : 0);
		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			put(&o, c);
		if (c == '{' || c == '[')
			newline(&o, ++depth);
		else if (c == ',')
			newline(&o, depth);
		else if (c == ':')
			put(&o, ' ');
		i++;
	}
	put(&o, '\n');
	if (cap)
		buf[o.len < cap ? o.len : cap - 1] = '\0';
	return o.len;
}
