/* handler.c - the Emitter: what shmlog.Handler's emit() and handle() are, one C call per record.
 *
 * logging itself costs some 4 us a call; a Handler written in Python that calls into C a few
 * times (getMessage, the fields, the write) would add as much again. So python/shmlog/_handler.py
 * sets the handler's emit (and handle) in its __init__ to an Emitter, a C object called through
 * vectorcall that holds the ring and the options and does all of a record here:
 *
 *   1. the level (record.levelno, mapped as Python's numbers are) against the ring's live
 *      minimum: shmlogcat --set-level silences Python writers at the cost of one load;
 *   2. the message: the handler's Formatter when one was set (setFormatter), else
 *      record.getMessage() (inlined for a plain LogRecord: str(msg) % args when args);
 *   3. the tag: the logger's name;
 *   4. the fields (unless fields=False): the extra= keys (the record's __dict__ beyond the
 *      standard attributes: when the dict is no larger than a standard record's, there are
 *      none and nothing is iterated), log.origin.file.name/.line, log.origin.function, and for
 *      an exception error.type, error.message, error.stack_trace (ECS names); then the fields of
 *      shmlog.contextualize();
 *   5. one write (ring.c): no I/O, no lock, the GIL released only when the ring is full.
 *
 * A failure anywhere (a closed ring, a __str__ that raises) goes to handler.handleError(record)
 * with the exception set as the one being handled, as logging's own handlers do; it never
 * reaches the application. Like theirs, KeyboardInterrupt, SystemExit and RecursionError are
 * not failures of the handler and pass through. handle() skips logging's per-handler lock, which serialises emit()
 * calls that need it; this one does not (the GIL and the ring's atomics are enough). With
 * filters on the handler, handle() is logging's own, lock included.
 */
#include "shmlog_py.h"

#include <stddef.h>

typedef shmlog_py_emitter emitter;

static PyObject *LogRecord;       /* logging.LogRecord */
static PyObject *getMessage;      /* LogRecord.getMessage, as logging defines it */
static PyObject *std_attrs;       /* frozenset: a LogRecord's own attributes, message, asctime */
static Py_ssize_t std_count;      /* len(LogRecord(...).__dict__) */
static PyObject *base_handle;     /* logging.Handler.handle */
static PyObject *format_exception; /* traceback.format_exception */
static PyObject *s_levelno, *s_msg, *s_args, *s_name, *s_filename, *s_lineno, *s_funcName,
	*s_exc_info, *s_exc_text, *s_formatter, *s_format, *s_filters, *s_handleError,
	*s_getMessage, *s___name__, *s_empty, *s_message, *s_asctime;

/* record.NAME, from its __dict__ when there (a new reference), else by getattr. */
static PyObject *rec_get(PyObject *record, PyObject *d, PyObject *name)
{
	PyObject *v = d ? PyDict_GetItemWithError(d, name) : NULL;

	if (v)
		return Py_NewRef(v);
	return PyErr_Occurred() ? NULL : PyObject_GetAttr(record, name);
}

static PyObject *get_message(emitter *e, PyObject *record, PyObject *d)
{
	PyObject *fmt = PyObject_GetAttr(e->handler, s_formatter), *msg, *args, *s;

	if (!fmt)
		return NULL;
	if (fmt != Py_None) {
		Py_DECREF(fmt);
		return PyObject_CallMethodOneArg(e->handler, s_format, record);
	}
	Py_DECREF(fmt);
	/* Inlined only for logging's own: a getMessage patched in at run time is called. */
	if ((PyObject *)Py_TYPE(record) != LogRecord || !d ||
	    _PyType_Lookup((PyTypeObject *)LogRecord, s_getMessage) != getMessage)
		return PyObject_CallMethodNoArgs(record, s_getMessage);
	/* LogRecord.getMessage: str(self.msg), then % self.args when args. */
	if (!(msg = rec_get(record, d, s_msg)))
		return NULL;
	if (!PyUnicode_Check(msg)) {
		Py_SETREF(msg, PyObject_Str(msg));
		if (!msg)
			return NULL;
	}
	if (!(args = rec_get(record, d, s_args))) {
		Py_DECREF(msg);
		return NULL;
	}
	int has = args != Py_None && PyObject_IsTrue(args);
	s = has > 0 ? PyUnicode_Format(msg, args) : has < 0 ? NULL : Py_NewRef(msg);
	Py_DECREF(args);
	Py_DECREF(msg);
	return s;
}

