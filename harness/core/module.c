/* The ffi_identity extension module: every subject as a namespace
 * (ffi_identity.hashmap_node, ...) plus introspection of the native side.
 * Importable from plain Python (PYTHONPATH=build) and built into the
 * embedding runner.
 *
 * Multi-phase init: each interpreter that imports it (a sub-interpreter
 * too, X1) gets subjects of its own, with their own classes and
 * caches. The native objects and their header slots are the process's. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "subject_path.h"
#include "model/alloc.h"
#include "model/dag.h"
#include "binding.h"
#include "plugin.h"

/* ---- native hooks and fork: fan out to every subject ------------ */

static void on_refcount_changed(ffi_obj *o, int32_t rc)
{
    /* Strategies that set FFI_FLAG_OBSERVED keep their wrapper in the slot. */
    ffi_binding *binding = ((ffi_wrapper *)o->slot)->binding;
    if (!binding->finished && binding->cache.strategy->refcount_changed)
        binding->cache.strategy->refcount_changed(&binding->cache, o, rc);
}

static void on_freeing(ffi_obj *o)
{
    for (ffi_binding *i = ffi_binding_first(); i; i = i->next) {
        if (i->finished || !i->cache.strategy->native_free)
            continue;
        if (o->kind == FFI_OUTER)
            i->cache.strategy->native_free(&i->cache, ffi_inner_of(o));
        if (o->kind == FFI_DERIVED)
            i->cache.strategy->native_free(&i->cache, ffi_base_view(ffi_derived_base(o)));
        i->cache.strategy->native_free(&i->cache, ffi_handle_of(o));
    }
}

#define FORK_HOOK(fn, field)                                             \
    static void fn(void)                                                 \
    {                                                                    \
        for (ffi_binding *i = ffi_binding_first(); i; i = i->next)            \
            if (!i->finished && i->cache.strategy->field)                \
                i->cache.strategy->field(&i->cache);                     \
    }
FORK_HOOK(fork_prepare, fork_prepare)
FORK_HOOK(fork_parent, fork_parent)
FORK_HOOK(fork_child, fork_child)

/* ---- module functions -------------------------------------------------- */

static PyObject *subject_names(void)
{
    PyObject *names = PyList_New(0);
    for (ffi_binding *i = ffi_binding_first(); names && i; i = i->next) {
        if (!ffi_binding_is_here(i))
            continue;
        PyObject *s = PyUnicode_FromString(i->name);
        if (!s || PyList_Append(names, s) < 0) {
            Py_XDECREF(s);
            Py_CLEAR(names);
        }
        Py_XDECREF(s);
    }
    return names;
}

static PyObject *m_subjects(PyObject *m, PyObject *unused)
{
    (void)m, (void)unused;
    return subject_names();
}

static PyObject *m_load(PyObject *m, PyObject *arg)
{
    (void)m;
    const char *name = PyUnicode_AsUTF8(arg);
    if (!name)
        return NULL;
    ffi_binding *binding = ffi_binding_find(name);
    if (binding)
        return Py_NewRef(binding->module);
    PyObject *names = subject_names();
    PyObject *sep = PyUnicode_FromString(", ");
    PyObject *valid = names && sep ? PyUnicode_Join(sep, names) : NULL;
    if (valid)
        PyErr_Format(PyExc_ValueError, "unknown subject '%s'; valid names: %U", name, valid);
    Py_XDECREF(names);
    Py_XDECREF(sep);
    Py_XDECREF(valid);
    return NULL;
}

static PyObject *m_native_live(PyObject *m, PyObject *unused)
{
    (void)m, (void)unused;
    return PyLong_FromLongLong(ffi_native_live_total());
}

static PyObject *m_native_live_by_kind(PyObject *m, PyObject *unused)
{
    (void)m, (void)unused;
    PyObject *d = PyDict_New();
    for (int k = FFI_VAR; d && k < FFI_KIND_END; k++) {
        if (k == FFI_INNER || k == FFI_BASE)
            continue;
        PyObject *v = PyLong_FromLongLong(ffi_native_live((ffi_kind)k));
        if (!v || PyDict_SetItemString(d, ffi_kind_name((uint32_t)k), v) < 0)
            Py_CLEAR(d);
        Py_XDECREF(v);
    }
    return d;
}

