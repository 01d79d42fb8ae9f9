/* ring.c - shmlog.Ring: a writer handle on a ring, whose log calls take Python objects directly.
 *
 * Two libshmlog handles, because of the interpreter lock (GIL):
 *
 *   fast  opened with SHMLOG_ON_FULL_EAGAIN: a write through it never waits, so it runs with the
 *         GIL held, as one plain C call: a few atomics and a memcpy, no syscall, no lock.
 *   slow  opened at the first full ring, with the caller's policy (on_full, or the ring's):
 *         when the fast write returns -EAGAIN (ring full, nothing counted), the same record is
 *         written again through it with the GIL released, so a writer that blocks for the
 *         collector never stops the process's other threads. drop drops and counts, timeout:MS
 *         waits that long first, block waits (the library's orphan rule bounds it without a
 *         collector).
 *
 * The GIL is released only there and in flush() and open(). A thread inside such a call counts
 * in busy; close() while another thread is inside marks the ring closing (no new call gets in)
 * and the last thread out closes the handles. Everything else runs under the GIL, which is the
 * only lock the type needs.
 *
 * Nothing here caches the pid or the thread: the library re-registers a handle in a forked child
 * by itself, so a Ring made before fork() (gunicorn's preload_app) writes under each worker's own
 * pid. A record is in shared memory when the call returns.
 *
 * Levels are checked against the ring's live minimum (shmlog_get_level: one load from shared
 * memory) before any argument is converted, so a filtered call costs almost nothing.
 */
#include "shmlog_py.h"
#include "size.h"

#include <errno.h>
#include <math.h>
#include <pwd.h>
#include <string.h>

static PyObject *str_tag; /* "tag", the one keyword of the log calls that is not a field */

static void ring_release(shmlog_py_ring *r)
{
	shmlog_close(r->fast);
	shmlog_close(r->slow);
	r->fast = r->slow = NULL;
}

int shmlog_py_ring_check(shmlog_py_ring *r)
{
	if (r->fast && !r->closing)
		return 0;
	PyErr_Format(PyExc_ValueError, "I/O operation on closed ring %R", r->name);
	return -1;
}

/* ---- options ----------------------------------------------------------------------------- */

static int parse_size(PyObject *o, struct shmlog_options *opts)
{
	char why[160];
	uint64_t v;

	if (o == Py_None)
		return 0;
	if (PyLong_Check(o) && !PyBool_Check(o)) {
		unsigned long long u = PyLong_AsUnsignedLongLong(o);
		if (u == (unsigned long long)-1 && PyErr_Occurred()) {
			PyErr_Format(PyExc_ValueError, "size must be a positive number of bytes");
			return -1;
		}
		v = u;
	} else if (PyUnicode_Check(o)) {
		const char *s = PyUnicode_AsUTF8(o);
		if (!s)
			return -1;
		if (cli_parse_size(s, &v) < 0) {
			PyErr_Format(PyExc_ValueError, "size %R: %s", o,
				     cli_ring_size_hint(why, sizeof(why)));
			return -1;
		}
	} else {
		PyErr_Format(PyExc_TypeError, "size must be an int or a str such as '4M', not %.100s",
			     Py_TYPE(o)->tp_name);
		return -1;
	}
	/* Checked here rather than by the library, so that a bad size is the ValueError the other
	 * bad arguments are, not an Error from opening the ring. */
	if (cli_ring_size_check(v, why, sizeof(why)) < 0) {
		PyErr_Format(PyExc_ValueError, "size %R: %s", o, why);
		return -1;
	}
	opts->size = v;
	return 0;
}