static int add_attr(struct shmlog_fb *fb, const char *key, PyObject *record, PyObject *d,
		    PyObject *name)
{
	PyObject *v = rec_get(record, d, name);

	if (!v || shmlog_fb_keep(fb, v) < 0)
		return -1;
	return v == Py_None ? 0 : shmlog_fb_add_c(fb, key, v);
}

/* error.type, error.message, error.stack_trace from record.exc_info, when it holds one. */
static int add_exception(struct shmlog_fb *fb, PyObject *record, PyObject *d)
{
	PyObject *ei = rec_get(record, d, s_exc_info), *v;

	if (!ei || shmlog_fb_keep(fb, ei) < 0)
		return -1;
	if (!PyTuple_Check(ei) || PyTuple_GET_SIZE(ei) != 3 || PyTuple_GET_ITEM(ei, 0) == Py_None)
		return 0;
	v = PyObject_GetAttr(PyTuple_GET_ITEM(ei, 0), s___name__);
	if (!v || shmlog_fb_keep(fb, v) < 0 || shmlog_fb_add_c(fb, "error.type", v) < 0)
		return -1;
	v = PyObject_Str(PyTuple_GET_ITEM(ei, 1));
	if (!v || shmlog_fb_keep(fb, v) < 0 || shmlog_fb_add_c(fb, "error.message", v) < 0)
		return -1;
	/* A Formatter caches the traceback's text in exc_text: use it when there. */
	v = rec_get(record, d, s_exc_text);
	if (!v)
		return -1;
	if (!PyUnicode_Check(v) || PyUnicode_GET_LENGTH(v) == 0) {
		PyObject *lines;
		Py_DECREF(v);
		lines = PyObject_Call(format_exception, ei, NULL);
		if (!lines)
			return -1;
		v = PyUnicode_Join(s_empty, lines);
		Py_DECREF(lines);
		if (!v)
			return -1;
	}
	if (shmlog_fb_keep(fb, v) < 0)
		return -1;
	return shmlog_fb_add_c(fb, "error.stack_trace", v);
}

static int add_fields(struct shmlog_fb *fb, PyObject *record, PyObject *d)
{
	if (d && PyDict_GET_SIZE(d) > std_count) {
		Py_ssize_t pos = 0;
		PyObject *k, *v;
		while (PyDict_Next(d, &pos, &k, &v)) {
			int std = PyUnicode_CheckExact(k) ? PySet_Contains(std_attrs, k) : 0;
			if (std < 0)
				return -1;
			if (std)
				continue;
			if (fb->n == SHMLOG_MAX_FIELDS) { /* counted, left out: nothing to hold */
				fb->skipped++;
				continue;
			}
			if (shmlog_fb_keep(fb, Py_NewRef(k)) < 0 || shmlog_fb_keep(fb, Py_NewRef(v)) < 0 ||
			    shmlog_fb_add(fb, k, v) < 0)
				return -1;
		}
	}
	if (add_attr(fb, "log.origin.file.name", record, d, s_filename) < 0 ||
	    add_attr(fb, "log.origin.file.line", record, d, s_lineno) < 0 ||
	    add_attr(fb, "log.origin.function", record, d, s_funcName) < 0)
		return -1;
	return add_exception(fb, record, d);
}

/* The record to the ring. 0, or -1 with an exception. */
static int emit(emitter *e, PyObject *record)
{
	PyObject *d = NULL, *v;
	struct shmlog_fb fb;
	const char *msg, *tag;
	Py_ssize_t len;
	long levelno;
	int level, rc = -1;

	if (shmlog_py_ring_check(e->ring) < 0)
		return -1;
	shmlog_fb_init(&fb);
	d = PyObject_GenericGetDict(record, NULL);
	if (!d)
		PyErr_Clear(); /* a record without a __dict__: getattr for everything */
	else if (!PyDict_Check(d))
		Py_CLEAR(d);
	if (d && shmlog_fb_keep(&fb, d) < 0)
		goto out;
	if (!(v = rec_get(record, d, s_levelno)))
		goto out;
	levelno = PyLong_AsLong(v);
	Py_DECREF(v);
	if (levelno == -1 && PyErr_Occurred())
		goto out;
	level = shmlog_py_level_from_int(levelno);
	if (level < shmlog_get_level(e->ring->fast)) {
		rc = 0;
		goto out;
	}
	if (!(v = get_message(e, record, d)) || shmlog_fb_keep(&fb, v) < 0 ||
	    shmlog_fb_text(&fb, v, &msg, &len) < 0)
		goto out;
	if (!(v = rec_get(record, d, s_name)) || shmlog_fb_keep(&fb, v) < 0 ||
	    shmlog_fb_tag(&fb, v, &tag) < 0)
		goto out;
	if (e->fields && (add_fields(&fb, record, d) < 0 || shmlog_fb_add_context(&fb) < 0))
		goto out;
	rc = shmlog_py_ring_write(e->ring, level, tag, msg, (size_t)len, &fb) < 0 ? -1 : 0;
out:
	shmlog_fb_release(&fb);
	return rc;
}

