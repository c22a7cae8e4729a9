/* Results and C API helpers for properties; see cf.h. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "model/fixture.h"
#include "cf.h"

static cf_status set_reason(cf_ctx *ctx, cf_status st, const char *fmt, va_list ap)
{
    vsnprintf(ctx->reason, sizeof ctx->reason, fmt, ap);
    /* One line: it ends up in TAP (a tool's error message may span several). */
    for (char *c = ctx->reason; *c; c++)
        if (*c == '\n' || *c == '\r')
            *c = ' ';
    return st;
}

cf_status cf_fail(cf_ctx *ctx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cf_status st = set_reason(ctx, CF_FAIL, fmt, ap);
    va_end(ap);
    PyErr_Clear();
    return st;
}

cf_status cf_skip(cf_ctx *ctx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cf_status st = set_reason(ctx, CF_SKIP, fmt, ap);
    va_end(ap);
    return st;
}

cf_status cf_error(cf_ctx *ctx, const char *doing)
{
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    PyObject *text = value ? PyObject_Str(value) : NULL;
    const char *msg = text ? PyUnicode_AsUTF8(text) : NULL;
    snprintf(ctx->reason, sizeof ctx->reason, "%s raised %s: %s", doing,
             type ? ((PyTypeObject *)type)->tp_name : "an error", msg ? msg : "?");
    Py_XDECREF(text);
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(tb);
    PyErr_Clear();
    return CF_FAIL;
}

static PyObject *check_module(const char *name, const char *src)
{
    PyObject *m = PyImport_ImportModule(name);
    if (m || !PyErr_ExceptionMatches(PyExc_ImportError))
        return m;
    PyErr_Clear();
    m = PyModule_New(name);
    PyObject *d = m ? PyModule_GetDict(m) : NULL;
    if (!d || PyDict_SetItemString(d, "__builtins__", PyEval_GetBuiltins()) < 0 ||
        PyDict_SetItemString(PyImport_GetModuleDict(), name, m) < 0) {
        Py_XDECREF(m);
        return NULL;
    }
    PyObject *r = PyRun_String(src, Py_file_input, d, d);
    if (!r) {
        PyDict_DelItemString(PyImport_GetModuleDict(), name);
        Py_DECREF(m);
        return NULL;
    }
    Py_DECREF(r);
    return m;
}

cf_status cf_python_check(cf_ctx *ctx, const char *module, const char *src, const char *fn, PyObject *args)
{
    PyObject *m = check_module(module, src);
    PyObject *f = m ? PyObject_GetAttrString(m, fn) : NULL;
    PyObject *all = f ? PyTuple_Pack(1, ctx->ns) : NULL;
    if (all && args)
        Py_SETREF(all, PySequence_Concat(all, args));
    PyObject *r = all ? PyObject_Call(f, all, NULL) : NULL;
    Py_XDECREF(all), Py_XDECREF(f), Py_XDECREF(m);
    if (!r)
        return cf_error(ctx, fn);
    cf_status st = CF_PASS;
    const char *kind, *reason;
    if (r != Py_None) {
        if (!PyArg_ParseTuple(r, "ss", &kind, &reason))
            st = cf_error(ctx, "reading the check's result");
        else
            st = strcmp(kind, "skip") == 0 ? cf_skip(ctx, "%s", reason) : cf_fail(ctx, "%s", reason);
    }
    Py_DECREF(r);
    return st;
}

PyObject *cf_new(PyObject *ns, const char *cls, const char *fmt, ...)
{
    PyObject *type = PyObject_GetAttrString(ns, cls);
    if (!type)
        return NULL;
    va_list ap;
    va_start(ap, fmt);
    PyObject *args = Py_VaBuildValue(fmt, ap);
    va_end(ap);
    PyObject *r = args ? PyObject_CallObject(type, args) : NULL;
    Py_XDECREF(args);
    Py_DECREF(type);
    return r;
}

PyObject *cf_get(PyObject *o, const char *attr) { return o ? PyObject_GetAttrString(o, attr) : NULL; }

