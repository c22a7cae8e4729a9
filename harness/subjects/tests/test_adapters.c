/* The adapters for real bindings load and keep the subject protocol:
 * the reported layout builds, handles agree across reads and paths,
 * wrappers compare by handle, native objects go away, pickling and the
 * Outer/Inner view work where claimed, and each binding gives the identity
 * it really gives (pybind11: the live wrapper again; ctypes, cffi, Cython: a
 * new one per access, unless a variant's pattern keeps it). `make adapters`
 * installs and builds every tool but the heavy ones, so their absence is a
 * failure; a heavy tool's is a skip.
 * Each subject is checked in a process of its own: two versions of one
 * tool cannot share an interpreter. */
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "driver/embed.h"
#include "model/fixture.h"
#include "../../tests/tap.h"

#define PY_SSIZE_T_CLEAN
#include <Python.h>

typedef struct expected {
    const char *tool;   /* TOOL: every version and variant of it; TOOL+VARIANT: that variant */
    int required;       /* installed and built by `make adapters`: must be available */
    int same_wrapper;   /* layout.offset is layout.offset while the first is held; -1: unknown */
} expected;

static const expected known[] = {
    {"tvm-ffi", 1, -1},  {"nanobind", 1, -1}, {"pybind11", 1, 1}, {"torch", 0, -1},
    {"cython", 1, 0},    {"swig", 1, 0},      {"boost-python", 1, 1},
    {"pygobject", 1, 1}, {"cffi", 1, 0},     {"ctypes", 1, 0},       {"sip", 1, 1},
    {"pyo3", 0, -1},   /* heavy (installed by HEAVY=1); py_fields keeps one object, arc does not */
    {"shiboken6", 0, 1},   /* heavy: built by `make HEAVY=1 adapters` */
    {"jpype", 0, 0},   /* heavy: a JVM per process */
    {"boost-python+cpp-factory", 1, 0},   /* natives made in C++: no wrapper comes back */
    {"ctypes+owner-held", 1, 1},          /* the parent's wrapper holds its children's */
    {"ctypes+weak-cache", 1, 1},
    {"cffi+owner-held", 1, 1},
    {"cffi+weak-cache", 1, 1},
    {"cython+owner-held", 1, 1},   /* cdef object fields hold the children's wrappers */
    {"cython+weak-cache", 1, 1},
    {"pythonnet", 0, 0},   /* heavy: Mono from Debian, the model built by `make HEAVY=1 adapters` */
    {"cppyy", 0, 0},       /* heavy; a shared_ptr<Base> field is read by dynamic_pointer_cast, by value */
};

static const char *const feature_names[] = {"pickle", "weakref", "dict", "outer", "node", "live",
                                            "entries", "alloc", "subclass", "derived", "intern",
                                            "disown", "callback"};

/* The entry of TOOL+VARIANT, else of TOOL, for TOOL[+VARIANT]@VERSION. */
static const expected *lookup(const char *name)
{
    size_t lengths[] = {strcspn(name, "@"), strcspn(name, "@+")};
    for (size_t i = 0; i < 2; i++)
        for (size_t k = 0; k < sizeof known / sizeof *known; k++)
            if (strlen(known[k].tool) == lengths[i] && !strncmp(known[k].tool, name, lengths[i]))
                return &known[k];
    return NULL;
}

static void check_adapter(PyObject *registry, const char *name);

/* check_adapter in a forked child; TAP numbering goes on from its count. */
static void check_adapter_isolated(PyObject *registry, const char *name)
{
    int fds[2];
    fflush(stdout);
    if (pipe(fds) < 0) {
        tap_ok(0, "%s: pipe", name);
        return;
    }
    PyOS_BeforeFork();
    pid_t pid = fork();
    if (pid == 0) {
        PyOS_AfterFork_Child();
        close(fds[0]);
        check_adapter(registry, name);
        fflush(stdout);
        int counts[2] = {tap_count, tap_failed};
        _exit(write(fds[1], counts, sizeof counts) == (ssize_t)sizeof counts ? 0 : 3);
    }
    PyOS_AfterFork_Parent();
    close(fds[1]);
    int counts[2], status = 0;
    ssize_t got = pid > 0 ? read(fds[0], counts, sizeof counts) : -1;
    close(fds[0]);
    if (pid > 0)
        waitpid(pid, &status, 0);
    if (got == (ssize_t)sizeof counts) {
        tap_count = counts[0], tap_failed = counts[1];
        return;
    }
    tap_ok(0, "%s: its checks ended without a report (wait status %d)", name, status);
}