/* handler.handleError(record) for the pending exception, through shmlog._handler._handle_error,
 * which raises it again in Python: logging's handleError walks the traceback's frames, and an
 * exception raised in C has none. */
static PyObject *handle_error(emitter *e, PyObject *record)
{
	static PyObject *hook;
	PyObject *value, *res;

#if PY_VERSION_HEX >= 0x030C0000
	value = PyErr_GetRaisedException();
#else
	PyObject *type, *tb;
	PyErr_Fetch(&type, &value, &tb);
	PyErr_NormalizeException(&type, &value, &tb);
	if (tb && value)
		PyException_SetTraceback(value, tb);
	Py_XDECREF(type);
	Py_XDECREF(tb);
#endif
	if (!hook) {
		PyObject *m = PyImport_ImportModule("shmlog._handler");
		hook = m ? PyObject_GetAttrString(m, "_handle_error") : NULL;
		Py_XDECREF(m);
	}
	res = hook ? PyObject_CallFunctionObjArgs(hook, e->handler, record, value, NULL) : NULL;
	Py_XDECREF(value);
	return res;
}

static PyObject *emitter_call(emitter *e, PyObject *const *args, size_t nargsf, PyObject *kwnames)
{
	if (PyVectorcall_NARGS(nargsf) != 1 || kwnames)
		return PyErr_Format(PyExc_TypeError, "emit() takes one argument, the record");
	if (emit(e, args[0]) < 0) {
		/* As logging's own handlers: KeyboardInterrupt, SystemExit (anything not an
		 * Exception) and RecursionError reach the application; the rest goes to
		 * handleError. */
		if (!PyErr_ExceptionMatches(PyExc_Exception) ||
		    PyErr_ExceptionMatches(PyExc_RecursionError))
			return NULL;
		PyObject *res = handle_error(e, args[0]);
		if (!res)
			return NULL;
		Py_DECREF(res);
	}
	Py_RETURN_NONE;
}

static PyObject *emitter_handle(emitter *e, PyObject *record)
{
	PyObject *filters = PyObject_GetAttr(e->handler, s_filters), *res;
	int any;

	if (!filters)
		return NULL;
	any = PyObject_IsTrue(filters);
	Py_DECREF(filters);
	if (any < 0)
		return NULL;
	if (any)
		return PyObject_CallFunctionObjArgs(base_handle, e->handler, record, NULL);
	res = emitter_call(e, &record, 1, NULL);
	if (!res)
		return NULL;
	Py_DECREF(res);
	Py_RETURN_TRUE;
}

static PyObject *emitter_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = {"handler", "ring", "fields", NULL};
	PyObject *handler, *ring;
	int fields = 1;
	emitter *e;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "OO!|p:Emitter", kwlist, &handler,
					 &shmlog_py_RingType, &ring, &fields))
		return NULL;
	e = (emitter *)type->tp_alloc(type, 0);
	if (!e)
		return NULL;
	e->vectorcall = (vectorcallfunc)emitter_call;
	e->handler = Py_NewRef(handler);
	e->ring = (shmlog_py_ring *)Py_NewRef(ring);
	e->fields = fields;
	return (PyObject *)e;
}

static int emitter_traverse(emitter *e, visitproc visit, void *arg)
{
	Py_VISIT(e->handler);
	Py_VISIT(e->ring);
	return 0;
}

static int emitter_clear(emitter *e)
{
	Py_CLEAR(e->handler);
	Py_CLEAR(e->ring);
	return 0;
}

static void emitter_dealloc(emitter *e)
{
	PyObject_GC_UnTrack(e);
	emitter_clear(e);
	Py_TYPE(e)->tp_free((PyObject *)e);
}

static PyObject *emitter_get_fields(emitter *e, void *closure)
{
	(void)closure;
	return PyBool_FromLong(e->fields);
}