static int parse_on_full(PyObject *o, struct shmlog_options *opts)
{
	const char *s;
	char *end;

	if (o == Py_None)
		return 0;
	if (!PyUnicode_Check(o) || !(s = PyUnicode_AsUTF8(o))) {
		if (!PyErr_Occurred())
			PyErr_Format(PyExc_TypeError, "on_full must be a str, not %.100s",
				     Py_TYPE(o)->tp_name);
		return -1;
	}
	if (!strcmp(s, "block")) {
		opts->on_full = SHMLOG_ON_FULL_BLOCK;
		return 0;
	}
	if (!strcmp(s, "drop")) {
		opts->on_full = SHMLOG_ON_FULL_DROP;
		return 0;
	}
	if (!strncmp(s, "timeout:", 8) && s[8] >= '0' && s[8] <= '9') {
		errno = 0;
		unsigned long ms = strtoul(s + 8, &end, 10);
		if (!errno && !*end && ms > 0 && ms <= INT32_MAX) {
			opts->on_full = SHMLOG_ON_FULL_TIMEOUT;
			opts->full_timeout_ms = (int32_t)ms;
			return 0;
		}
	}
	PyErr_Format(PyExc_ValueError, "on_full %R: use 'block', 'drop' or 'timeout:MS'", o);
	return -1;
}

static int parse_owner(PyObject *o, struct shmlog_options *opts)
{
	if (o == Py_None)
		return 0;
	if (PyLong_Check(o) && !PyBool_Check(o)) {
		unsigned long uid = PyLong_AsUnsignedLong(o);
		if ((uid == (unsigned long)-1 && PyErr_Occurred()) || uid >= (uid_t)-1) {
			PyErr_Clear();
			PyErr_Format(PyExc_ValueError, "allow_owner %R is not a uid", o);
			return -1;
		}
		opts->allow_foreign_owner = SHMLOG_OWNER_UID;
		opts->foreign_owner_uid = (uint32_t)uid;
		return 0;
	}
	if (PyUnicode_Check(o)) {
		const char *s = PyUnicode_AsUTF8(o);
		struct passwd pwbuf, *pw = NULL;
		char buf[4096];
		if (!s)
			return -1;
		if (!strcmp(s, "*")) {
			opts->allow_foreign_owner = SHMLOG_OWNER_ANY;
			return 0;
		}
		/* The reentrant form: other threads run while we look (NSS may be slow). */
		Py_BEGIN_ALLOW_THREADS
		if (getpwnam_r(s, &pwbuf, buf, sizeof(buf), &pw) != 0)
			pw = NULL;
		Py_END_ALLOW_THREADS
		if (pw) {
			opts->allow_foreign_owner = SHMLOG_OWNER_UID;
			opts->foreign_owner_uid = pw->pw_uid;
			return 0;
		}
		PyErr_Format(PyExc_ValueError, "allow_owner %R: no such user", o);
		return -1;
	}
	PyErr_Format(PyExc_TypeError, "allow_owner must be a user name, a uid or '*', not %.100s",
		     Py_TYPE(o)->tp_name);
	return -1;
}

static int parse_mode(PyObject *o, struct shmlog_options *opts)
{
	long m;

	if (o == Py_None)
		return 0;
	if (!PyLong_Check(o) || PyBool_Check(o)) {
		PyErr_Format(PyExc_TypeError, "mode must be an int such as 0o600, not %.100s",
			     Py_TYPE(o)->tp_name);
		return -1;
	}
	m = PyLong_AsLong(o);
	if (m < 0 || m > 0777) {
		PyErr_Clear();
		PyErr_Format(PyExc_ValueError, "mode %R: permission bits, 0o000 to 0o777", o);
		return -1;
	}
	opts->mode = (uint32_t)m;
	return 0;
}

/* ---- the type ---------------------------------------------------------------------------- */

