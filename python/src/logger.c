/* logger.c - logging's fast path: Logger._log in C, for records whose one handler is a
 * shmlog.Handler.
 *
 * A logger.info("request %d done", i) costs some 7 us on this kind of machine before any
 * handler runs: findCaller() walks frames in Python, makeRecord() builds a LogRecord of 20-odd
 * attributes (a clock read, getpid, the thread's and the process's names), and handle() and
 * callHandlers() walk the loggers. shmlog.Handler's own emit() is C and costs a tenth of that.
 * So once a Handler exists, logging.Logger._log is this function (shmlog.fast_path() turns it
 * off), and for a call it can prove equivalent it writes the record itself, straight from the
 * call's arguments and the caller's frame, without making a LogRecord:
 *
 *   the call    level an int; args a tuple (not one lone mapping: logging's "%(key)s" form);
 *               no exc_info, no stack_info, stacklevel 1; extra None or a dict with str keys
 *               none of which is a LogRecord attribute (logging raises KeyError for those)
 *   the logger  not disabled, no filters; its class's findCaller, makeRecord, handle,
 *               callHandlers and filter are logging's own, and none is set on the logger
 *               itself; attribute lookup is object's own (no __getattribute__) and nothing
 *               shadows the attributes read here (the class part checked once per class and
 *               kept while the class's version tag holds: a class changed since, by anyone,
 *               is checked again)
 *   the record  logging's record factory is LogRecord, with its own __init__ and getMessage
 *   the way     exactly one handler on the loggers from this one up to the first that does not
 *               propagate, and it is a shmlog.Handler whose emit and handle are its Emitter's,
 *               with no filters and no formatter
 *   the frame   logging._srcfile set (the caller is wanted), logging.currentframe and
 *               logging._is_internal_frame logging's own, and a caller found below the
 *               logging module's frames
 *
 * The record is then the one handler.c would write for the LogRecord: the handler's level and
 * the ring's live level apply, message = str(msg) % args, tag = the logger's name, fields =
 * extra's keys in order, log.origin.file.name/.line, log.origin.function (the caller's, as
 * findCaller() finds it), then shmlog.contextualize()'s. Anything else, and any error on the
 * way (a __str__ that raises, a closed ring, a bad format), is left to logging's own _log,
 * which does it all again and reports it as it always has (handleError): nothing is written
 * before we know the write is the whole of the call. Only BaseExceptions that are not
 * Exceptions (KeyboardInterrupt) pass straight through. What the record is made of is taken
 * before any of the caller's code runs (str() of the message, its arguments, extra's values):
 * the logger's name, and a copy of extra, as makeRecord copies it.
 *
 * Logger._log is a method descriptor of Logger: called on an object that is not a Logger (a
 * duck-typed logger borrowing logging.Logger._log), it raises TypeError.
 */
#include "shmlog_py.h"

#include <stdint.h>
#include <string.h>

enum { A_LEVEL, A_MSG, A_ARGS, A_EXC_INFO, A_EXTRA, A_STACK_INFO, A_STACKLEVEL, A_COUNT };
static const char *const arg_names[A_COUNT] = {"level",	     "msg",   "args",	    "exc_info",
					       "extra",	     "stack_info", "stacklevel"};
static PyObject *arg_str[A_COUNT];

static unsigned long long taken, passed_on; /* calls written here; calls left to logging */
static PyObject *orig_log;     /* logging.Logger._log as logging defines it */
static PyObject *our_log;      /* the method descriptor below */
static PyObject *logging_dict; /* the logging module's globals: _srcfile, _logRecordFactory */
static PyObject *LogRecord, *Mapping;
static PyObject *currentframe, *is_internal; /* logging's, when captured (is_internal: maybe NULL) */
static PyObject *s_currentframe, *s_is_internal;
static PyObject *s_srcfile, *s_factory, *s_importlib, *s_bootstrap, *s_handlers, *s_propagate,
	*s_parent, *s_disabled, *s_filters, *s_name, *s_emit, *s_handle, *s_formatter, *s_level;