PyObject *cf_item(PyObject *seq, Py_ssize_t i) { return seq ? PySequence_GetItem(seq, i) : NULL; }

/* Raw blocks of every small-object size class, freed with the capsule
 * that holds them: whatever size a binding's wrapper has (a Python class
 * with a dict, a C++ instance), its freed block is taken, which live Vars
 * alone do not guarantee when building them frees blocks of that class. */
enum { RAW_CLASSES = 32, RAW_PER_CLASS = 8 };
typedef struct raw_blocks { void *p[RAW_CLASSES * RAW_PER_CLASS]; } raw_blocks;

static void raw_blocks_free(PyObject *capsule)
{
    raw_blocks *b = PyCapsule_GetPointer(capsule, "cf.raw_blocks");
    for (size_t k = 0; b && k < sizeof b->p / sizeof *b->p; k++)
        PyObject_Free(b->p[k]);
    PyMem_Free(b);
}

static PyObject *raw_blocks_new(void)
{
    raw_blocks *b = PyMem_Calloc(1, sizeof *b);
    if (!b)
        return PyErr_NoMemory();
    for (int c = 0; c < RAW_CLASSES; c++)
        for (int k = 0; k < RAW_PER_CLASS; k++)
            b->p[c * RAW_PER_CLASS + k] = PyObject_Malloc((size_t)(c + 1) * 16);   /* 16..512 bytes */
    PyObject *capsule = PyCapsule_New(b, "cf.raw_blocks", raw_blocks_free);
    if (!capsule) {
        for (size_t k = 0; k < sizeof b->p / sizeof *b->p; k++)
            PyObject_Free(b->p[k]);
        PyMem_Free(b);
    }
    return capsule;
}

PyObject *cf_occupy_freed(PyObject *ns)
{
    PyObject *keep = PyList_New(0);
    PyObject *raw = keep ? raw_blocks_new() : NULL;
    if (!raw || PyList_Append(keep, raw) < 0)
        Py_CLEAR(keep);
    Py_XDECREF(raw);
    for (int k = 0; keep && k < 16; k++) {
        PyObject *v = cf_new(ns, "Var", "(s)", "filler");
        if (!v || PyList_Append(keep, v) < 0)
            Py_CLEAR(keep);
        Py_XDECREF(v);
    }
    return keep;
}

void cf_open_race_window(void)
{
    PyObject *on = ffi_py_call("ffi_identity", "set_race_window", "(O)", Py_True);
    Py_XDECREF(on);
    PyErr_Clear();   /* adapters have no race window; the threads still race */
    PyObject *sw = ffi_py_call("sys", "setswitchinterval", "(d)", 1e-6);
    Py_XDECREF(sw);
    PyErr_Clear();
}

PyObject *ffi_children(PyObject *node)
{
    PyObject *attr = cf_get(node, "children");
    PyObject *seq = attr ? PySequence_Fast(attr, "Node.children is not a sequence") : NULL;
    Py_XDECREF(attr);
    return seq;
}

PyObject *cf_pickle_roundtrip(PyObject *obj, int protocol)
{
    PyObject *data = ffi_py_call("pickle", "dumps", "(Oi)", obj, protocol);
    PyObject *r = data ? ffi_py_call("pickle", "loads", "(O)", data) : NULL;
    Py_XDECREF(data);
    return r;
}

int cf_same_handle(PyObject *ns, PyObject *a, PyObject *b)
{
    PyObject *ha = PyObject_CallMethod(ns, "handle", "O", a);
    PyObject *hb = ha ? PyObject_CallMethod(ns, "handle", "O", b) : NULL;
    int eq = hb ? PyObject_RichCompareBool(ha, hb, Py_EQ) : -1;
    Py_XDECREF(ha);
    Py_XDECREF(hb);
    return eq;
}

int cf_layout_make(PyObject *ns, cf_layout *l)
{
    l->layout = ffi_reported_layout(ns);
    return l->layout ? 0 : -1;
}

void cf_layout_clear(cf_layout *l) { Py_CLEAR(l->layout); }
