/* shmlog_py.h - private header of the extension _shmlog: the objects its files share.
 *
 * The extension is five files, one concern each:
 *   module.c   the module, shmlog.Error, level mapping
 *   ring.c     the Ring type: two libshmlog handles, the fast one written with the GIL held,
 *              the waiting one with the GIL released (see ring.c's opening comment)
 *   fields.c   Python values -> struct shmlog_field (str never raising on surrogates), and the
 *              contextvar's fields
 *   handler.c  the Emitter: a logging.LogRecord -> one record, as a C callable
 *   logger.c   logging's fast path: Logger._log writing straight to a shmlog.Handler's ring
 *
 * Single-phase module: its globals below are set once by PyInit__shmlog.
 */
#ifndef SHMLOG_PY_H
#define SHMLOG_PY_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <shmlog.h>

/* ---- module.c ---------------------------------------------------------------------------- */

extern PyObject *shmlog_py_Error;     /* shmlog.Error, a subclass of OSError */
extern PyObject *shmlog_py_ctxvar;    /* the ContextVar shmlog.contextualize sets */

/* Raises shmlog.Error(ERR, shmlog_errmsg()) for ERR = -rc or errno. Returns NULL. */
PyObject *shmlog_py_raise(int err);

/* A level as Python or shmlog names it (logging.INFO, 25, "info", "WARNING", ...) -> 1..5;
 * -1 with TypeError/ValueError set. */
int shmlog_py_level(PyObject *o);

/* Python logging's number -> shmlog level: <20 debug, 20-29 info, ... >=50 critical. */
static inline int shmlog_py_level_from_int(long v)
{
	return v < 20 ? SHMLOG_DEBUG : v < 30 ? SHMLOG_INFO : v < 40 ? SHMLOG_WARNING
		: v < 50 ? SHMLOG_ERROR : SHMLOG_CRITICAL;
}

/* ---- fields.c ---------------------------------------------------------------------------- */

/* Fields of one record under construction. Pointers in f[] point into Python objects that
 * keep[] holds (or that the caller holds) until shmlog_fb_release. Lives on the stack. */
#define SHMLOG_FB_KEEP (6 * SHMLOG_MAX_FIELDS + 8)
struct shmlog_fb {
	size_t n, skipped;   /* fields set; fields beyond SHMLOG_MAX_FIELDS, left out */
	size_t nkeep;
	struct shmlog_field f[SHMLOG_MAX_FIELDS];
	PyObject *keep[SHMLOG_FB_KEEP];
};

static inline void shmlog_fb_init(struct shmlog_fb *fb)
{
	fb->n = fb->skipped = fb->nkeep = 0;
}
void shmlog_fb_release(struct shmlog_fb *fb);

/* Holds O (a new reference, stolen) until release. Returns 0, or -1 (O released). */
int shmlog_fb_keep(struct shmlog_fb *fb, PyObject *o);

/* UTF-8 of S (a str; anything else goes through str()), held until release. A lone surrogate
 * never raises: surrogateescape where it round-trips bytes, else backslashreplace. Returns 0,
 * or -1 with an exception (str() raised, no memory). */
int shmlog_fb_text(struct shmlog_fb *fb, PyObject *s, const char **p, Py_ssize_t *len);

/* The tag S as text (as shmlog_fb_text), NUL-terminated and cut to SHMLOG_MAX_TAG bytes on a
 * character boundary. Returns 0, or -1 with an exception. */
int shmlog_fb_tag(struct shmlog_fb *fb, PyObject *s, const char **p);

/* Adds KEY = VALUE, keeping VALUE's type (bool, int within int64, float, str; anything else
 * and larger ints as str()). A non-str key goes through str(); an empty one becomes "_".
 * Returns 0 or -1 with an exception. */
int shmlog_fb_add(struct shmlog_fb *fb, PyObject *key, PyObject *value);
int shmlog_fb_add_c(struct shmlog_fb *fb, const char *key, PyObject *value);

/* Adds every pair of MAPPING (a dict or any mapping with items()). */
int shmlog_fb_add_mapping(struct shmlog_fb *fb, PyObject *mapping);

/* Adds the fields of the current contextvars context (shmlog.contextualize), leaving out keys
 * the record already has: a record's own field wins. */
int shmlog_fb_add_context(struct shmlog_fb *fb);

/* ---- ring.c ------------------------------------------------------------------------------ */

typedef struct {
	PyObject_HEAD
	struct shmlog *fast;   /* SHMLOG_ON_FULL_EAGAIN: never waits; NULL once closed */
	struct shmlog *slow;   /* the caller's policy; opened at the first full ring */
	struct shmlog_options opts; /* how the ring was opened, for the slow handle */
	PyObject *name;        /* str */
	PyObject *tag;         /* str: the default tag */
	int busy;              /* calls inside Py_BEGIN_ALLOW_THREADS on these handles */
	int closing;           /* close() came while busy: the last one out closes */
	PyObject *weakrefs;
} shmlog_py_ring;

extern PyTypeObject shmlog_py_RingType;

/* Raises ValueError for a closed ring and returns -1; 0 when open. */
int shmlog_py_ring_check(shmlog_py_ring *r);

/* Writes one record: the fast handle with the GIL held; on a full ring, the slow handle with
 * the GIL released. Returns 1 written, 0 filtered out or dropped (counted by the library), -1
 * with an exception. Truncation of long messages is the library's, with its mark. */
int shmlog_py_ring_write(shmlog_py_ring *r, int level, const char *tag, const char *msg,
			 size_t len, struct shmlog_fb *fb);

/* ---- handler.c --------------------------------------------------------------------------- */

/* shmlog.Handler's emit: the handler it belongs to, its ring, whether records carry fields. */
typedef struct {
	PyObject_HEAD
	vectorcallfunc vectorcall;
	PyObject *handler;
	shmlog_py_ring *ring;
	int fields;
} shmlog_py_emitter;

extern PyTypeObject shmlog_py_EmitterType;
int shmlog_py_handler_init(PyObject *module);

/* 1 when KEY (a str) is one of a LogRecord's own attributes, or message or asctime (an extra=
 * key logging refuses); 0 when not; -1 with an exception. */
int shmlog_py_std_attr(PyObject *key);

/* ---- logger.c ---------------------------------------------------------------------------- */

/* Adds fast_path() to the module. */
int shmlog_py_logger_init(PyObject *module);

#endif /* SHMLOG_PY_H */