static void print_error(void)
{
    if (PyErr_Occurred())
        PyErr_Print();
}

/* ns.handle(a) == ns.handle(b): 1, 0, or -1 with an exception. */
static int same_handle(PyObject *ns, PyObject *a, PyObject *b)
{
    PyObject *ha = PyObject_CallMethod(ns, "handle", "O", a);
    PyObject *hb = ha ? PyObject_CallMethod(ns, "handle", "O", b) : NULL;
    int eq = hb ? PyObject_RichCompareBool(ha, hb, Py_EQ) : -1;
    Py_XDECREF(ha), Py_XDECREF(hb);
    return eq;
}

static long call_long(PyObject *ns, const char *fn)
{
    PyObject *r = PyObject_CallMethod(ns, fn, NULL);
    long v = r ? PyLong_AsLong(r) : -1;
    Py_XDECREF(r);
    return v;
}

static void gc_collect(void)
{
    PyObject *gc = PyImport_ImportModule("gc");
    PyObject *r = gc ? PyObject_CallMethod(gc, "collect", NULL) : NULL;
    Py_XDECREF(r), Py_XDECREF(gc);
}

static void check_features(const char *name, PyObject *features)
{
    int ok = features && PyFrozenSet_Check(features);
    PyObject *it = ok ? PyObject_GetIter(features) : NULL, *f;
    while (it && (f = PyIter_Next(it))) {
        int known_name = 0;
        for (size_t k = 0; k < sizeof feature_names / sizeof *feature_names; k++)
            known_name |= PyUnicode_Check(f) && !PyUnicode_CompareWithASCIIString(f, feature_names[k]);
        if (!known_name)
            ok = 0;
        Py_DECREF(f);
    }
    Py_XDECREF(it);
    print_error();
    tap_ok(ok, "%s: features is a frozenset of known feature names", name);
}

/* The reported layout, two reads of one field, and the two paths. */
static void check_layout(PyObject *ns, const char *name, const expected *ex)
{
    PyObject *layout = ffi_reported_layout(ns);
    PyObject *axes = layout ? PyObject_GetAttrString(layout, "axes") : NULL;
    PyObject *first = axes ? PySequence_GetItem(axes, 0) : NULL;
    PyObject *var_name = first ? PyObject_GetAttrString(first, "name") : NULL;
    PyObject *off1 = var_name ? PyObject_GetAttrString(layout, "offset") : NULL;
    PyObject *off2 = off1 ? PyObject_GetAttrString(layout, "offset") : NULL;
    PyObject *a = off2 ? PyObject_GetAttrString(off2, "a") : NULL;
    int named_i = var_name && PyUnicode_Check(var_name) && !PyUnicode_CompareWithASCIIString(var_name, "i");
    print_error();
    tap_ok(a && named_i, "%s: builds Layout(axes=(i, j), offset=Add(i, j)) and reads layout.axes[0].name", name);

    int same = a ? same_handle(ns, off1, off2) : -1;
    print_error();
    tap_ok(same == 1, "%s: two reads of layout.offset give one handle", name);

    int paths = a ? same_handle(ns, first, a) : -1;
    print_error();
    tap_ok(paths == 1, "%s: layout.axes[0] and layout.offset.a give one handle", name);

    int eq = a ? PyObject_RichCompareBool(off1, off2, Py_EQ) : -1;
    Py_hash_t h1 = a ? PyObject_Hash(off1) : -1, h2 = a ? PyObject_Hash(off2) : -1;
    print_error();
    tap_ok(eq == 1 && h1 == h2 && h1 != -1, "%s: the two reads compare equal and hash alike", name);

    if (!a || ex->same_wrapper < 0) {
        printf("ok %d - %s: identity of two reads # SKIP %s\n", ++tap_count, name,
               a ? "no expectation recorded for this binding" : "the layout did not build");
        if (a)
            tap_diag("%s: layout.offset is layout.offset -> %s", name, off1 == off2 ? "True" : "False");
    } else if (ex->same_wrapper) {
        tap_ok(off1 == off2 && first == a,
               "%s: while a wrapper lives, reads return it (offset is offset, axes[0] is offset.a)", name);
    } else {
        tap_ok(off1 != off2 && first != a, "%s: every read mints a fresh wrapper (offset is not offset)", name);
    }
    Py_XDECREF(a), Py_XDECREF(off2), Py_XDECREF(off1), Py_XDECREF(var_name);
    Py_XDECREF(first), Py_XDECREF(axes), Py_XDECREF(layout);
}

