/* module.c - the extension module _shmlog: shmlog.Error, levels, and what the package's Python
 * glue (python/shmlog/) needs from C.
 *
 * Errors follow shmlog.h's one contract, translated once, here: a libshmlog call that fails with
 * -errno becomes shmlog.Error(errno, shmlog_errmsg()), an OSError whose message is the library's
 * one line naming the cause and the fix. Misuse from Python raises what Python would: TypeError
 * for a wrong type, ValueError for a bad value or a closed ring, TimeoutError for flush.
 *
 * Levels: Python's numbers (logging.INFO, any int between them maps to the level below it) and
 * shmlog's names, through shmlog_level_parse, so "warn", "CRIT", "3" mean what they mean to
 * shmlogcat -l. The one name Python has and shmlog lacks, "fatal", is critical.
 */
#include "shmlog_py.h"

#include <string.h>
#include <strings.h>

PyObject *shmlog_py_Error;
PyObject *shmlog_py_ctxvar;

PyObject *shmlog_py_raise(int err)
{
	PyObject *exc;

	if (err < 0)
		err = -err;
	exc = PyObject_CallFunction(shmlog_py_Error, "is", err, shmlog_errmsg());
	if (exc) {
		PyErr_SetObject(shmlog_py_Error, exc);
		Py_DECREF(exc);
	}
	return NULL;
}

int shmlog_py_level(PyObject *o)
{
	if (PyLong_Check(o) && !PyBool_Check(o)) {
		int overflow;
		long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
		if (overflow)
			return overflow < 0 ? SHMLOG_DEBUG : SHMLOG_CRITICAL;
		if (v == -1 && PyErr_Occurred())
			return -1;
		return shmlog_py_level_from_int(v < -1000 ? -1000 : v > 1000 ? 1000 : (long)v);
	}
	if (PyUnicode_Check(o)) {
		const char *s = PyUnicode_AsUTF8(o);
		int lv;
		if (!s)
			return -1;
		/* Digits are Python's numbers here, as for an int; shmlog_level_parse reads "1"-"5"
		 * as shmlog's own levels, so keep it to names. */
		lv = (*s >= '0' && *s <= '9') ? -EINVAL : shmlog_level_parse(s);
		if (lv < 0 && !strcasecmp(s, "fatal"))
			lv = SHMLOG_CRITICAL;
		if (lv < 0) {
			PyErr_Format(PyExc_ValueError,
				     "unknown level %R: use debug, info, warning, error, critical or "
				     "a number such as logging.INFO", o);
			return -1;
		}
		return lv;
	}
	PyErr_Format(PyExc_TypeError, "level must be an int (logging.INFO) or a name ('info'), "
		     "not %.100s", Py_TYPE(o)->tp_name);
	return -1;
}

static PyObject *py_level_name(PyObject *self, PyObject *arg)
{
	int lv = shmlog_py_level(arg);

	(void)self;
	return lv < 0 ? NULL : PyUnicode_FromString(shmlog_level_name(lv));
}

static PyObject *py_unlink(PyObject *self, PyObject *arg)
{
	const char *name = PyUnicode_AsUTF8(arg);
	int rc;

	(void)self;
	if (!name)
		return NULL;
	rc = shmlog_unlink(name);
	if (rc < 0)
		return shmlog_py_raise(rc);
	Py_RETURN_NONE;
}

static PyObject *py_set_level(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
	const char *name;
	int lv, rc;

	(void)self;
	if (nargs != 2)
		return PyErr_Format(PyExc_TypeError, "set_level(name, level) takes 2 arguments");
	if (!(name = PyUnicode_AsUTF8(args[0])) || (lv = shmlog_py_level(args[1])) < 0)
		return NULL;
	rc = shmlog_ring_set_level(name, lv);
	if (rc < 0)
		return shmlog_py_raise(rc);
	Py_RETURN_NONE;
}

static PyMethodDef module_methods[] = {
	{"level_name", py_level_name, METH_O,
	 "level_name(level) -> str\n\nshmlog's name ('debug' ... 'critical') for a level given as "
	 "Python's number or a name;\nValueError or TypeError for anything else."},
	{"unlink", py_unlink, METH_O,
	 "unlink(name)\n\nRemoves ring NAME's shared-memory object (processes attached keep it).\n"
	 "Raises shmlog.Error."},
	{"set_level", (PyCFunction)(void (*)(void))py_set_level, METH_FASTCALL,
	 "set_level(name, level)\n\nSets ring NAME's minimum level for every writer, as "
	 "shmlogcat --set-level does.\nRaises shmlog.Error (EACCES without write permission)."},
	{NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
	PyModuleDef_HEAD_INIT,
	.m_name = "shmlog._shmlog",
	.m_doc = "The C side of the package shmlog; import shmlog, not this.",
	.m_size = -1,
	.m_methods = module_methods,
};

PyMODINIT_FUNC PyInit__shmlog(void);
PyMODINIT_FUNC PyInit__shmlog(void)
{
	PyObject *m = PyModule_Create(&module_def);

	if (!m)
		return NULL;
	shmlog_py_Error = PyErr_NewExceptionWithDoc(
		"shmlog.Error",
		"A ring could not be opened or written: an OSError whose errno is the library's\n"
		"and whose message is its one line naming the cause and the fix (shmlog_errmsg).",
		PyExc_OSError, NULL);
	shmlog_py_ctxvar = PyContextVar_New("shmlog.context", NULL);
	if (!shmlog_py_Error || !shmlog_py_ctxvar || PyType_Ready(&shmlog_py_RingType) < 0 ||
	    PyType_Ready(&shmlog_py_EmitterType) < 0)
		goto err;
	if (PyModule_AddObjectRef(m, "Error", shmlog_py_Error) < 0 ||
	    PyModule_AddObjectRef(m, "context_var", shmlog_py_ctxvar) < 0 ||
	    PyModule_AddObjectRef(m, "Ring", (PyObject *)&shmlog_py_RingType) < 0 ||
	    PyModule_AddObjectRef(m, "Emitter", (PyObject *)&shmlog_py_EmitterType) < 0 ||
	    PyModule_AddStringConstant(m, "library_version", shmlog_version()) < 0 ||
	    PyModule_AddIntConstant(m, "MAX_MESSAGE", SHMLOG_MAX_MESSAGE) < 0 ||
	    PyModule_AddIntConstant(m, "MAX_FIELDS", SHMLOG_MAX_FIELDS) < 0 ||
	    shmlog_py_handler_init(m) < 0 || shmlog_py_logger_init(m) < 0)
		goto err;
	return m;
err:
	Py_DECREF(m);
	return NULL;
}
