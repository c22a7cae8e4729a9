/* A subject under test: one strategy x one pickle reduce style,
 * with its own Python namespace (ffi_identity.<strategy>_<style>) holding
 * its own classes. Internal to the harness; strategies see strategy.h. */
#ifndef FFI_BINDING_H
#define FFI_BINDING_H

#include "model/native.h"
#include "builtin.h"
#include "strategy.h"

typedef enum ffi_style {
    FFI_STYLE_NODE = 1,
    FFI_STYLE_GRAPH = 2,
    FFI_STYLE_NONE = 4    /* no pickle support, like a binding that never wrote one */
} ffi_style;

typedef struct ffi_binding ffi_binding;

/* Every wrapper, whatever the strategy, has this layout. */
typedef struct ffi_wrapper {
    PyObject_HEAD
    ffi_handle handle;
    ffi_binding *binding;
    PyObject *dict;
    PyObject *weaklist;
} ffi_wrapper;

struct ffi_binding {
    ffi_cache cache;                      /* first: strategies get &binding->cache */
    ffi_strategy strategy;                /* cache.strategy: the adopted copy (abi.c) */
    const ffi_strategy *source;           /* the table it was read from */
    ffi_style style;
    unsigned glue;                        /* FFI_GLUE_* bits: controls only */
    char name[80];                        /* "hashmap+node" */
    char module_name[96];                 /* "ffi_identity.hashmap_node" */
    char type_names[FFI_KIND_END + 1][128];
    PyObject *module;                     /* strong */
    PyTypeObject *base;                   /* Object */
    PyTypeObject *cls[FFI_KIND_END];      /* by ffi_kind */
    PyObject *graph_load;                 /* module._graph_load, for reduce */
    int64_t interp;                       /* the interpreter it belongs to (its id) */
    ffi_binding *next;                       /* all subjects of every interpreter, in order */
    int finished;                         /* fini ran: no hook is called after it */
};

static inline ffi_binding *ffi_binding_of_cache(ffi_cache *c) { return (ffi_binding *)c; }

/* A strategy returned NULL without setting an exception: make that a
 * SystemError naming it (CPython would raise a vaguer one, or crash). */
PyObject *ffi_binding_null_without_error(ffi_binding *binding, const char *entry);

/* Wrap a native handle through the subject's strategy (new ref). */
static inline PyObject *ffi_binding_wrap(ffi_binding *binding, ffi_handle h)
{
    PyObject *w = binding->cache.strategy->wrap(&binding->cache, h);
    if (!w && !PyErr_Occurred())
        return ffi_binding_null_without_error(binding, "wrap");
    return w;
}

/* binding.c */
extern PyModuleDef ffi_binding_module_def;
ffi_binding *ffi_binding_of_type(PyTypeObject *tp);
ffi_binding *ffi_binding_create(const ffi_strategy *s, ffi_style style);
ffi_binding *ffi_binding_find_or_create(const ffi_strategy *s, ffi_style style);
/* Every interpreter's (native hooks reach them all: natives are shared). */
ffi_binding *ffi_binding_first(void);
/* The running interpreter's subject of that name, or NULL. */
ffi_binding *ffi_binding_find(const char *name);
/* Calls every subject's fini once. A Py_AtExit function: it runs at
 * the end of Py_FinalizeEx, when no wrapper can die any more. */
void ffi_binding_fini_all(void);
int ffi_binding_is_here(const ffi_binding *binding);   /* of the running interpreter */
const char *ffi_style_name(ffi_style style);
/* The handle behind `o` if it is a wrapper of `binding`; else -1 and TypeError. */
int ffi_binding_unwrap(ffi_binding *binding, PyObject *o, ffi_handle *out);
/* Wrap a fresh native reference and drop it (constructors). */
PyObject *ffi_binding_wrap_new(ffi_binding *binding, ffi_obj *fresh);
/* The same for a constructor called on `tp`, the kind's class or a Python
 * subclass of it: a wrapper the strategy makes for the fresh handle is a
 * `tp` (the subtype is honoured the way tp_alloc of the subclass would). */
PyObject *ffi_binding_wrap_new_as(ffi_binding *binding, ffi_obj *fresh, PyTypeObject *tp);
/* Wrap h; if the strategy makes a new wrapper for it, make it a `tp`. */
PyObject *ffi_binding_wrap_as(ffi_binding *binding, ffi_handle h, PyTypeObject *tp);

/* abi.c: strategy tables of every ABI version this harness speaks. */
/* 0 if the harness can use the table; else -1 and `why`, a phrase to put
 * after the table's origin ("PATH ", "strategy NAME "). */
int ffi_strategy_check(const ffi_strategy *s, char *why, size_t n);
/* The harness's copy of a checked table: the current layout, the fields
 * its version lacks zeroed, NULL hooks the harness calls unchecked set to
 * their defaults. */
void ffi_strategy_adopt(const ffi_strategy *s, ffi_strategy *out);
/* The host table a strategy of this ABI version was compiled to read. */
const ffi_host *ffi_host_for(uint32_t abi_version);

/* wrapper.c */
extern PyType_Slot ffi_wrapper_base_slots[];
PyType_Slot *ffi_wrapper_slots_for(ffi_kind kind);
PyObject *ffi_wrapper_new(ffi_cache *c, ffi_handle h);
/* Gives a wrapper's native reference away to native code, which drops it
 * (O1): the strategy forgets the wrapper, which then stands for nothing.
 * 0, or -1 with an exception. */
int ffi_wrapper_disown(PyObject *w);
extern int ffi_race_window;   /* >0: release the GIL inside wrapper creation */
/* The class the next wrapper made for `handle` must have (set around one
 * wrap by ffi_binding_wrap_as; per thread). */
typedef struct ffi_pending_class { PyTypeObject *type; ffi_handle handle; } ffi_pending_class;
extern _Thread_local ffi_pending_class ffi_pending;

/* reduce_node.c, reduce_graph.c */
PyObject *ffi_reduce_node(ffi_wrapper *w);
PyObject *ffi_reduce_graph(ffi_wrapper *w);
PyObject *ffi_reduce_none(ffi_wrapper *w);
PyObject *ffi_graph_load(PyObject *module, PyObject *args);   /* (records, cls=None) */

/* registry.c: the strategies built into this binary (builtin.h), in
 * listing order, NULL-terminated. */
const ffi_registered *const *ffi_builtin_strategies(void);

#endif