static void check_pickle(PyObject *ns, const char *name)
{
    PyObject *layout = ffi_reported_layout(ns);
    PyObject *pickle = layout ? PyImport_ImportModule("pickle") : NULL;
    PyObject *data = pickle ? PyObject_CallMethod(pickle, "dumps", "Oi", layout, 2) : NULL;
    PyObject *back = data ? PyObject_CallMethod(pickle, "loads", "O", data) : NULL;
    PyObject *off = back ? PyObject_GetAttrString(back, "offset") : NULL;
    PyObject *b = off ? PyObject_GetAttrString(off, "b") : NULL;
    PyObject *bname = b ? PyObject_GetAttrString(b, "name") : NULL;
    int ok = bname && PyUnicode_Check(bname) && !PyUnicode_CompareWithASCIIString(bname, "j");
    print_error();
    tap_ok(ok, "%s: a pickled layout comes back with offset.b named j", name);
    Py_XDECREF(bname), Py_XDECREF(b), Py_XDECREF(off), Py_XDECREF(back);
    Py_XDECREF(data), Py_XDECREF(pickle), Py_XDECREF(layout);
}

static void check_outer(PyObject *ns, const char *name)
{
    PyObject *o = PyObject_CallMethod(ns, "Outer", "i", 7);
    PyObject *inner = o ? PyObject_GetAttrString(o, "inner") : NULL;
    PyObject *value = inner ? PyObject_GetAttrString(inner, "value") : NULL;
    int same = value ? same_handle(ns, o, inner) : -1;
    int eq = same == 1 ? PyObject_RichCompareBool(o, inner, Py_EQ) : -1;
    print_error();
    tap_ok(same == 1 && eq == 0 && inner != o && PyLong_AsLong(value) == 7,
           "%s: Outer(7).inner shares the address, is another object, compares unequal, has value 7",
           name);
    Py_XDECREF(value), Py_XDECREF(inner), Py_XDECREF(o);
}

/* Everything built here is gone again after the last reference. */
static void check_live(PyObject *ns, const char *name)
{
    gc_collect();
    long base = call_long(ns, "native_live");
    PyObject *layout = base >= 0 ? ffi_reported_layout(ns) : NULL;
    long during = layout ? call_long(ns, "native_live") : -1;
    Py_XDECREF(layout);
    gc_collect();
    long after = during >= 0 ? call_long(ns, "native_live") : -1;
    print_error();
    tap_ok(during == base + 4 && after == base,
           "%s: native_live() counts the layout's 4 objects and drops back (%ld, %ld, %ld)", name, base,
           during, after);
}

/* The catalogue v2 surface, where the features say it is there: what it
 * builds stands for the right natives (identity is the suite's business). */
static const char v2_src[] =
    "def check(ns):\n"
    "    f = ns.features\n"
    "    if 'derived' in f:\n"
    "        d = ns.Derived(7)\n"
    "        b = ns.Holder(d).base\n"
    "        assert ns.same_as(b, d) and b.value == 7 and d.tag == 7, 'Holder(Derived(7)).base'\n"
    "    if 'intern' in f:\n"
    "        a, b, c = ns.intern('t'), ns.intern('t'), ns.Var('t')\n"
    "        assert ns.same_as(a, b) and not ns.same_as(a, c), 'ns.intern(name)'\n"
    "    if 'disown' in f and 'live' in f:\n"
    "        before = ns.native_live()\n"
    "        v = ns.Var('d')\n"
    "        ns.consume(v)\n"
    "        assert ns.native_live() == before, 'consume(v) did not free the native'\n"
    "    if 'callback' in f:\n"
    "        i = ns.Var('i')\n"
    "        layout = ns.Layout((i,), ns.Add(i, i))\n"
    "        r = ns.visit_offset(layout, lambda x: x.a)\n"
    "        assert ns.same_as(r, i), 'visit_offset(layout, lambda x: x.a)'\n"
    "    return sorted(f & {'derived', 'intern', 'disown', 'callback'})\n";