/* ------------------------------------------------------------------ classes, checked once */

/* What a class must look like for the fast path: methods that must be the ones captured when
 * the fast path was installed, and attributes read from instances' __dict__ that the class
 * must not shadow with a data descriptor (a property). */
struct class_rule {
	int generic_getattr; /* instances must look attributes up as object does */
	int nmethods;
	const char *method[6];
	PyObject *method_str[6], *method_orig[6];
	const char *attr[8];
	struct { PyTypeObject *type; unsigned int tag; } seen[4]; /* classes found good */
	int next;
};

static struct class_rule logger_rule = {
	.generic_getattr = 1,
	.nmethods = 5,
	.method = {"findCaller", "makeRecord", "handle", "callHandlers", "filter"},
	.attr = {"name", "handlers", "propagate", "parent", "disabled", "filters", NULL},
};
static struct class_rule handler_rule = {
	.generic_getattr = 1,
	.attr = {"emit", "handle", "filters", "formatter", "level", NULL},
};
static struct class_rule record_rule = {
	.nmethods = 2,
	.method = {"__init__", "getMessage"},
};

static unsigned int valid_tag(PyTypeObject *t)
{
#ifdef Py_TPFLAGS_VALID_VERSION_TAG
	if (!(t->tp_flags & Py_TPFLAGS_VALID_VERSION_TAG))
		return 0;
#endif
	return t->tp_version_tag;
}

static int class_ok(struct class_rule *r, PyTypeObject *t)
{
	unsigned int tag = valid_tag(t);

	for (int i = 0; tag && i < 4; i++)
		if (r->seen[i].type == t && r->seen[i].tag == tag)
			return 1;
	if (r->generic_getattr && t->tp_getattro != PyObject_GenericGetAttr)
		return 0;
	for (int i = 0; i < r->nmethods; i++)
		if (_PyType_Lookup(t, r->method_str[i]) != r->method_orig[i])
			return 0;
	for (int i = 0; r->attr[i]; i++) {
		PyObject *a = PyUnicode_InternFromString(r->attr[i]), *d;
		if (!a) {
			PyErr_Clear();
			return 0;
		}
		d = _PyType_Lookup(t, a);
		Py_DECREF(a);
		if (d && Py_TYPE(d)->tp_descr_set)
			return 0;
	}
	tag = valid_tag(t); /* the lookups assign one to a class that had none */
	if (tag) {
		r->seen[r->next].type = t;
		r->seen[r->next].tag = tag;
		r->next = (r->next + 1) % 4;
	}
	return 1;
}

static int rule_init(struct class_rule *r, PyObject *cls)
{
	for (int i = 0; i < r->nmethods; i++) {
		PyObject *m;
		if (!r->method_str[i] &&
		    !(r->method_str[i] = PyUnicode_InternFromString(r->method[i])))
			return -1;
		m = _PyType_Lookup((PyTypeObject *)cls, r->method_str[i]);
		if (!m) {
			PyErr_Format(PyExc_RuntimeError, "shmlog: logging has no %s", r->method[i]);
			return -1;
		}
		Py_XSETREF(r->method_orig[i], Py_NewRef(m));
	}
	return 0;
}

/* ------------------------------------------------------------------ the call */

/* The arguments of _log(level, msg, args, exc_info=None, extra=None, stack_info=False,
 * stacklevel=1) into V (borrowed). 0 for anything the fast path leaves to logging: a
 * keyword it doesn't know, one given twice, too few. */