static PyObject *m_alloc_stats(PyObject *m, PyObject *unused)
{
    (void)m, (void)unused;
    ffi_alloc_stats s = ffi_alloc_get_stats();
    return Py_BuildValue("{sLsLsLsLss}", "live_blocks", (long long)s.live_blocks, "live_bytes",
                         (long long)s.live_bytes, "total_allocs", (long long)s.total_allocs,
                         "total_bytes", (long long)s.total_bytes, "mode",
                         ffi_alloc_get_mode() == FFI_ALLOC_LIFO   ? "lifo"
                         : ffi_alloc_get_mode() == FFI_ALLOC_POOL ? "pool"
                                                                  : "malloc");
}

static PyObject *m_set_alloc_mode(PyObject *m, PyObject *arg)
{
    (void)m;
    const char *mode = PyUnicode_AsUTF8(arg);
    if (!mode)
        return NULL;
    if (strcmp(mode, "lifo") == 0)
        ffi_alloc_set_mode(FFI_ALLOC_LIFO);
    else if (strcmp(mode, "malloc") == 0)
        ffi_alloc_set_mode(FFI_ALLOC_MALLOC);
    else
        return PyErr_Format(PyExc_ValueError, "allocator mode must be 'lifo' or 'malloc', not '%s'", mode);
    Py_RETURN_NONE;
}

static PyObject *m_set_race_window(PyObject *m, PyObject *arg)
{
    (void)m;
    int on = PyObject_IsTrue(arg);
    if (on < 0)
        return NULL;
    ffi_race_window = on;
    Py_RETURN_NONE;
}

static PyObject *m_handle_of(PyObject *m, PyObject *w)
{
    (void)m;
    for (ffi_binding *i = ffi_binding_first(); i; i = i->next)
        if (PyObject_TypeCheck(w, i->base)) {
            ffi_wrapper *x = (ffi_wrapper *)w;
            return Py_BuildValue("(Ns)", PyLong_FromVoidPtr(x->handle.addr),
                                 ffi_kind_name(x->handle.kind));
        }
    return PyErr_Format(PyExc_TypeError, "not an ffi_identity wrapper: %.200s", Py_TYPE(w)->tp_name);
}

static PyObject *m_make_dag(PyObject *m, PyObject *args)
{
    (void)m;
    PyObject *ns;
    long n;
    int fanout = 3, layers = FFI_DAG_DEFAULT_LAYERS;
    unsigned long long seed = 1;
    if (!PyArg_ParseTuple(args, "Ol|iiK:make_dag", &ns, &n, &fanout, &layers, &seed))
        return NULL;
    return ffi_dag_build(ns, n, fanout, layers, seed);
}

static PyObject *m_dag_distinct(PyObject *m, PyObject *args)
{
    (void)m;
    PyObject *ns, *root;
    if (!PyArg_ParseTuple(args, "OO:dag_distinct_handles", &ns, &root))
        return NULL;
    long k = ffi_dag_distinct_handles(ns, root);
    return k < 0 ? NULL : PyLong_FromLong(k);
}

static PyObject *m_load_strategy(PyObject *m, PyObject *arg);

static PyMethodDef module_functions[] = {
    {"load_strategy", m_load_strategy, METH_O,
     "Load an out-of-tree strategy (.so); returns the subject names added."},
    {"make_dag", m_make_dag, METH_VARARGS, "make_dag(ns, n, fanout=3, layers=6, seed=1): root of an n-node DAG."},
    {"dag_distinct_handles", m_dag_distinct, METH_VARARGS, "Distinct handles reachable from a DAG root."},
    {"subjects", m_subjects, METH_NOARGS, "Names of the built-in subjects, e.g. 'hashmap+node'."},
    {"load", m_load, METH_O, "The namespace module of one subject, by name."},
    {"native_live", m_native_live, METH_NOARGS, "Native objects alive now (all kinds)."},
    {"native_live_by_kind", m_native_live_by_kind, METH_NOARGS, "Native objects alive now, per kind."},
    {"alloc_stats", m_alloc_stats, METH_NOARGS, "Native allocator counters."},
    {"set_alloc_mode", m_set_alloc_mode, METH_O, "'lifo' (reuse freed addresses at once) or 'malloc'."},
    {"set_race_window", m_set_race_window, METH_O, "Release the GIL inside wrapper creation."},
    {"handle_of", m_handle_of, METH_O, "(address, kind name) of any wrapper."},
    {NULL, NULL, 0, NULL}
};