static void check_v2(PyObject *ns, const char *name)
{
    PyObject *g = PyDict_New();
    PyObject *r = g && PyDict_SetItemString(g, "__builtins__", PyEval_GetBuiltins()) == 0
                      ? PyRun_String(v2_src, Py_file_input, g, g) : NULL;
    PyObject *fn = r ? PyDict_GetItemString(g, "check") : NULL;
    PyObject *done = fn ? PyObject_CallOneArg(fn, ns) : NULL;
    PyObject *text = done ? PyObject_Str(done) : NULL;
    print_error();
    tap_ok(text != NULL, "%s: Derived/Holder, interning, disown and callbacks stand for the right natives "
                         "where its features list them (%s)", name, text ? PyUnicode_AsUTF8(text) : "failed");
    Py_XDECREF(text), Py_XDECREF(done), Py_XDECREF(r), Py_XDECREF(g);
}

static void check_adapter(PyObject *registry, const char *name)
{
    const expected *ex = lookup(name);
    PyObject *ns = PyObject_CallMethod(registry, "load", "s", name);
    PyObject *avail = ns ? PyObject_CallMethod(ns, "available", NULL) : NULL;
    int ok = avail && PyTuple_Check(avail) && PyTuple_GET_SIZE(avail) == 2;
    int is_available = ok && PyObject_IsTrue(PyTuple_GET_ITEM(avail, 0)) == 1;
    const char *reason = ok ? PyUnicode_AsUTF8(PyTuple_GET_ITEM(avail, 1)) : NULL;
    print_error();
    if (!tap_ok(ok && reason && ex, "%s: loads; available() is (bool, reason)", name))
        goto out;
    if (!is_available) {
        if (ex->required)
            tap_ok(0, "%s: available (it is built by `make adapters`): %s", name, reason);
        else
            printf("ok %d - %s: available # SKIP %s\n", ++tap_count, name, reason);
        goto out;
    }
    tap_ok(1, "%s: available", name);
    PyObject *features = PyObject_GetAttrString(ns, "features");
    check_features(name, features);
    check_layout(ns, name, ex);
    if (ffi_embed_has_name(features, "pickle"))
        check_pickle(ns, name);
    if (ffi_embed_has_name(features, "outer"))
        check_outer(ns, name);
    if (ffi_embed_has_name(features, "live"))
        check_live(ns, name);
    check_v2(ns, name);
    Py_XDECREF(features);
out:
    Py_XDECREF(avail), Py_XDECREF(ns);
}

int main(int argc, char **argv)
{
    (void)argc;
    if (ffi_embed_start(argv[0]) < 0)
        return 1;
    tap_start();
    /* Importing ffi_identity is what puts harness/subjects on sys.path. */
    PyObject *ffi = PyImport_ImportModule("ffi_identity");
    PyObject *registry = ffi ? PyImport_ImportModule("ffi_adapters") : NULL;
    PyObject *names = registry ? PyObject_CallMethod(registry, "names", NULL) : NULL;
    print_error();
    if (tap_ok(names && PyList_Check(names), "ffi_adapters is importable once ffi_identity is")) {
        for (size_t k = 0; k < sizeof known / sizeof *known; k++) {
            int listed = 0;
            for (Py_ssize_t j = 0; j < PyList_GET_SIZE(names); j++)
                listed |= lookup(PyUnicode_AsUTF8(PyList_GET_ITEM(names, j))) == &known[k];
            tap_ok(listed, "the registry lists a version of %s", known[k].tool);
        }
        for (Py_ssize_t k = 0; k < PyList_GET_SIZE(names); k++)
            check_adapter_isolated(registry, PyUnicode_AsUTF8(PyList_GET_ITEM(names, k)));
    }
    PyObject *bad = registry ? PyObject_CallMethod(registry, "load", "s", "no-such-binding") : NULL;
    int listed = 0;
    if (!bad && PyErr_ExceptionMatches(PyExc_ImportError)) {
        PyObject *type, *value, *tb;
        PyErr_Fetch(&type, &value, &tb);
        PyObject *msg = value ? PyObject_Str(value) : NULL;
        listed = msg && strstr(PyUnicode_AsUTF8(msg), "pybind11") != NULL;
        Py_XDECREF(msg), Py_XDECREF(type), Py_XDECREF(value), Py_XDECREF(tb);
    }
    PyErr_Clear();
    tap_ok(listed, "an unknown adapter name is an ImportError that lists the valid ones");
    Py_XDECREF(bad), Py_XDECREF(names), Py_XDECREF(registry), Py_XDECREF(ffi);
    fflush(stdout);
    return tap_end();
}