static int ring_init(shmlog_py_ring *r, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = {"name", "size", "on_full", "mode", "tag", "allow_owner", "create",
				 "level", NULL};
	PyObject *name, *size = Py_None, *on_full = Py_None, *mode = Py_None, *tag = Py_None;
	PyObject *owner = Py_None, *level = Py_None;
	int create = 1, lv = 0;
	struct shmlog_options opts;
	struct shmlog *h;
	const char *cname;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "U|$OOOOOpO:Ring", kwlist, &name, &size,
					 &on_full, &mode, &tag, &owner, &create, &level))
		return -1;
	if (r->fast) {
		PyErr_SetString(PyExc_RuntimeError, "Ring.__init__ called twice");
		return -1;
	}
	if (tag != Py_None && !PyUnicode_Check(tag)) {
		PyErr_Format(PyExc_TypeError, "tag must be a str, not %.100s", Py_TYPE(tag)->tp_name);
		return -1;
	}
	shmlog_options_init(&opts);
	if (parse_size(size, &opts) < 0 || parse_on_full(on_full, &opts) < 0 ||
	    parse_mode(mode, &opts) < 0 || parse_owner(owner, &opts) < 0 ||
	    (level != Py_None && (lv = shmlog_py_level(level)) < 0))
		return -1;
	opts.min_level = lv;
	if (!create)
		opts.flags |= SHMLOG_OPEN_NOCREATE;
	/* A name outside [A-Za-z0-9._-] is the library's to refuse, with its message. */
	if (!(cname = PyUnicode_AsUTF8(name)))
		return -1;

	/* The policy the caller asked for, for the slow handle; the fast one never waits. */
	r->opts = opts;
	opts.on_full = SHMLOG_ON_FULL_EAGAIN;
	Py_BEGIN_ALLOW_THREADS
	h = shmlog_open(cname, &opts);
	Py_END_ALLOW_THREADS
	if (!h) {
		shmlog_py_raise(errno);
		return -1;
	}
	r->fast = h;
	/* The ring exists now: the slow handle attaches, never creates a second one. */
	r->opts.flags |= SHMLOG_OPEN_NOCREATE;
	Py_INCREF(name);
	Py_XSETREF(r->name, name);
	if (tag == Py_None)
		tag = PyUnicode_FromString("");
	else
		Py_INCREF(tag);
	Py_XSETREF(r->tag, tag);
	return r->tag ? 0 : -1;
}

static void ring_dealloc(shmlog_py_ring *r)
{
	if (r->weakrefs)
		PyObject_ClearWeakRefs((PyObject *)r);
	ring_release(r);
	Py_CLEAR(r->name);
	Py_CLEAR(r->tag);
	Py_TYPE(r)->tp_free((PyObject *)r);
}

static PyObject *ring_repr(shmlog_py_ring *r)
{
	return PyUnicode_FromFormat("<shmlog.Ring %R%s>", r->name ? r->name : Py_None,
				    r->fast && !r->closing ? "" : " closed");
}

/* ---- writing ----------------------------------------------------------------------------- */

static void leave(shmlog_py_ring *r)
{
	if (--r->busy == 0 && r->closing)
		ring_release(r);
}

/* The record again, through the handle that waits, with the GIL released. */
static int write_slow(shmlog_py_ring *r, int level, const char *tag, const char *msg, size_t len,
		      const struct shmlog_field *f, size_t n)
{
	int rc;

	if (!r->slow) {
		const char *name = PyUnicode_AsUTF8(r->name);
		struct shmlog *h;
		if (!name)
			return -EINVAL;
		r->busy++;
		Py_BEGIN_ALLOW_THREADS
		h = shmlog_open(name, &r->opts);
		Py_END_ALLOW_THREADS
		if (h && !r->slow && !r->closing)
			r->slow = h;
		else
			shmlog_close(h);
		rc = h ? 0 : -errno;
		leave(r);
		if (rc < 0)
			return rc;
		if (!r->slow)
			return shmlog_py_ring_check(r) < 0 ? -EBADF : -ENOBUFS;
	}
	r->busy++;
	Py_BEGIN_ALLOW_THREADS
	rc = shmlog_write_fields(r->slow, level, tag, msg, len, f, n);
	Py_END_ALLOW_THREADS
	leave(r);
	return rc;
}

