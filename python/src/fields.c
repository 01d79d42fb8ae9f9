/* fields.c - Python values as the typed fields of a record, and the fields of the current
 * contextvars context (shmlog.contextualize).
 *
 * A value keeps its type: bool (checked before int, bool being an int), int within int64, float
 * (NaN and the infinities too: shmlogd's JSON writes them as the strings "NaN", "Infinity",
 * "-Infinity", so the line stays valid JSON), str. Anything else, and an int beyond int64, is
 * stored as str(value). Nothing a value holds makes the call fail except str() itself raising.
 *
 * Text is UTF-8. A str holding lone surrogates (bytes smuggled in by surrogateescape, from
 * os.fsdecode or sys.argv) is stored as the bytes it stands for when it can be (surrogateescape),
 * else with each surrogate spelled as an escape such as \ud800 (backslashreplace): logging
 * never raises on them.
 *
 * Keys: a non-str key (possible in a mapping, a LogRecord's __dict__, structlog's event dict)
 * goes through str(), an empty key becomes "_", a key past SHMLOG_MAX_KEY bytes is cut. String
 * values are cut to SHMLOG_MAX_MESSAGE bytes, on a character boundary, so one huge value cannot
 * make a record too large for the ring. Past SHMLOG_MAX_FIELDS fields, the rest are counted in
 * fb->skipped and left out (ring.c says so in a field of the record).
 *
 * Context: the ContextVar shmlog_py_ctxvar holds a flat tuple (k1, v1, k2, v2, ...) of str keys,
 * set by python/shmlog/_context.py, read here with PyContextVar_Get: per thread and per asyncio
 * task, which the C library's per-thread context (shmlog_context_push) cannot be.
 */
#include "shmlog_py.h"

#include <string.h>

int shmlog_fb_keep(struct shmlog_fb *fb, PyObject *o)
{
	if (fb->nkeep == SHMLOG_FB_KEEP) {
		/* Unreachable: at most 6 references per field (its key and value held, each one's
		 * str() or UTF-8 bytes) plus a few for the record. */
		Py_DECREF(o);
		PyErr_SetString(PyExc_SystemError, "shmlog: too many temporary objects");
		return -1;
	}
	fb->keep[fb->nkeep++] = o;
	return 0;
}

void shmlog_fb_release(struct shmlog_fb *fb)
{
	for (size_t i = 0; i < fb->nkeep; i++)
		Py_DECREF(fb->keep[i]);
	fb->nkeep = 0;
}

/* The bytes of a str that PyUnicode_AsUTF8AndSize refused (lone surrogates). */
static int text_slow(struct shmlog_fb *fb, PyObject *s, const char **p, Py_ssize_t *len)
{
	PyObject *b;

	if (!PyErr_ExceptionMatches(PyExc_UnicodeEncodeError))
		return -1;
	PyErr_Clear();
	b = PyUnicode_AsEncodedString(s, "utf-8", "surrogateescape");
	if (!b) {
		if (!PyErr_ExceptionMatches(PyExc_UnicodeEncodeError))
			return -1;
		PyErr_Clear();
		b = PyUnicode_AsEncodedString(s, "utf-8", "backslashreplace");
		if (!b)
			return -1;
	}
	if (shmlog_fb_keep(fb, b) < 0)
		return -1;
	*p = PyBytes_AS_STRING(b);
	*len = PyBytes_GET_SIZE(b);
	return 0;
}

int shmlog_fb_text(struct shmlog_fb *fb, PyObject *s, const char **p, Py_ssize_t *len)
{
	if (!PyUnicode_Check(s)) {
		s = PyObject_Str(s);
		if (!s || shmlog_fb_keep(fb, s) < 0)
			return -1;
	}
	/* The str caches its UTF-8 (an ASCII str is its own): the common case copies nothing. */
	*p = PyUnicode_AsUTF8AndSize(s, len);
	return *p ? 0 : text_slow(fb, s, p, len);
}

