/* Subjects: a strategy x a reduce style, each with its own namespace
 * module and classes, per interpreter. Subjects live as long as the
 * process: wrappers point at them and may outlive interpreter finalization
 * (a sub-interpreter's too: a native may keep one of its wrappers). Their
 * strategies' state goes at the end of finalization (ffi_binding_fini_all). */
#include <stdio.h>
#include <string.h>

#include "binding.h"

static ffi_binding *all_bindings, **all_tail = &all_bindings;

const char *ffi_style_name(ffi_style style)
{
    switch (style) {
    case FFI_STYLE_GRAPH: return "graph";
    case FFI_STYLE_NONE: return "none";
    default: return "node";
    }
}

ffi_binding *ffi_binding_first(void) { return all_bindings; }

/* Interpreter ids are never reused, unlike their states' addresses. */
static int64_t here(void) { return PyInterpreterState_GetID(PyInterpreterState_Get()); }

int ffi_binding_is_here(const ffi_binding *binding) { return binding->interp == here(); }

ffi_binding *ffi_binding_find(const char *name)
{
    int64_t interp = here();
    for (ffi_binding *i = all_bindings; i; i = i->next)
        if (i->interp == interp && strcmp(i->name, name) == 0)
            return i;
    return NULL;
}

void ffi_binding_fini_all(void)
{
    for (ffi_binding *i = all_bindings; i; i = i->next) {
        if (i->finished)
            continue;
        i->finished = 1;
        if (i->cache.strategy->fini)
            i->cache.strategy->fini(&i->cache);
    }
}

#if PY_VERSION_HEX < 0x030B0000
/* CPython 3.10 lacks PyType_GetModuleByDef (3.11): the first heap type in
 * the MRO whose module has our definition, as 3.11 looks it up. */
static PyObject *PyType_GetModuleByDef(PyTypeObject *tp, PyModuleDef *def)
{
    PyObject *mro = tp->tp_mro;
    for (Py_ssize_t k = 0; mro && k < PyTuple_GET_SIZE(mro); k++) {
        PyTypeObject *t = (PyTypeObject *)PyTuple_GET_ITEM(mro, k);
        if (!(t->tp_flags & Py_TPFLAGS_HEAPTYPE))
            continue;
        PyObject *m = PyType_GetModule(t);
        if (m && PyModule_GetDef(m) == def)
            return m;
        PyErr_Clear();
    }
    PyErr_Format(PyExc_TypeError, "PyType_GetModuleByDef: no superclass of '%s' has the given module",
                 tp->tp_name);
    return NULL;
}
#endif

ffi_binding *ffi_binding_of_type(PyTypeObject *tp)
{
    PyObject *m = PyType_GetModuleByDef(tp, &ffi_binding_module_def);
    return m ? *(ffi_binding **)PyModule_GetState(m) : NULL;
}

static ffi_binding *binding_of_module(PyObject *m) { return *(ffi_binding **)PyModule_GetState(m); }

int ffi_binding_unwrap(ffi_binding *binding, PyObject *o, ffi_handle *out)
{
    if (!PyObject_TypeCheck(o, binding->base)) {
        PyErr_Format(PyExc_TypeError, "expected an object of subject %s, got %.200s",
                     binding->name, Py_TYPE(o)->tp_name);
        return -1;
    }
    *out = ((ffi_wrapper *)o)->handle;
    if (!out->addr) {
        PyErr_SetString(PyExc_ValueError, "disowned: this wrapper's native object was given to native code");
        return -1;
    }
    return 0;
}

PyObject *ffi_binding_wrap_new(ffi_binding *binding, ffi_obj *fresh)
{
    PyObject *w = ffi_binding_wrap(binding, ffi_handle_of(fresh));
    ffi_decref(fresh);
    return w;
}

PyObject *ffi_binding_wrap_as(ffi_binding *binding, ffi_handle h, PyTypeObject *tp)
{
    if (!tp || tp == binding->cls[h.kind])
        return ffi_binding_wrap(binding, h);
    ffi_pending_class saved = ffi_pending;   /* a wrap inside a wrap (a __del__ that constructs) */
    ffi_pending.type = tp;
    ffi_pending.handle = h;
    PyObject *w = ffi_binding_wrap(binding, h);
    ffi_pending = saved;
    return w;
}