static int parse(PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames, PyObject **v)
{
	Py_ssize_t nkw = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;

	if (nargs > A_COUNT)
		return 0;
	memset(v, 0, A_COUNT * sizeof(*v));
	for (Py_ssize_t i = 0; i < nargs; i++)
		v[i] = args[i];
	for (Py_ssize_t i = 0; i < nkw; i++) {
		PyObject *k = PyTuple_GET_ITEM(kwnames, i);
		int j = 0;
		while (j < A_COUNT && k != arg_str[j] && PyUnicode_Compare(k, arg_str[j]) != 0)
			j++;
		if (PyErr_Occurred()) {
			PyErr_Clear();
			return 0;
		}
		if (j == A_COUNT || v[j])
			return 0;
		v[j] = args[nargs + i];
	}
	return v[A_LEVEL] && v[A_MSG] && v[A_ARGS];
}

static int is_false(PyObject *o)
{
	return !o || o == Py_None || o == Py_False;
}

/* The call as the fast path takes it: 1 (with *EXTRA a copy of extra, or NULL), 0 to leave it
 * to logging, -1 with an exception raised on the way. */
static int call_ok(PyObject **v, PyObject **extra)
{
	PyObject *args = v[A_ARGS];

	*extra = NULL;
	if (!PyLong_CheckExact(v[A_LEVEL]) || !PyTuple_CheckExact(args) ||
	    !is_false(v[A_EXC_INFO]) || !is_false(v[A_STACK_INFO]))
		return 0;
	if (v[A_STACKLEVEL]) {
		if (!PyLong_CheckExact(v[A_STACKLEVEL]))
			return 0;
		int overflow;
		long sl = PyLong_AsLongAndOverflow(v[A_STACKLEVEL], &overflow);
		if (sl != 1 || overflow)
			return 0;
	}
	if (PyTuple_GET_SIZE(args) == 1) {
		/* LogRecord takes a lone non-empty mapping as the mapping itself. */
		PyObject *a = PyTuple_GET_ITEM(args, 0);
		if (!PyUnicode_CheckExact(a) && !PyLong_CheckExact(a) && !PyFloat_CheckExact(a)) {
			int m = PyObject_IsInstance(a, Mapping);
			if (m != 0)
				return m < 0 ? -1 : 0;
		}
	}
	if (v[A_EXTRA] && v[A_EXTRA] != Py_None) {
		Py_ssize_t pos = 0;
		PyObject *k, *val;
		if (!PyDict_CheckExact(v[A_EXTRA]))
			return 0;
		/* A copy, as makeRecord makes one: str() of the message or a value may change it. */
		if (!(*extra = PyDict_Copy(v[A_EXTRA])))
			return -1;
		while (PyDict_Next(*extra, &pos, &k, &val)) {
			int std = PyUnicode_CheckExact(k) ? shmlog_py_std_attr(k) : 1;
			if (std != 0) {
				Py_CLEAR(*extra);
				return std < 0 ? -1 : 0;
			}
		}
	}
	return 1;
}

/* ------------------------------------------------------------------ the way to the handler */

/* D[NAME], borrowed; NULL when absent (or D is NULL). */
static PyObject *dict_get(PyObject *d, PyObject *name)
{
	PyObject *v = d ? PyDict_GetItemWithError(d, name) : NULL;

	if (!v)
		PyErr_Clear();
	return v;
}

/* O.__dict__, borrowed (O holds it); NULL when O has none that is a dict. */
static PyObject *instance_dict(PyObject *o)
{
	PyObject *d = PyObject_GenericGetDict(o, NULL);

	if (!d) {
		PyErr_Clear();
		return NULL;
	}
	Py_DECREF(d);
	return PyDict_CheckExact(d) ? d : NULL;
}

static int empty_list(PyObject *o)
{
	return o && PyList_CheckExact(o) && PyList_GET_SIZE(o) == 0;
}

