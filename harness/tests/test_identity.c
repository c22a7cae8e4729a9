/* I1-I3 and native refcounts for every subject, through the C API
 * of an embedded interpreter. Each strategy's documented behaviour is the
 * expectation: fresh mints a wrapper per access, every cache returns one. */
#include "driver/embed.h"
#include "core/binding.h"
#include "tap.h"

static PyObject *ffi;

static PyObject *make(PyObject *ns, const char *cls, PyObject *args)
{
    PyObject *type = PyObject_GetAttrString(ns, cls);
    PyObject *r = type && args ? PyObject_CallObject(type, args) : NULL;
    Py_XDECREF(type);
    Py_XDECREF(args);
    return r;
}

static long live(void)
{
    PyObject *n = PyObject_CallMethod(ffi, "native_live", NULL);
    long v = n ? PyLong_AsLong(n) : -1;
    Py_XDECREF(n);
    return v;
}

static long entries(PyObject *ns)
{
    PyObject *n = PyObject_CallMethod(ns, "cache_entries", NULL);
    long v = n ? PyLong_AsLong(n) : -1;
    Py_XDECREF(n);
    return v;
}

static void gc_collect(void)
{
    PyObject *gc = PyImport_ImportModule("gc");
    PyObject *r = gc ? PyObject_CallMethod(gc, "collect", NULL) : NULL;
    Py_XDECREF(r);
    Py_XDECREF(gc);
}

static void check_subject(const char *name)
{
    PyObject *ns = PyObject_CallMethod(ffi, "load", "s", name);
    PyObject *strategy = ns ? PyObject_GetAttrString(ns, "strategy") : NULL;
    if (!strategy) {
        PyErr_Print();
        tap_ok(0, "%s: load", name);
        Py_XDECREF(ns);
        return;
    }
    PyObject *control = PyObject_GetAttrString(ns, "control");
    int is_control = control && PyObject_IsTrue(control);
    Py_XDECREF(control);
    if (is_control) {   /* broken on purpose: the conformance suite's business */
        Py_DECREF(strategy);
        Py_DECREF(ns);
        return;
    }
    int caches = PyUnicode_CompareWithASCIIString(strategy, "fresh") != 0;
    int leaks = PyUnicode_CompareWithASCIIString(strategy, "leaky") == 0;
    const char *want = caches ? "is" : "is not";
    long base = live();

    PyObject *i = make(ns, "Var", Py_BuildValue("(s)", "i"));
    PyObject *j = make(ns, "Var", Py_BuildValue("(s)", "j"));
    PyObject *add = make(ns, "Add", Py_BuildValue("(OO)", i, j));
    PyObject *layout = make(ns, "Layout", Py_BuildValue("((OO)O)", i, j, add));
    PyObject *off1 = PyObject_GetAttrString(layout, "offset");
    PyObject *off2 = PyObject_GetAttrString(layout, "offset");
    PyObject *axes = PyObject_GetAttrString(layout, "axes");
    PyObject *a = PyObject_GetAttrString(off1, "a");
    PyObject *add_a = PyObject_GetAttrString(add, "a");
    if (!add_a) {
        PyErr_Print();
        tap_ok(0, "%s: build the reported layout", name);
        return;
    }
    ffi_obj *native_i = ((ffi_wrapper *)i)->handle.addr;
    /* Whatever the strategy, wrappers compare and hash by handle. */
    int eq = PyObject_RichCompareBool(a, PyTuple_GET_ITEM(axes, 0), Py_EQ);
    int ne = PyObject_RichCompareBool(a, PyTuple_GET_ITEM(axes, 1), Py_EQ);
    tap_ok(eq == 1 && ne == 0 && PyObject_Hash(a) == PyObject_Hash(PyTuple_GET_ITEM(axes, 0)),
           "%s: wrappers of one handle are == and hash alike; of two handles, !=", name);
    tap_ok((off1 == off2) == caches, "%s I1: layout.offset %s layout.offset", name, want);
    tap_ok((PyTuple_GET_ITEM(axes, 0) == a) == caches, "%s I2: layout.axes[0] %s layout.offset.a", name, want);
    tap_ok((add_a == i) == caches, "%s I3: Add(i, j).a %s i", name, want);
    /* Natively i is held by the Add and by the Layout's axes; each live
     * wrapper of i adds one: fresh has four (i, axes[0], a, add_a), a cache one. */
    long want_rc = 2 + (caches ? 1 : 4);
    tap_ok(native_i->refcount == want_rc, "%s: Var i's native refcount is %ld (got %d)", name,
           want_rc, native_i->refcount);
    Py_DECREF(add_a);
    Py_DECREF(a);
    Py_DECREF(axes);
    Py_DECREF(off2);
    Py_DECREF(off1);
    Py_DECREF(layout);
    Py_DECREF(add);
    Py_DECREF(j);
    Py_DECREF(i);
    gc_collect();
    if (leaks)
        tap_ok(live() > base && entries(ns) > 0, "%s: keeps natives and entries after release (its point)", name);
    else
        tap_ok(live() == base && entries(ns) == 0, "%s: all natives freed, cache empty after release", name);
    Py_DECREF(strategy);
    Py_DECREF(ns);
}

int main(int argc, char **argv)
{
    (void)argc;
    if (ffi_embed_start(argv[0]) < 0)
        return 1;
    tap_start();
    ffi = PyImport_ImportModule("ffi_identity");
    PyObject *names = ffi ? PyObject_CallMethod(ffi, "subjects", NULL) : NULL;
    if (!names) {
        PyErr_Print();
        tap_ok(0, "import ffi_identity");
    }
    for (Py_ssize_t k = 0; names && k < PyList_GET_SIZE(names); k++)
        check_subject(PyUnicode_AsUTF8(PyList_GET_ITEM(names, k)));
    Py_XDECREF(names);
    Py_XDECREF(ffi);
    int rc = tap_end();
    if (ffi_embed_stop() < 0)
        rc = 1;
    return rc;
}