/* Cuts LEN to at most MAX bytes without splitting a UTF-8 sequence: back over at most the 3
 * continuation bytes one sequence can have, so that bytes that are no UTF-8 at all (a
 * surrogateescape'd run of 0x80) are cut at MAX rather than to nothing. */
static size_t cut_utf8(const char *p, size_t len, size_t max)
{
	if (len <= max)
		return len;
	len = max;
	for (int back = 0; back < 3 && len > 0 && ((unsigned char)p[len] & 0xC0) == 0x80; back++)
		len--;
	return ((unsigned char)p[len] & 0xC0) == 0x80 ? max : len;
}

int shmlog_fb_tag(struct shmlog_fb *fb, PyObject *s, const char **p)
{
	Py_ssize_t len;
	PyObject *b;

	if (shmlog_fb_text(fb, s, p, &len) < 0)
		return -1;
	if (len <= SHMLOG_MAX_TAG)
		return 0;
	/* The library would cut at SHMLOG_MAX_TAG bytes, maybe inside a character. */
	b = PyBytes_FromStringAndSize(*p, (Py_ssize_t)cut_utf8(*p, (size_t)len, SHMLOG_MAX_TAG));
	if (!b || shmlog_fb_keep(fb, b) < 0)
		return -1;
	*p = PyBytes_AS_STRING(b);
	return 0;
}

static int set_key(struct shmlog_fb *fb, struct shmlog_field *f, PyObject *key)
{
	const char *k;
	Py_ssize_t klen;

	if (shmlog_fb_text(fb, key, &k, &klen) < 0)
		return -1;
	if (klen == 0) {
		k = "_";
		klen = 1;
	}
	f->key = k;
	f->key_len = cut_utf8(k, (size_t)klen, SHMLOG_MAX_KEY);
	return 0;
}

static int set_value(struct shmlog_fb *fb, struct shmlog_field *f, PyObject *v)
{
	const char *s;
	Py_ssize_t len;

	if (PyBool_Check(v)) {
		f->type = SHMLOG_FIELD_BOOL;
		f->v.b = v == Py_True;
		return 0;
	}
	if (PyLong_Check(v)) {
		int overflow;
		long long i = PyLong_AsLongLongAndOverflow(v, &overflow);
		if (!overflow) {
			if (i == -1 && PyErr_Occurred())
				return -1;
			f->type = SHMLOG_FIELD_INT;
			f->v.i = i;
			return 0;
		}
		/* Beyond int64: its decimal digits, as str() gives them; past Python's limit on
		 * decimal digits (sys.set_int_max_str_digits, 4300 by default) str() refuses, and
		 * the value is written in hex, which has no limit. */
		if (shmlog_fb_text(fb, v, &s, &len) < 0) {
			PyObject *hex;
			if (!PyErr_ExceptionMatches(PyExc_ValueError))
				return -1;
			PyErr_Clear();
			hex = PyNumber_ToBase(v, 16);
			if (!hex || shmlog_fb_keep(fb, hex) < 0 || shmlog_fb_text(fb, hex, &s, &len) < 0)
				return -1;
		}
		goto text;
	} else if (PyFloat_Check(v)) {
		f->type = SHMLOG_FIELD_FLOAT;
		f->v.f = PyFloat_AS_DOUBLE(v);
		return 0;
	}
	if (shmlog_fb_text(fb, v, &s, &len) < 0)
		return -1;
text:
	f->type = SHMLOG_FIELD_STRING;
	f->v.s.ptr = s;
	f->v.s.len = cut_utf8(s, (size_t)len, SHMLOG_MAX_MESSAGE);
	return 0;
}

int shmlog_fb_add(struct shmlog_fb *fb, PyObject *key, PyObject *value)
{
	struct shmlog_field *f;

	if (fb->n == SHMLOG_MAX_FIELDS) {
		fb->skipped++;
		return 0;
	}
	f = &fb->f[fb->n];
	if (set_key(fb, f, key) < 0 || set_value(fb, f, value) < 0)
		return -1;
	fb->n++;
	return 0;
}