/* H's Emitter when H is a shmlog.Handler that the fast path can stand in for; else NULL. */
static shmlog_py_emitter *our_handler(PyObject *h)
{
	PyObject *d = instance_dict(h), *emit, *handle;

	if (!d || !class_ok(&handler_rule, Py_TYPE(h)))
		return NULL;
	emit = dict_get(d, s_emit);
	if (!emit || Py_TYPE(emit) != &shmlog_py_EmitterType ||
	    ((shmlog_py_emitter *)emit)->handler != h)
		return NULL;
	handle = dict_get(d, s_handle);
	if (!handle || !PyCFunction_Check(handle) || PyCFunction_GET_SELF(handle) != emit)
		return NULL;
	if (!empty_list(dict_get(d, s_filters)) || dict_get(d, s_formatter) != Py_None)
		return NULL;
	return (shmlog_py_emitter *)emit;
}

enum way { WAY_SLOW, WAY_NONE, WAY_FAST };

/* Walks the loggers from SELF as callHandlers() does. WAY_FAST with *E (borrowed) when the
 * one handler is ours and takes LEVELNO; WAY_NONE when it is ours and does not. */
static enum way find_way(PyObject *self, long levelno, shmlog_py_emitter **e)
{
	PyObject *c = self, *d = instance_dict(self);
	int found = 0;

	if (!d || !is_false(dict_get(d, s_disabled)) || !empty_list(dict_get(d, s_filters)))
		return WAY_SLOW;
	/* A method set on the logger itself wins over the class's, which is all class_ok saw. */
	for (int i = 0; i < logger_rule.nmethods; i++)
		if (dict_get(d, logger_rule.method_str[i]))
			return WAY_SLOW;
	*e = NULL;
	while (c) {
		PyObject *hs, *prop;
		if (c != self && (!(d = instance_dict(c)) || !class_ok(&logger_rule, Py_TYPE(c))))
			return WAY_SLOW;
		hs = dict_get(d, s_handlers);
		if (!hs || !PyList_CheckExact(hs))
			return WAY_SLOW;
		for (Py_ssize_t i = 0; i < PyList_GET_SIZE(hs); i++) {
			if (++found > 1 || !(*e = our_handler(PyList_GET_ITEM(hs, i))))
				return WAY_SLOW;
		}
		prop = dict_get(d, s_propagate);
		if (prop == Py_False)
			break;
		if (prop != Py_True) /* logging takes any truth value; we take True and False */
			return WAY_SLOW;
		c = dict_get(d, s_parent);
		if (c == Py_None)
			break;
	}
	if (!found) /* logging's lastResort, or its one-time "no handlers" warning */
		return WAY_SLOW;
	PyObject *hlevel = dict_get(instance_dict((*e)->handler), s_level);
	if (!hlevel || !PyLong_CheckExact(hlevel))
		return WAY_SLOW;
	long hl = PyLong_AsLong(hlevel);
	if (hl == -1 && PyErr_Occurred()) {
		PyErr_Clear();
		return WAY_SLOW;
	}
	return levelno >= hl ? WAY_FAST : WAY_NONE;
}

/* ------------------------------------------------------------------ the caller */

static int internal_frame(PyObject *filename, PyObject *srcfile)
{
	int r;

	if (filename == srcfile || PyUnicode_Compare(filename, srcfile) == 0)
		return 1;
	if (PyErr_Occurred())
		return -1;
	if ((r = PyUnicode_Contains(filename, s_importlib)) <= 0)
		return r;
	return PyUnicode_Contains(filename, s_bootstrap);
}

/* log.origin.file.name (os.path.basename of the code's file, as LogRecord's filename),
 * log.origin.file.line, log.origin.function. */
