/* The conformance suite's shared vocabulary: properties as data, the
 * context a property runs in, and small C API helpers. */
#ifndef CF_H
#define CF_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "driver/pyops.h"
#include "driver/subject.h"


typedef enum cf_params { CF_PARAM_NONE, CF_PARAM_PROTOCOL, CF_PARAM_CONTEXT } cf_params;

typedef enum cf_status { CF_PASS, CF_FAIL, CF_SKIP } cf_status;

typedef struct cf_ctx {
    PyObject *ns;          /* the subject's namespace */
    const char *subject;   /* its name, e.g. "hashmap+node" */
    int protocol;          /* CF_PARAM_PROTOCOL: 2..5 */
    const char *context;   /* CF_PARAM_CONTEXT: fork, spawn, forkserver */
    char reason[400];      /* why it failed or was skipped */
    int builtin;           /* a subject of ffi_identity, else a real tool's adapter */
} cf_ctx;

typedef struct cf_property {
    const char *id;        /* stable: "P3" */
    const char *name;      /* short: "nested-across-roots" */
    const char *checks;    /* what it checks, one line */
    const char *why;       /* why it matters, one line */
    unsigned needs;        /* ffi_feature bits */
    cf_params params;
    cf_status (*run)(cf_ctx *ctx);
} cf_property;

/* Registration is data: a property file follows each definition with
 *     CF_REGISTER(cf_P3);
 * which puts a pointer to it in the cf_catalogue section; adding a property
 * touches its own file (and the expectations) only. */
#define CF_REGISTER(p) \
    static const cf_property *const cf_registered_##p __attribute__((used, section("cf_catalogue"))) = &(p)
/* Every registered property in catalogue order (by family, in the order
 * conformance/catalogue.c lists them, then by number), NULL-terminated. */
const cf_property *const *cf_catalogue(void);

/* Results. cf_fail/cf_skip format the reason; cf_error takes it from the
 * pending Python exception. */
cf_status cf_fail(cf_ctx *ctx, const char *fmt, ...);
cf_status cf_skip(cf_ctx *ctx, const char *fmt, ...);
cf_status cf_error(cf_ctx *ctx, const char *doing);
#define CF_CHECK(ctx, cond, ...) \
    do { if (!(cond)) return cf_fail((ctx), __VA_ARGS__); } while (0)

/* A check written in Python: fn(ns, *args) from src, which is made once per
 * process into a module of that name registered in sys.modules (so pickle
 * finds classes it defines). fn returns None (pass) or (kind, reason), kind
 * "fail" or "skip". args may be NULL. */
cf_status cf_python_check(cf_ctx *ctx, const char *module, const char *src, const char *fn, PyObject *args);

/* C API helpers; all return new references or NULL with an exception. */
PyObject *cf_new(PyObject *ns, const char *cls, const char *fmt, ...);  /* ns.cls(*args) */
PyObject *cf_get(PyObject *o, const char *attr);
PyObject *cf_item(PyObject *seq, Py_ssize_t i);
/* node.children as a list or tuple (PySequence_Fast), whatever sequence
 * the binding returns (tvm-ffi's List); NULL with an exception. */
PyObject *ffi_children(PyObject *node);
/* A list of live Vars that take the memory dropped wrappers left: without
 * them a strategy that lost a wrapper would often get the same address back
 * by allocator luck (id() would look stable when it is not), and a stale
 * pointer would find its old contents. */
PyObject *cf_occupy_freed(PyObject *ns);
/* For the thread races (T1, R2): the harness releases the GIL inside
 * wrapper creation (real bindings have no such window) and threads switch
 * every microsecond, so first accesses really interleave. */
void cf_open_race_window(void);
PyObject *cf_pickle_roundtrip(PyObject *obj, int protocol);
int cf_same_handle(PyObject *ns, PyObject *a, PyObject *b);   /* 1, 0 or -1 */

/* The reported layout (harness/model/fixture.h), released by cf_layout_clear. */
typedef struct cf_layout { PyObject *layout; } cf_layout;
int cf_layout_make(PyObject *ns, cf_layout *l);
void cf_layout_clear(cf_layout *l);

#endif