PyObject *ffi_binding_wrap_new_as(ffi_binding *binding, ffi_obj *fresh, PyTypeObject *tp)
{
    PyObject *w = ffi_binding_wrap_as(binding, ffi_handle_of(fresh), tp);
    ffi_decref(fresh);
    return w;
}

/* ---- the namespace module's functions ---------------------------------- */

static PyObject *m_cache_entries(PyObject *m, PyObject *unused)
{
    (void)unused;
    ffi_cache *c = &binding_of_module(m)->cache;
    return PyLong_FromSize_t(c->strategy->entries_live(c));
}

static PyObject *m_cache_bytes(PyObject *m, PyObject *unused)
{
    (void)unused;
    ffi_cache *c = &binding_of_module(m)->cache;
    return PyLong_FromSize_t(c->strategy->bytes_used(c));
}

static PyObject *m_same_as(PyObject *m, PyObject *args)
{
    PyObject *a, *b;
    ffi_handle ha, hb;
    ffi_binding *binding = binding_of_module(m);
    if (!PyArg_ParseTuple(args, "OO:same_as", &a, &b) || ffi_binding_unwrap(binding, a, &ha) < 0 ||
        ffi_binding_unwrap(binding, b, &hb) < 0)
        return NULL;
    return PyBool_FromLong(ffi_handle_eq(ha, hb));
}

static PyObject *m_native_live(PyObject *m, PyObject *unused)
{
    (void)m, (void)unused;
    return PyLong_FromLongLong(ffi_native_live_total());
}

static PyObject *m_handle(PyObject *m, PyObject *w)
{
    ffi_handle h;
    if (ffi_binding_unwrap(binding_of_module(m), w, &h) < 0)
        return NULL;
    return PyLong_FromVoidPtr(h.addr);
}

/* consume(w): native code takes w's native reference and drops it (a
 * unique_ptr sink); w is disowned (O1). */
static PyObject *m_consume(PyObject *m, PyObject *w)
{
    ffi_handle h;
    if (ffi_binding_unwrap(binding_of_module(m), w, &h) < 0 || ffi_wrapper_disown(w) < 0)
        return NULL;
    Py_RETURN_NONE;
}

/* visit_offset(layout, fn): a native function calls fn with the Layout's
 * offset and takes a native handle back from it (CB1). The argument is the
 * strategy's wrapper of the offset, as any field read gives; the return
 * must be a Var or Add of this subject. */
typedef struct visit { ffi_binding *binding; PyObject *fn; } visit;

static ffi_obj *visit_call(void *ctx, ffi_obj *offset)
{
    visit *v = ctx;
    ffi_handle h = ffi_handle_of(offset);
    PyObject *arg = v->binding->glue & FFI_GLUE_CALLBACK_FRESH ? ffi_wrapper_new(&v->binding->cache, h)
                                                             : ffi_binding_wrap(v->binding, h);
    PyObject *r = arg ? PyObject_CallOneArg(v->fn, arg) : NULL;
    Py_XDECREF(arg);
    if (!r || ffi_binding_unwrap(v->binding, r, &h) < 0) {
        Py_XDECREF(r);
        return NULL;
    }
    Py_DECREF(r);
    if (h.kind != FFI_VAR && h.kind != FFI_ADD) {
        PyErr_Format(PyExc_TypeError, "the callback must return a Var or an Add, not a %s", ffi_kind_name(h.kind));
        return NULL;
    }
    ffi_incref(h.addr);
    return h.addr;
}

static PyObject *m_visit_offset(PyObject *m, PyObject *args)
{
    ffi_binding *binding = binding_of_module(m);
    PyObject *layout, *fn;
    ffi_handle h;
    if (!PyArg_ParseTuple(args, "OO:visit_offset", &layout, &fn) || ffi_binding_unwrap(binding, layout, &h) < 0)
        return NULL;
    if (h.kind != FFI_LAYOUT)
        return PyErr_Format(PyExc_TypeError, "visit_offset takes a Layout, not a %s", ffi_kind_name(h.kind));
    visit v = {binding, fn};
    ffi_obj *r = ffi_layout_visit_offset(h.addr, visit_call, &v);
    return r ? ffi_binding_wrap_new(binding, r) : NULL;
}