static int add_origin(struct shmlog_fb *fb, PyCodeObject *co, int lineno)
{
	PyObject *file = co->co_filename, *base, *line;
	Py_ssize_t n = PyUnicode_GET_LENGTH(file);
	Py_ssize_t slash = PyUnicode_FindChar(file, '/', 0, n, -1);

	if (slash == -2)
		return -1;
	base = slash >= 0 ? PyUnicode_Substring(file, slash + 1, n) : Py_NewRef(file);
	if (!base || shmlog_fb_keep(fb, base) < 0 || shmlog_fb_add_c(fb, "log.origin.file.name", base))
		return -1;
	if (lineno >= 0) { /* logging's lineno is None for a frame without line numbers */
		line = PyLong_FromLong(lineno);
		if (!line || shmlog_fb_keep(fb, line) < 0 ||
		    shmlog_fb_add_c(fb, "log.origin.file.line", line))
			return -1;
	}
	return shmlog_fb_keep(fb, Py_NewRef(co->co_name)) < 0 ||
	       shmlog_fb_add_c(fb, "log.origin.function", co->co_name) < 0 ? -1 : 0;
}

/* F's line, as f.f_lineno. Python finds it by walking the code's line table from its start,
 * some 5,000 instructions for a call deep in a long module-level loop, more than the rest of
 * the fast path: so the line of a (code, instruction) pair is remembered. A code object is
 * immutable and each entry holds a reference to its code, so an entry never goes stale. */
static int line_number(PyFrameObject *f, PyCodeObject *co)
{
	static struct { PyCodeObject *code; int lasti, line; } seen[64];
	int lasti = PyFrame_GetLasti(f);
	size_t h = (((uintptr_t)co >> 4) ^ (unsigned)lasti * 2654435761u) % 64;

	if (lasti < 0)
		return PyFrame_GetLineNumber(f);
	if (seen[h].code != co || seen[h].lasti != lasti) {
		Py_XSETREF(seen[h].code, (PyCodeObject *)Py_NewRef(co));
		seen[h].lasti = lasti;
		seen[h].line = PyFrame_GetLineNumber(f);
	}
	return seen[h].line;
}

/* findCaller() with stacklevel 1: the first frame out from ours that is not logging's (or
 * importlib's bootstrap). Adds its file's base name, line and function. 0 added, 1 leave it to
 * logging (no caller below logging's frames), -1 error. */
static int add_caller(struct shmlog_fb *fb, PyObject *srcfile)
{
	PyFrameObject *f = PyEval_GetFrame();
	PyCodeObject *co = NULL;
	int r = 1;

	Py_XINCREF(f);
	while (f) {
		co = PyFrame_GetCode(f);
		int in = internal_frame(co->co_filename, srcfile);
		if (in < 0) {
			r = -1;
			break;
		}
		if (!in)
			break;
		Py_CLEAR(co);
		Py_SETREF(f, PyFrame_GetBack(f));
	}
	if (f && co && r != -1)
		r = add_origin(fb, co, line_number(f, co));
	Py_XDECREF(co);
	Py_XDECREF(f);
	return r;
}

/* ------------------------------------------------------------------ the record */

/* str(msg) % args, as LogRecord.getMessage(). A new reference, or NULL with an exception. */
static PyObject *message(PyObject *msg, PyObject *args)
{
	PyObject *s = PyUnicode_Check(msg) ? Py_NewRef(msg) : PyObject_Str(msg);

	if (s && PyTuple_GET_SIZE(args) > 0)
		Py_SETREF(s, PyUnicode_Format(s, args));
	return s;
}

/* logging's globals as the fast path needs them: _srcfile a non-empty str (new reference in
 * *SRCFILE), the record factory LogRecord (its class unchanged), currentframe and
 * _is_internal_frame the ones captured. 1, or 0 to leave the call to logging. */
static int logging_ok(PyObject **srcfile)
{
	PyObject *f = dict_get(logging_dict, s_srcfile);

	if (!f || !PyUnicode_Check(f) || PyUnicode_GET_LENGTH(f) == 0 ||
	    dict_get(logging_dict, s_factory) != LogRecord ||
	    dict_get(logging_dict, s_currentframe) != currentframe ||
	    dict_get(logging_dict, s_is_internal) != is_internal ||
	    !class_ok(&record_rule, (PyTypeObject *)LogRecord))
		return 0;
	*srcfile = Py_NewRef(f);
	return 1;
}