int shmlog_py_ring_write(shmlog_py_ring *r, int level, const char *tag, const char *msg,
			 size_t len, struct shmlog_fb *fb)
{
	struct shmlog_field *f = fb->f, one;
	size_t n = fb->n;
	int rc;

	/* Converting the message and fields ran Python code: another thread may have closed us. */
	if (shmlog_py_ring_check(r) < 0)
		return -1;
	if (fb->skipped) /* n == SHMLOG_MAX_FIELDS: the last slot says how many are missing */
		f[n - 1] = SHMLOG_INT("shmlog.fields_left_out", (int64_t)fb->skipped + 1);
	rc = shmlog_write_fields(r->fast, level, tag, msg, len, f, n);
	if (rc == -EMSGSIZE) {
		/* The fields alone would not fit in one record of this ring: the message goes. */
		one = SHMLOG_INT("shmlog.fields_left_out", (int64_t)(n + fb->skipped));
		f = &one;
		n = 1;
		rc = shmlog_write_fields(r->fast, level, tag, msg, len, f, n);
	}
	if (rc == -EAGAIN)
		rc = write_slow(r, level, tag, msg, len, f, n);
	if (rc == 0)
		return 1;
	if (rc == -ENOBUFS)
		return 0;
	if (rc == -EBADF)
		return -1; /* closed meanwhile: ValueError set */
	shmlog_py_raise(rc);
	return -1;
}

/* log(level, message, *, tag=None, **fields) and its per-level forms: ARGS[0] the message,
 * ARGS[1..] the keyword values named by KWNAMES. */
static PyObject *log_impl(shmlog_py_ring *r, int level, PyObject *const *args, PyObject *kwnames)
{
	PyObject *tagobj = r->tag;
	Py_ssize_t nkw = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;
	struct shmlog_fb fb;
	const char *msg, *tag;
	Py_ssize_t len;
	int rc = -1;

	if (shmlog_py_ring_check(r) < 0)
		return NULL;
	if (level < shmlog_get_level(r->fast))
		Py_RETURN_FALSE;
	shmlog_fb_init(&fb);
	for (Py_ssize_t i = 0; i < nkw; i++) {
		PyObject *k = PyTuple_GET_ITEM(kwnames, i);
		if (k == str_tag || PyUnicode_Compare(k, str_tag) == 0) {
			if (args[1 + i] != Py_None)
				tagobj = args[1 + i];
		} else if (shmlog_fb_add(&fb, k, args[1 + i]) < 0) {
			goto out;
		}
	}
	/* The tag is held for the call, as in write(). */
	if (shmlog_fb_keep(&fb, Py_NewRef(tagobj)) < 0 || shmlog_fb_add_context(&fb) < 0 ||
	    shmlog_fb_text(&fb, args[0], &msg, &len) < 0 ||
	    shmlog_fb_tag(&fb, tagobj, &tag) < 0)
		goto out;
	rc = shmlog_py_ring_write(r, level, tag, msg, (size_t)len, &fb);
out:
	shmlog_fb_release(&fb);
	if (rc < 0)
		return NULL;
	return PyBool_FromLong(rc);
}

static PyObject *ring_log(shmlog_py_ring *r, PyObject *const *args, Py_ssize_t nargsf,
			  PyObject *kwnames)
{
	Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
	int level;

	if (nargs != 2)
		return PyErr_Format(PyExc_TypeError,
				    "log() takes 2 positional arguments (level, message), %zd given",
				    nargs);
	if ((level = shmlog_py_level(args[0])) < 0)
		return NULL;
	return log_impl(r, level, args + 1, kwnames);
}