/* intern(name): the interning entry point the suite calls (O1, X1); here
 * the interning constructor, Var(name, intern=True). */
static PyObject *m_intern(PyObject *m, PyObject *name)
{
    ffi_binding *binding = binding_of_module(m);
    PyObject *args = PyTuple_Pack(1, name);
    PyObject *kw = args ? Py_BuildValue("{sO}", "intern", Py_True) : NULL;
    PyObject *v = kw ? PyObject_Call((PyObject *)binding->cls[FFI_VAR], args, kw) : NULL;
    Py_XDECREF(kw), Py_XDECREF(args);
    return v;
}

static PyMethodDef binding_functions[] = {
    {"intern", m_intern, METH_O, "intern(name): Var(name, intern=True), the live Var of that name or a new one."},
    {"native_live", m_native_live, METH_NOARGS, "Native objects alive now (all subjects)."},
    {"handle", m_handle, METH_O, "The native address behind a wrapper."},
    {"cache_entries", m_cache_entries, METH_NOARGS, "Entries the strategy's cache holds now."},
    {"cache_bytes", m_cache_bytes, METH_NOARGS, "Bytes the strategy's cache uses now."},
    {"same_as", m_same_as, METH_VARARGS, "True if two wrappers stand for one handle."},
    {"consume", m_consume, METH_O, "Native code takes the wrapper's native and drops it; the wrapper is disowned."},
    {"visit_offset", m_visit_offset, METH_VARARGS,
     "visit_offset(layout, fn): native code calls fn(layout's offset) and returns what fn returned."},
    {"_graph_load", ffi_graph_load, METH_VARARGS,
     "_graph_load(records, cls=None): rebuild a graph-style pickle payload (its root a cls)."},
    {NULL, NULL, 0, NULL}
};

PyModuleDef ffi_binding_module_def = {
    PyModuleDef_HEAD_INIT, "ffi_identity.binding", "One subject under test.",
    sizeof(ffi_binding *), NULL, NULL, NULL, NULL, NULL
};

/* ---- creation ---------------------------------------------------------- */

static PyTypeObject *make_type(ffi_binding *binding, ffi_kind kind, const char *short_name,
                               PyType_Slot *slots, unsigned flags, PyTypeObject *base)
{
    char *spec_name = binding->type_names[kind];
    snprintf(spec_name, sizeof binding->type_names[kind], "%s.%s", binding->module_name, short_name);
    PyType_Spec spec = {spec_name, base ? 0 : (int)sizeof(ffi_wrapper), 0,
                        Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | flags, slots};
    PyObject *tp = PyType_FromModuleAndSpec(binding->module, &spec, (PyObject *)base);
    if (!tp || PyModule_AddObjectRef(binding->module, short_name, tp) < 0) {
        Py_XDECREF(tp);
        return NULL;
    }
    return (PyTypeObject *)tp;
}

static int make_types(ffi_binding *binding)
{
    /* The base class uses the slot after the kinds for its spec name. */
    binding->base = make_type(binding, FFI_KIND_END, "Object", ffi_wrapper_base_slots,
                           Py_TPFLAGS_BASETYPE | Py_TPFLAGS_DISALLOW_INSTANTIATION, NULL);
    if (!binding->base)
        return -1;
    for (int k = FFI_VAR; k < FFI_KIND_END; k++) {
        /* Every constructible class can be subclassed from Python; the
         * constructors honour the subtype (ffi_binding_wrap_new_as). */
        unsigned flags = k == FFI_INNER || k == FFI_BASE ? Py_TPFLAGS_DISALLOW_INSTANTIATION : Py_TPFLAGS_BASETYPE;
        binding->cls[k] = make_type(binding, (ffi_kind)k, ffi_kind_name((uint32_t)k),
                                 ffi_wrapper_slots_for((ffi_kind)k), flags, binding->base);
        if (!binding->cls[k])
            return -1;
    }
    return 0;
}