/* 1 written (or left out by a level, as logging would), 0 leave it to logging, -1 an error
 * raised (logging's _log then does the call again, unless it is no Exception). */
static int fast_log(PyObject *self, PyObject **v)
{
	PyObject *srcfile = NULL, *extra = NULL, *name = NULL, *s;
	shmlog_py_emitter *e = NULL;
	struct shmlog_fb fb;
	const char *msg, *tag;
	Py_ssize_t len;
	int rc;

	shmlog_fb_init(&fb);
	if ((rc = call_ok(v, &extra)) <= 0)
		goto out;
	rc = 0;
	long levelno = PyLong_AsLong(v[A_LEVEL]);
	if (levelno == -1 && PyErr_Occurred()) {
		PyErr_Clear();
		goto out;
	}
	if (!class_ok(&logger_rule, Py_TYPE(self)) || !logging_ok(&srcfile))
		goto out;
	switch (find_way(self, levelno, &e)) {
	case WAY_SLOW:
		goto out;
	case WAY_NONE:
		rc = 1;
		goto out;
	case WAY_FAST:
		break;
	}
	int level = shmlog_py_level_from_int(levelno);
	if (e->ring->fast && level < shmlog_get_level(e->ring->fast)) {
		rc = 1; /* the ring's live level: as the Emitter, before any formatting */
		goto out;
	}
	/* Taken before any of the caller's code runs: logging reads it in makeRecord. */
	name = dict_get(instance_dict(self), s_name);
	if (!name)
		goto out;
	Py_INCREF(name);
	Py_INCREF(e);
	rc = -1;
	if (shmlog_fb_keep(&fb, Py_NewRef(name)) < 0 || shmlog_fb_tag(&fb, name, &tag) < 0)
		goto out;
	if (!(s = message(v[A_MSG], v[A_ARGS])) || shmlog_fb_keep(&fb, s) < 0 ||
	    shmlog_fb_text(&fb, s, &msg, &len) < 0)
		goto out;
	if (e->fields) {
		if (extra && shmlog_fb_add_mapping(&fb, extra) < 0) /* in order, as the Emitter */
			goto out;
		int c = add_caller(&fb, srcfile);
		if (c) {
			rc = c > 0 ? 0 : -1;
			goto out;
		}
		if (shmlog_fb_add_context(&fb) < 0)
			goto out;
	}
	rc = shmlog_py_ring_write(e->ring, level, tag, msg, (size_t)len, &fb) < 0 ? -1 : 1;
out:
	shmlog_fb_release(&fb);
	if (name)
		Py_DECREF(e);
	Py_XDECREF(name);
	Py_XDECREF(extra);
	Py_XDECREF(srcfile);
	if (rc < 0 && !PyErr_Occurred())
		rc = 0; /* nothing raised, nothing written: logging's own _log decides */
	return rc;
}

/* Logger._log(self, level, msg, args, ...): the fast path, else logging's own. */
static PyObject *logger_log(PyObject *self, PyObject *const *args, Py_ssize_t nargsf,
			    PyObject *kwnames)
{
	Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
	Py_ssize_t nkw = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;
	PyObject *v[A_COUNT], *stack[1 + 2 * A_COUNT], **call = stack, *res;

	if (parse(args, nargs, kwnames, v)) {
		int r = fast_log(self, v);
		if (r > 0) {
			taken++;
			Py_RETURN_NONE;
		}
		if (r < 0) {
			/* logging does it again and reports the error as it always has. */
			if (!PyErr_ExceptionMatches(PyExc_Exception))
				return NULL;
			PyErr_Clear();
		}
	}
	passed_on++;
	/* Wrong arguments get logging's own TypeError: pass them all on, however many. */
	if (nargs + nkw > 2 * A_COUNT && !(call = PyMem_Malloc((size_t)(1 + nargs + nkw) *
							      sizeof(*call))))
		return PyErr_NoMemory();
	call[0] = self;
	memcpy(call + 1, args, (size_t)(nargs + nkw) * sizeof(*args));
	res = PyObject_Vectorcall(orig_log, call, (size_t)(nargs + 1), kwnames);
	if (call != stack)
		PyMem_Free(call);
	return res;
}