#define LEVEL_METHOD(fn, lv)                                                                   \
	static PyObject *ring_##fn(shmlog_py_ring *r, PyObject *const *args, Py_ssize_t nargsf, \
				   PyObject *kwnames)                                          \
	{                                                                                      \
		if (PyVectorcall_NARGS(nargsf) != 1)                                           \
			return PyErr_Format(PyExc_TypeError,                                   \
					    #fn "() takes 1 positional argument (message), "   \
						"%zd given",                                    \
					    PyVectorcall_NARGS(nargsf));                       \
		return log_impl(r, lv, args, kwnames);                                         \
	}
LEVEL_METHOD(debug, SHMLOG_DEBUG)
LEVEL_METHOD(info, SHMLOG_INFO)
LEVEL_METHOD(warning, SHMLOG_WARNING)
LEVEL_METHOD(error, SHMLOG_ERROR)
LEVEL_METHOD(critical, SHMLOG_CRITICAL)

/* write(level, message, tag=None, fields=None): the form for code that has the fields as a
 * mapping already (the loguru sink, the structlog logger). */
static PyObject *ring_write(shmlog_py_ring *r, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = {"level", "message", "tag", "fields", NULL};
	PyObject *levelobj, *msgobj, *tagobj = Py_None, *fields = Py_None;
	struct shmlog_fb fb;
	const char *msg, *tag;
	Py_ssize_t len;
	int level, rc = -1;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "OO|OO:write", kwlist, &levelobj, &msgobj,
					 &tagobj, &fields))
		return NULL;
	if (shmlog_py_ring_check(r) < 0 || (level = shmlog_py_level(levelobj)) < 0)
		return NULL;
	if (level < shmlog_get_level(r->fast))
		Py_RETURN_FALSE;
	shmlog_fb_init(&fb);
	if (tagobj == Py_None)
		tagobj = r->tag;
	/* Held for the call: str() of a field, or another thread while we wait on a full ring,
	 * may set ring.tag and free the default tag whose UTF-8 the record points into. */
	if (shmlog_fb_keep(&fb, Py_NewRef(tagobj)) == 0 &&
	    (fields == Py_None || shmlog_fb_add_mapping(&fb, fields) == 0) &&
	    shmlog_fb_add_context(&fb) == 0 && shmlog_fb_text(&fb, msgobj, &msg, &len) == 0 &&
	    shmlog_fb_tag(&fb, tagobj, &tag) == 0)
		rc = shmlog_py_ring_write(r, level, tag, msg, (size_t)len, &fb);
	shmlog_fb_release(&fb);
	return rc < 0 ? NULL : PyBool_FromLong(rc);
}

static PyObject *ring_flush(shmlog_py_ring *r, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = {"timeout", NULL};
	PyObject *t = NULL;
	int ms = 1000, rc;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "|O:flush", kwlist, &t))
		return NULL;
	if (t == Py_None) {
		ms = -1;
	} else if (t) {
		double s = PyFloat_AsDouble(t);
		if (s == -1.0 && PyErr_Occurred())
			return NULL;
		if (!(s >= 0))
			return PyErr_Format(PyExc_ValueError, "timeout must be >= 0 seconds or None");
		ms = s * 1000 >= INT32_MAX ? -1 : (int)ceil(s * 1000);
	}
	if (shmlog_py_ring_check(r) < 0)
		return NULL;
	r->busy++;
	Py_BEGIN_ALLOW_THREADS
	rc = shmlog_flush(r->fast, ms);
	Py_END_ALLOW_THREADS
	leave(r);
	if (rc == -ETIMEDOUT)
		return PyErr_Format(PyExc_TimeoutError,
				    "ring %R: the collector has not taken everything written within "
				    "%d ms (is shmlogd --ring %U running?)", r->name, ms, r->name);
	if (rc < 0)
		return shmlog_py_raise(rc);
	Py_RETURN_NONE;
}

static PyObject *ring_close(shmlog_py_ring *r, PyObject *unused)
{
	(void)unused;
	if (r->busy)
		r->closing = 1;
	else
		ring_release(r);
	Py_RETURN_NONE;
}