static int make_module(ffi_binding *binding)
{
    binding->module = PyModule_Create(&ffi_binding_module_def);
    if (!binding->module)
        return -1;
    *(ffi_binding **)PyModule_GetState(binding->module) = binding;
    /* Set the name before adding functions: pickle finds them by it. */
    if (PyModule_AddStringConstant(binding->module, "__name__", binding->module_name) < 0 ||
        PyModule_AddFunctions(binding->module, binding_functions) < 0 ||
        PyModule_AddStringConstant(binding->module, "name", binding->name) < 0 ||
        PyModule_AddStringConstant(binding->module, "strategy", binding->cache.strategy->name) < 0 ||
        PyModule_AddStringConstant(binding->module, "style", ffi_style_name(binding->style)) < 0 ||
        PyModule_AddStringConstant(binding->module, "summary", binding->cache.strategy->summary) < 0)
        return -1;
    /* What this subject can be asked to do (adapters list fewer). */
    PyObject *features = Py_BuildValue("(sssssssssssss)", "pickle", "weakref", "dict", "outer", "node",
                                       "live", "entries", "alloc", "subclass", "derived", "intern",
                                       "disown", "callback");
    PyObject *frozen = features ? PyFrozenSet_New(features) : NULL;
    Py_XDECREF(features);
    if (!frozen || PyModule_AddObject(binding->module, "features", frozen) < 0) {
        Py_XDECREF(frozen);
        return -1;
    }
    binding->graph_load = PyObject_GetAttrString(binding->module, "_graph_load");
    if (!binding->graph_load || make_types(binding) < 0)
        return -1;
    PyObject *modules = PyImport_GetModuleDict();
    return PyDict_SetItemString(modules, binding->module_name, binding->module);
}

ffi_binding *ffi_binding_create(const ffi_strategy *s, ffi_style style)
{
    char why[256];
    if (ffi_strategy_check(s, why, sizeof why) < 0) {
        PyErr_Format(PyExc_ImportError, "strategy %s %s", s->name ? s->name : "(unnamed)", why);
        return NULL;
    }
    ffi_binding *binding = PyMem_RawCalloc(1, sizeof *binding);
    if (!binding) {
        PyErr_NoMemory();
        return NULL;
    }
    ffi_strategy_adopt(s, &binding->strategy);
    binding->source = s;
    s = &binding->strategy;
    binding->style = style;
    binding->interp = here();
    snprintf(binding->name, sizeof binding->name, "%s+%s", s->name, ffi_style_name(style));
    snprintf(binding->module_name, sizeof binding->module_name, "ffi_identity.%s_%s", s->name,
             ffi_style_name(style));
    for (char *p = binding->module_name; *p; p++)
        if (*p == '-')
            *p = '_';
    binding->cache.host = ffi_host_for(s->abi_version);
    binding->cache.strategy = s;
    binding->cache.subject_name = binding->name;
    if (ffi_binding_find(binding->name)) {
        PyErr_Format(PyExc_ValueError, "subject %s is already loaded", binding->name);
        PyMem_RawFree(binding);
        return NULL;
    }
    if (s->init(&binding->cache) < 0) {
        if (!PyErr_Occurred())
            ffi_binding_null_without_error(binding, "init");
        PyMem_RawFree(binding);
        return NULL;
    }
    if (make_module(binding) < 0) {
        /* Keep the half-built binding: types made so far may point at it. */
        return NULL;
    }
    *all_tail = binding;
    all_tail = &binding->next;
    return binding;
}

PyObject *ffi_binding_null_without_error(ffi_binding *binding, const char *entry)
{
    PyErr_Format(PyExc_SystemError, "strategy '%s' (%s) failed in %s() without setting an exception",
                 binding->cache.strategy->name, binding->name, entry);
    return NULL;
}

ffi_binding *ffi_binding_find_or_create(const ffi_strategy *s, ffi_style style)
{
    if (!s->name)
        return ffi_binding_create(s, style);   /* refused there, with the reason */
    char name[sizeof ((ffi_binding *)0)->name];
    snprintf(name, sizeof name, "%s+%s", s->name, ffi_style_name(style));
    ffi_binding *binding = ffi_binding_find(name);
    return binding ? binding : ffi_binding_create(s, style);
}