static PyMethodDef logger_log_def = {
	"_log", (PyCFunction)(void (*)(void))logger_log, METH_FASTCALL | METH_KEYWORDS,
	"_log(level, msg, args, exc_info=None, extra=None, stack_info=False, stacklevel=1)\n\n"
	"logging.Logger._log with shmlog's fast path: when a shmlog.Handler is the one handler\n"
	"on the way, the record goes to its ring without a LogRecord; otherwise logging's own\n"
	"_log. shmlog.fast_path(False) puts logging's back."};

/* ------------------------------------------------------------------ on and off */

/* logging's own Logger._log: a function whose code lives in logging's file. Another library's
 * _log put there before the first Handler is not taken for it (functools.wraps copies names,
 * not code). 1, 0, or -1 with an exception. */
static int is_loggings_own(PyObject *f, PyObject *logging)
{
	PyObject *add_level = PyObject_GetAttrString(logging, "addLevelName"), *own, *code;
	int r;

	if (!add_level)
		return -1;
	if (!PyFunction_Check(f) || !PyFunction_Check(add_level)) {
		Py_DECREF(add_level);
		return 0;
	}
	own = ((PyCodeObject *)PyFunction_GET_CODE(add_level))->co_filename;
	code = PyFunction_GET_CODE(f);
	r = PyUnicode_Compare(((PyCodeObject *)code)->co_filename, own) == 0;
	Py_DECREF(add_level);
	if (PyErr_Occurred())
		return -1;
	return r;
}

/* Takes what the fast path compares against, once: 1 done, 0 not possible (Logger._log is not
 * logging's own: another library's is left alone), -1 with an exception. Nothing is kept from
 * a try that did not succeed. */
static int capture(void)
{
	PyObject *logging = NULL, *Logger = NULL, *cabc = NULL, *orig = NULL, *ours = NULL;
	PyObject *rec = NULL, *map = NULL, *d;
	int rc = -1;

	if (orig_log)
		return 1;
	if (!(logging = PyImport_ImportModule("logging")) ||
	    !(cabc = PyImport_ImportModule("collections.abc")) ||
	    !(Logger = PyObject_GetAttrString(logging, "Logger")) ||
	    !(rec = PyObject_GetAttrString(logging, "LogRecord")) ||
	    !(map = PyObject_GetAttrString(cabc, "Mapping")) || !(d = PyModule_GetDict(logging)))
		goto out;
	if (!PyType_Check(Logger) || !PyType_Check(rec)) {
		rc = 0;
		goto out;
	}
	orig = Py_XNewRef(PyDict_GetItemString(((PyTypeObject *)Logger)->tp_dict, "_log"));
	if (!orig) { /* no _log of Logger's own: nothing to stand in for */
		rc = 0;
		goto out;
	}
	if ((rc = is_loggings_own(orig, logging)) <= 0)
		goto out;
	rc = -1;
	for (int i = 0; i < A_COUNT; i++)
		if (!arg_str[i] && !(arg_str[i] = PyUnicode_InternFromString(arg_names[i])))
			goto out;
#define S(v, s) (!(v) && !((v) = PyUnicode_InternFromString(s)))
	if (S(s_srcfile, "_srcfile") || S(s_factory, "_logRecordFactory") ||
	    S(s_currentframe, "currentframe") || S(s_is_internal, "_is_internal_frame") ||
	    S(s_importlib, "importlib") || S(s_bootstrap, "_bootstrap") ||
	    S(s_handlers, "handlers") || S(s_propagate, "propagate") || S(s_parent, "parent") ||
	    S(s_disabled, "disabled") || S(s_filters, "filters") || S(s_name, "name") ||
	    S(s_emit, "emit") || S(s_handle, "handle") || S(s_formatter, "formatter") ||
	    S(s_level, "level"))
		goto out;
#undef S
	if (rule_init(&logger_rule, Logger) < 0 || rule_init(&record_rule, rec) < 0 ||
	    !(ours = PyDescr_NewMethod((PyTypeObject *)Logger, &logger_log_def)))
		goto out;
	/* Published together, only now. */
	currentframe = Py_XNewRef(PyDict_GetItemWithError(d, s_currentframe));
	is_internal = Py_XNewRef(PyDict_GetItemWithError(d, s_is_internal));
	if (PyErr_Occurred())
		goto out;
	logging_dict = Py_NewRef(d);
	LogRecord = Py_NewRef(rec);
	Mapping = Py_NewRef(map);
	our_log = Py_NewRef(ours);
	orig_log = Py_NewRef(orig);
	rc = 1;
out:
	Py_XDECREF(orig);
	Py_XDECREF(ours);
	Py_XDECREF(map);
	Py_XDECREF(rec);
	Py_XDECREF(Logger);
	Py_XDECREF(cabc);
	Py_XDECREF(logging);
	return rc;
}