static PyObject *ring_enter(shmlog_py_ring *r, PyObject *unused)
{
	(void)unused;
	if (shmlog_py_ring_check(r) < 0)
		return NULL;
	Py_INCREF(r);
	return (PyObject *)r;
}

static PyObject *ring_exit(shmlog_py_ring *r, PyObject *args)
{
	(void)args;
	return ring_close(r, NULL);
}

static PyObject *ring_get_level(shmlog_py_ring *r, void *closure)
{
	(void)closure;
	if (shmlog_py_ring_check(r) < 0)
		return NULL;
	return PyUnicode_FromString(shmlog_level_name(shmlog_get_level(r->fast)));
}

static int ring_set_level(shmlog_py_ring *r, PyObject *v, void *closure)
{
	int lv, rc;

	(void)closure;
	if (!v) {
		PyErr_SetString(PyExc_AttributeError, "cannot delete a ring's level");
		return -1;
	}
	if (shmlog_py_ring_check(r) < 0 || (lv = shmlog_py_level(v)) < 0)
		return -1;
	rc = shmlog_set_level(r->fast, lv);
	if (rc < 0) {
		shmlog_py_raise(rc);
		return -1;
	}
	return 0;
}

static PyObject *ring_get_closed(shmlog_py_ring *r, void *closure)
{
	(void)closure;
	return PyBool_FromLong(!r->fast || r->closing);
}

static PyObject *ring_get_name(shmlog_py_ring *r, void *closure)
{
	(void)closure;
	return Py_NewRef(r->name ? r->name : Py_None);
}

static PyObject *ring_get_tag(shmlog_py_ring *r, void *closure)
{
	(void)closure;
	return Py_NewRef(r->tag ? r->tag : Py_None);
}

static int ring_set_tag(shmlog_py_ring *r, PyObject *v, void *closure)
{
	(void)closure;
	if (!v || !PyUnicode_Check(v)) {
		PyErr_SetString(PyExc_TypeError, "tag must be a str");
		return -1;
	}
	Py_INCREF(v);
	Py_XSETREF(r->tag, v);
	return 0;
}

#define LEVEL_DOC(fn)                                                                         \
	#fn "(message, /, *, tag=None, **fields) -> bool\n\nLogs MESSAGE at level " #fn         \
	    "; see log()."

static PyMethodDef ring_methods[] = {
	{"log", (PyCFunction)(void (*)(void))ring_log, METH_FASTCALL | METH_KEYWORDS,
	 "log(level, message, /, *, tag=None, **fields) -> bool\n\n"
	 "Appends one record. LEVEL: Python's number (logging.INFO; between two levels, the lower)\n"
	 "or a name ('info', 'warning', ...). MESSAGE: a str (anything else goes through str());\n"
	 "longer than MAX_MESSAGE bytes it is cut, with the library's mark. TAG: the record's\n"
	 "logger name, None for the ring's tag. FIELDS keep their type: bool, int (within int64),\n"
	 "float, str; anything else as str(value). The fields of shmlog.contextualize() follow.\n"
	 "Returns True once the record is in the ring, False when the ring's minimum level\n"
	 "filtered it or a full ring dropped it (counted). Raises ValueError on a closed ring,\n"
	 "TypeError/ValueError for a bad level, shmlog.Error when the ring is damaged."},
	{"debug", (PyCFunction)(void (*)(void))ring_debug, METH_FASTCALL | METH_KEYWORDS,
	 LEVEL_DOC(debug)},
	{"info", (PyCFunction)(void (*)(void))ring_info, METH_FASTCALL | METH_KEYWORDS,
	 LEVEL_DOC(info)},
	{"warning", (PyCFunction)(void (*)(void))ring_warning, METH_FASTCALL | METH_KEYWORDS,
	 LEVEL_DOC(warning)},
	{"error", (PyCFunction)(void (*)(void))ring_error, METH_FASTCALL | METH_KEYWORDS,
	 LEVEL_DOC(error)},
	{"critical", (PyCFunction)(void (*)(void))ring_critical, METH_FASTCALL | METH_KEYWORDS,
	 LEVEL_DOC(critical)},
	{"write", (PyCFunction)(void (*)(void))ring_write, METH_VARARGS | METH_KEYWORDS,
	 "write(level, message, tag=None, fields=None) -> bool\n\n"
	 "Like log(), with the fields as a mapping (a key that is not a str goes through str())."},
	{"flush", (PyCFunction)(void (*)(void))ring_flush, METH_VARARGS | METH_KEYWORDS,
	 "flush(timeout=1.0)\n\n"
	 "Waits (without the GIL) until the collector has taken everything written to the ring\n"
	 "before the call, this process's records included. TIMEOUT in seconds, None: forever.\n"
	 "Raises TimeoutError when it has not (no shmlogd running?), ValueError when closed."},
	{"close", (PyCFunction)ring_close, METH_NOARGS,
	 "close()\n\nDetaches from the ring; records written stay for the collector. Idempotent."},
	{"__enter__", (PyCFunction)ring_enter, METH_NOARGS, NULL},
	{"__exit__", (PyCFunction)ring_exit, METH_VARARGS, NULL},
	{NULL, NULL, 0, NULL},
};