int shmlog_fb_add_c(struct shmlog_fb *fb, const char *key, PyObject *value)
{
	struct shmlog_field *f;

	if (fb->n == SHMLOG_MAX_FIELDS) {
		fb->skipped++;
		return 0;
	}
	f = &fb->f[fb->n];
	f->key = key;
	f->key_len = strlen(key);
	if (set_value(fb, f, value) < 0)
		return -1;
	fb->n++;
	return 0;
}

int shmlog_fb_add_mapping(struct shmlog_fb *fb, PyObject *mapping)
{
	PyObject *items, *it, *pair;
	Py_ssize_t pos = 0;
	PyObject *k, *v;
	int rc = 0;

	/* A field points into its key and value (their UTF-8) until the record is written, so both
	 * are held until shmlog_fb_release: str() of a later value may run code that changes the
	 * dict, and a mapping's items() may be made afresh, owned by nothing but us. */
	if (PyDict_Check(mapping)) {
		while (PyDict_Next(mapping, &pos, &k, &v)) {
			if (fb->n == SHMLOG_MAX_FIELDS) {
				fb->skipped++;
				continue;
			}
			if (shmlog_fb_keep(fb, Py_NewRef(k)) < 0 || shmlog_fb_keep(fb, Py_NewRef(v)) < 0 ||
			    shmlog_fb_add(fb, k, v) < 0)
				return -1;
		}
		return 0;
	}
	items = PyMapping_Items(mapping);
	if (!items || shmlog_fb_keep(fb, items) < 0)
		return -1;
	it = PyObject_GetIter(items);
	if (!it)
		return -1;
	while (rc == 0 && (pair = PyIter_Next(it))) {
		if (!PyTuple_Check(pair) || PyTuple_GET_SIZE(pair) != 2) {
			PyErr_SetString(PyExc_TypeError, "fields: items() must give (key, value) pairs");
			rc = -1;
		} else {
			rc = shmlog_fb_add(fb, PyTuple_GET_ITEM(pair, 0), PyTuple_GET_ITEM(pair, 1));
		}
		Py_DECREF(pair);
	}
	Py_DECREF(it);
	return rc < 0 || PyErr_Occurred() ? -1 : 0;
}

static int has_key(const struct shmlog_fb *fb, size_t n, const char *k, size_t klen)
{
	for (size_t i = 0; i < n; i++)
		if (fb->f[i].key_len == klen && !memcmp(fb->f[i].key, k, klen))
			return 1;
	return 0;
}

int shmlog_fb_add_context(struct shmlog_fb *fb)
{
	PyObject *ctx;
	size_t own = fb->n;
	int rc = 0;

	if (PyContextVar_Get(shmlog_py_ctxvar, NULL, &ctx) < 0)
		return -1;
	if (!ctx)
		return 0;
	if (!PyTuple_Check(ctx)) {
		Py_DECREF(ctx);
		return 0;
	}
	/* The tuple is immutable and held by the context; our reference keeps it while we copy. */
	for (Py_ssize_t i = 0; i + 1 < PyTuple_GET_SIZE(ctx) && rc == 0; i += 2) {
		PyObject *k = PyTuple_GET_ITEM(ctx, i);
		const char *ks;
		Py_ssize_t klen;

		if (own) {
			if (shmlog_fb_text(fb, k, &ks, &klen) < 0) {
				rc = -1;
				break;
			}
			if (has_key(fb, own, ks, (size_t)klen))
				continue;
		}
		rc = shmlog_fb_add(fb, k, PyTuple_GET_ITEM(ctx, i + 1));
	}
	if (shmlog_fb_keep(fb, ctx) < 0)
		return -1;
	return rc;
}