static int exec_module(PyObject *m);

static PyModuleDef_Slot module_slots[] = {{Py_mod_exec, exec_module}, {0, NULL}};

static PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "ffi_identity",
    "FFI identity semantics: one namespace per wrapper-cache subject.",
    0, module_functions, module_slots, NULL, NULL, NULL
};

/* Exposes a binding as an attribute of ffi_identity. */
static int add_to_module(PyObject *m, ffi_binding *binding, int control)
{
    if (PyModule_AddIntConstant(binding->module, "control", control) < 0)
        return -1;
    /* The attribute name is the module name's last part: hashmap_node. */
    return PyModule_AddObjectRef(m, strrchr(binding->module_name, '.') + 1, binding->module);
}

static int add_binding(PyObject *m, const ffi_registered *r, ffi_style style)
{
    ffi_binding *binding = ffi_binding_find_or_create(r->strategy, style);
    if (binding)
        binding->glue = r->glue;
    return binding ? add_to_module(m, binding, r->control) : -1;
}

/* An out-of-tree strategy, added like a built-in in both reduce styles: a
 * new list of the subjects' names, or NULL with an ImportError. */
static PyObject *load_plugin(PyObject *m, const char *path)
{
    const ffi_strategy *s = ffi_plugin_open(path);
    if (!s)
        return NULL;
    static const ffi_style styles[] = {FFI_STYLE_NODE, FFI_STYLE_GRAPH};
    PyObject *names = PyList_New(0);
    for (int k = 0; names && k < 2; k++) {
        ffi_binding *binding = ffi_binding_find_or_create(s, styles[k]);
        PyObject *name = binding ? PyUnicode_FromString(binding->name) : NULL;
        if (!name || add_to_module(m, binding, 0) < 0 || PyList_Append(names, name) < 0)
            Py_CLEAR(names);
        Py_XDECREF(name);
    }
    return names;
}

static PyObject *m_load_strategy(PyObject *m, PyObject *arg)
{
    PyObject *path = NULL;
    if (!PyUnicode_FSConverter(arg, &path))
        return NULL;
    PyObject *names = load_plugin(m, PyBytes_AS_STRING(path));
    Py_DECREF(path);
    return names;
}

/* $STRATEGY_SO (colon-separated): 0, or -1 with an error. */
static int load_plugins_from_env(PyObject *m)
{
    const char *env = getenv("STRATEGY_SO");
    if (!env || !*env)
        return 0;
    char *paths = strdup(env), *save = NULL;
    if (!paths) {
        PyErr_NoMemory();
        return -1;
    }
    int rc = 0;
    for (char *p = strtok_r(paths, ":", &save); p && rc == 0; p = strtok_r(NULL, ":", &save)) {
        PyObject *names = load_plugin(m, p);
        rc = names ? 0 : -1;
        Py_XDECREF(names);
    }
    free(paths);
    return rc;
}

/* Runs once per interpreter that imports the module. */
static int exec_module(PyObject *m)
{
    for (const ffi_registered *const *r = ffi_builtin_strategies(); *r; r++)
        for (unsigned style = FFI_STYLE_NODE; style <= FFI_STYLE_NONE; style <<= 1)
            if (((*r)->styles & style) && add_binding(m, *r, (ffi_style)style) < 0)
                return -1;
    /* $STRATEGY_SO: out-of-tree strategies, so every runner and every spawned
     * worker sees the same subjects. */
    if (load_plugins_from_env(m) < 0)
        return -1;
    /* Adapters for real bindings are importable wherever ffi_identity is. */
    return ffi_subject_path_add();
}

PyMODINIT_FUNC PyInit_ffi_identity(void)
{
    static int once;   /* the native hooks are the process's */
    if (!once) {
        /* Strategies' fini, after the last wrapper is gone (natives freed
         * later, by C code, reach no finished strategy). */
        if (Py_AtExit(ffi_binding_fini_all) < 0) {
            PyErr_SetString(PyExc_RuntimeError,
                            "ffi_identity: Py_AtExit has no room left for the strategies' fini");
            return NULL;
        }
        once = 1;
        ffi_hooks.refcount_changed = on_refcount_changed;
        ffi_hooks.freeing = on_freeing;
        pthread_atfork(fork_prepare, fork_parent, fork_child);
    }
    return PyModuleDef_Init(&module_def);
}