static PyMethodDef emitter_methods[] = {
	{"handle", (PyCFunction)emitter_handle, METH_O,
	 "handle(record) -> bool\n\nlogging.Handler.handle without the per-handler lock, which "
	 "this emit()\ndoes not need; with filters on the handler, logging's own handle()."},
	{NULL, NULL, 0, NULL},
};

static PyGetSetDef emitter_getset[] = {
	{"fields", (getter)emitter_get_fields, NULL, "Whether records carry fields.", NULL},
	{NULL, NULL, NULL, NULL, NULL},
};

PyTypeObject shmlog_py_EmitterType = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "shmlog.Emitter",
	.tp_basicsize = sizeof(emitter),
	.tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_HAVE_VECTORCALL,
	.tp_doc = "Emitter(handler, ring, fields=True)\n\n"
		  "shmlog.Handler's emit(): called with a logging.LogRecord, writes it to RING.\n"
		  "Errors go to handler.handleError(record).",
	.tp_vectorcall_offset = offsetof(emitter, vectorcall),
	.tp_call = PyVectorcall_Call,
	.tp_new = emitter_new,
	.tp_dealloc = (destructor)emitter_dealloc,
	.tp_traverse = (traverseproc)emitter_traverse,
	.tp_clear = (inquiry)emitter_clear,
	.tp_methods = emitter_methods,
	.tp_getset = emitter_getset,
};

int shmlog_py_std_attr(PyObject *key)
{
	return PySet_Contains(std_attrs, key);
}

static int intern(PyObject **slot, const char *s)
{
	*slot = PyUnicode_InternFromString(s);
	return *slot ? 0 : -1;
}

int shmlog_py_handler_init(PyObject *module)
{
	PyObject *logging = NULL, *traceback = NULL, *handler_cls = NULL, *rec = NULL, *d = NULL;
	PyObject *keys = NULL;
	int rc = -1;

	(void)module;
	if (intern(&s_levelno, "levelno") || intern(&s_msg, "msg") || intern(&s_args, "args") ||
	    intern(&s_name, "name") || intern(&s_filename, "filename") ||
	    intern(&s_lineno, "lineno") || intern(&s_funcName, "funcName") ||
	    intern(&s_exc_info, "exc_info") || intern(&s_exc_text, "exc_text") ||
	    intern(&s_formatter, "formatter") || intern(&s_format, "format") ||
	    intern(&s_filters, "filters") || intern(&s_handleError, "handleError") ||
	    intern(&s_getMessage, "getMessage") || intern(&s___name__, "__name__") ||
	    intern(&s_empty, "") || intern(&s_message, "message") || intern(&s_asctime, "asctime"))
		return -1;
	if (!(logging = PyImport_ImportModule("logging")) ||
	    !(traceback = PyImport_ImportModule("traceback")) ||
	    !(LogRecord = PyObject_GetAttrString(logging, "LogRecord")) ||
	    !(handler_cls = PyObject_GetAttrString(logging, "Handler")) ||
	    !(base_handle = PyObject_GetAttrString(handler_cls, "handle")) ||
	    !(format_exception = PyObject_GetAttrString(traceback, "format_exception")))
		goto out;
	if (!PyType_Check(LogRecord)) {
		PyErr_SetString(PyExc_RuntimeError, "shmlog: logging.LogRecord is not a class");
		goto out;
	}
	getMessage = _PyType_Lookup((PyTypeObject *)LogRecord, s_getMessage);
	if (!getMessage) {
		PyErr_SetString(PyExc_RuntimeError, "shmlog: logging.LogRecord has no getMessage");
		goto out;
	}
	Py_INCREF(getMessage);
	/* The standard attributes, from a record made here, plus what Formatter.format adds. */
	rec = PyObject_CallFunction(LogRecord, "sisisOO", "", 0, "", 0, "", Py_None, Py_None);
	if (!rec || !(d = PyObject_GenericGetDict(rec, NULL)) || !PyDict_Check(d))
		goto out;
	std_count = PyDict_GET_SIZE(d);
	if (!(keys = PySet_New(d)) || PySet_Add(keys, s_message) < 0 ||
	    PySet_Add(keys, s_asctime) < 0 ||
	    !(std_attrs = PyFrozenSet_New(keys)))
		goto out;
	rc = 0;
out:
	Py_XDECREF(logging);
	Py_XDECREF(traceback);
	Py_XDECREF(handler_cls);
	Py_XDECREF(rec);
	Py_XDECREF(d);
	Py_XDECREF(keys);
	return rc;
}