static PyGetSetDef ring_getset[] = {
	{"name", (getter)ring_get_name, NULL, "The ring's name.", NULL},
	{"tag", (getter)ring_get_tag, (setter)ring_set_tag,
	 "The tag of records logged without one (default '').", NULL},
	{"level", (getter)ring_get_level, (setter)ring_set_level,
	 "The ring's live minimum level ('debug' ... 'critical'), shared by every writer of the\n"
	 "ring in every process (shmlogcat --set-level). Settable.", NULL},
	{"closed", (getter)ring_get_closed, NULL, "True once close() was called.", NULL},
	{NULL, NULL, NULL, NULL, NULL},
};

static PyObject *ring_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
	(void)args;
	(void)kw;
	if (!str_tag && !(str_tag = PyUnicode_InternFromString("tag")))
		return NULL;
	return type->tp_alloc(type, 0);
}

PyTypeObject shmlog_py_RingType = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "shmlog.Ring",
	.tp_basicsize = sizeof(shmlog_py_ring),
	.tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
	.tp_doc = "Ring(name, *, size=None, on_full=None, mode=None, tag=None, allow_owner=None,\n"
		  "     create=True, level=None)\n\n"
		  "A writer on the shmlog ring NAME ([A-Za-z0-9._-], 1-64 characters), created if\n"
		  "missing (unless create=False). SIZE (bytes, or '64K', '4M', '1G'), ON_FULL\n"
		  "('block', 'drop', 'timeout:MS'; None: the ring's policy) and LEVEL (the initial\n"
		  "minimum level) apply when this call creates the ring; ON_FULL is also this\n"
		  "writer's own policy. MODE: the permission bits of a created ring (default 0o600)\n"
		  "and the most group and others may write of an existing one. ALLOW_OWNER: a user\n"
		  "name or uid whose ring this process may write to ('*': anyone's); by default only\n"
		  "the process's own. TAG: the tag of records logged without one.\n\n"
		  "Raises shmlog.Error (an OSError: errno and the library's one-line message) when\n"
		  "the ring cannot be opened. Works across fork(), from any thread; a context\n"
		  "manager that closes it.",
	.tp_weaklistoffset = offsetof(shmlog_py_ring, weakrefs),
	.tp_new = ring_new,
	.tp_init = (initproc)ring_init,
	.tp_dealloc = (destructor)ring_dealloc,
	.tp_repr = (reprfunc)ring_repr,
	.tp_methods = ring_methods,
	.tp_getset = ring_getset,
};