/* fast_path(enabled=None) -> bool: whether logging.Logger._log is ours, after setting it. */
static PyObject *py_fast_path(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
	PyObject *logging, *Logger, *cur;
	int want = -1, on;

	(void)module;
	if (nargs > 1)
		return PyErr_Format(PyExc_TypeError, "fast_path() takes at most 1 argument");
	if (nargs == 1 && args[0] != Py_None && (want = PyObject_IsTrue(args[0])) < 0)
		return NULL;
	if (capture() < 0)
		return NULL;
	if (!(logging = PyImport_ImportModule("logging")))
		return NULL;
	Logger = PyObject_GetAttrString(logging, "Logger");
	Py_DECREF(logging);
	if (!Logger)
		return NULL;
	cur = PyObject_GetAttrString(Logger, "_log");
	if (!cur) {
		Py_DECREF(Logger);
		return NULL;
	}
	on = cur == our_log;
	/* Only ours and logging's own are swapped: a _log someone else put there stays. */
	if (want == 1 && cur == orig_log)
		on = PyObject_SetAttrString(Logger, "_log", our_log) == 0 ? 1 : -1;
	else if (want == 0 && on)
		on = PyObject_SetAttrString(Logger, "_log", orig_log) == 0 ? 0 : -1;
	Py_DECREF(cur);
	Py_DECREF(Logger);
	return on < 0 ? NULL : PyBool_FromLong(on);
}

static PyObject *py_fast_path_counts(PyObject *module, PyObject *unused)
{
	(void)module;
	(void)unused;
	return Py_BuildValue("KK", taken, passed_on);
}

static PyMethodDef logger_methods[] = {
	{"fast_path_counts", py_fast_path_counts, METH_NOARGS,
	 "fast_path_counts() -> (taken, passed_on)\n\n"
	 "Calls of Logger._log since import: written by the fast path, and left to logging's own\n"
	 "_log (another handler on the way, filters, exc_info, ...)."},
	{"fast_path", (PyCFunction)(void (*)(void))py_fast_path, METH_FASTCALL,
	 "fast_path(enabled=None) -> bool\n\n"
	 "Turns logging's fast path on (True) or off (False), or just tells (None): whether\n"
	 "logging.Logger._log is shmlog's, which writes a record whose one handler is a\n"
	 "shmlog.Handler without making a LogRecord (the same record, some 5x faster)."},
	{NULL, NULL, 0, NULL},
};

int shmlog_py_logger_init(PyObject *module)
{
	return PyModule_AddFunctions(module, logger_methods);
}
