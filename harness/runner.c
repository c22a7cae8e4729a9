/* ffi-identity: the embedding runner. Lists implementations, probes one,
 * or runs a Python script against one inside an embedded interpreter. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdio.h>
#include <string.h>

#include "embed.h"

static const char usage[] =
    "usage: ffi-identity [--impl-so PATH]... [--list] [--impl NAME [--run SCRIPT.py [ARGS...]]]\n"
    "\n"
    "Drives one subject inside an embedded CPython: a built-in wrapper-cache\n"
    "implementation (a strategy x a pickle reduce style, e.g. hashmap+node)\n"
    "or a real binding tool at a version (e.g. tvm-ffi@0.1.13, pybind11@3.1.0).\n"
    "\n"
    "  --list          list every subject: implementations with a summary,\n"
    "                  real tools with where they come from\n"
    "  --impl NAME     probe NAME: the reported layout's identity checks\n"
    "  --run SCRIPT    with --impl: run SCRIPT as __main__; it finds the\n"
    "                  subject's name in $FFI_IDENTITY_IMPL\n"
    "  --impl-so PATH  load an out-of-tree strategy (repeatable; same as $IMPL_SO)\n"
    "  --help          this text\n"
    "\n"
    "Environment: FFI_PYTHON, the interpreter multiprocessing workers use\n"
    "(default: the one this was built against).\n"
    "Exit status: 0 ok, 1 a probe or script failed, 2 bad usage or name.\n";

/* Prints the Python error; returns `code`. */
static int fail(int code)
{
    if (PyErr_Occurred())
        PyErr_Print();
    return code;
}

/* Real binding tools (harness/adapters/subjects.txt), by TOOL@VERSION. */
static int is_adapter(const char *name)
{
    PyObject *names = ffi_embed_adapter_names();
    int found = ffi_embed_has_name(names, name);
    Py_XDECREF(names);
    PyErr_Clear();
    return found;
}

static int list_adapters(void)
{
    PyObject *mod = PyImport_ImportModule("ffi_adapters");
    PyObject *all = mod ? PyObject_CallMethod(mod, "describe", NULL) : NULL;
    for (Py_ssize_t i = 0; all && i < PyList_GET_SIZE(all); i++) {
        PyObject *d = PyList_GET_ITEM(all, i);
        PyObject *name = PyDict_GetItemString(d, "name"), *source = PyDict_GetItemString(d, "source");
        printf("%-26s real tool, from %s\n", PyUnicode_AsUTF8(name), PyUnicode_AsUTF8(source));
    }
    int rc = all ? 0 : fail(1);
    Py_XDECREF(all), Py_XDECREF(mod);
    return rc;
}

/* ffi_adapters.resolve(name) (a new reference), or NULL. Importing
 * ffi_identity is what puts ffi_adapters on sys.path. */
static PyObject *resolve_name(const char *name)
{
    PyObject *ffi = PyImport_ImportModule("ffi_identity");
    PyObject *mod = ffi ? PyImport_ImportModule("ffi_adapters") : NULL;
    PyObject *full = mod ? PyObject_CallMethod(mod, "resolve", "s", name) : NULL;
    Py_XDECREF(mod), Py_XDECREF(ffi);
    PyErr_Clear();
    return full;
}

/* A built-in implementation's or a real tool's namespace. */
static PyObject *load_subject(PyObject *ffi, const char *name)
{
    if (is_adapter(name)) {
        PyObject *mod = PyImport_ImportModule("ffi_adapters");
        PyObject *ns = mod ? PyObject_CallMethod(mod, "load", "s", name) : NULL;
        Py_XDECREF(mod);
        return ns;
    }
    return PyObject_CallMethod(ffi, "load", "s", name);
}

static int list_impls(PyObject *ffi)
{
    PyObject *names = PyObject_CallMethod(ffi, "impls", NULL);
    if (!names)
        return fail(1);
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(names); i++) {
        PyObject *ns = PyObject_CallMethod(ffi, "load", "O", PyList_GET_ITEM(names, i));
        PyObject *summary = ns ? PyObject_GetAttrString(ns, "summary") : NULL;
        if (!summary) {
            Py_XDECREF(ns);
            Py_DECREF(names);
            return fail(1);
        }
        printf("%-26s %s\n", PyUnicode_AsUTF8(PyList_GET_ITEM(names, i)), PyUnicode_AsUTF8(summary));
        Py_DECREF(summary);
        Py_DECREF(ns);
    }
    Py_DECREF(names);
    return list_adapters();
}

/* The reported layout: i, j; Layout(axes=(i, j), offset=Add(i, j)). The
 * classes are called through the namespace: ns.Var(...) is a method call. */
static int probe(PyObject *ffi, PyObject *ns, const char *name)
{
    int rc = 1;
    PyObject *i = PyObject_CallMethod(ns, "Var", "(s)", "i");
    PyObject *j = i ? PyObject_CallMethod(ns, "Var", "(s)", "j") : NULL;
    PyObject *add = i && j ? PyObject_CallMethod(ns, "Add", "(OO)", i, j) : NULL;
    PyObject *layout = add ? PyObject_CallMethod(ns, "Layout", "((OO)O)", i, j, add) : NULL;
    PyObject *off1 = layout ? PyObject_GetAttrString(layout, "offset") : NULL;
    PyObject *off2 = off1 ? PyObject_GetAttrString(layout, "offset") : NULL;
    PyObject *axes = off2 ? PyObject_GetAttrString(layout, "axes") : NULL;
    PyObject *a = axes ? PyObject_GetAttrString(off1, "a") : NULL;
    PyObject *add_a = a ? PyObject_GetAttrString(add, "a") : NULL;
    PyObject *first = add_a ? PySequence_GetItem(axes, 0) : NULL;   /* any sequence */
    if (!first)
        goto out;
    int i1 = off1 == off2;
    int i2 = first == a;
    int i3 = add_a == i;
    Py_DECREF(first);
    printf("implementation %s\n", name);
    printf("  I1 repeat     layout.offset is layout.offset        %s\n", i1 ? "yes" : "no");
    printf("  I2 converge   layout.axes[0] is layout.offset.a     %s\n", i2 ? "yes" : "no");
    printf("  I3 roundtrip  Add(i, j).a is i                      %s\n", i3 ? "yes" : "no");
    if (is_adapter(name)) {   /* a real tool: its own natives, no cache figures */
        rc = 0;
        goto out;
    }
    PyObject *live = PyObject_CallMethod(ffi, "native_live", NULL);
    PyObject *entries = PyObject_CallMethod(ns, "cache_entries", NULL);
    PyObject *bytes = PyObject_CallMethod(ns, "cache_bytes", NULL);
    if (live && entries && bytes) {
        printf("  native objects live %ld, cache entries %ld, cache bytes %ld\n",
               PyLong_AsLong(live), PyLong_AsLong(entries), PyLong_AsLong(bytes));
        rc = 0;
    }
    Py_XDECREF(live);
    Py_XDECREF(entries);
    Py_XDECREF(bytes);
out:
    Py_XDECREF(add_a);
    Py_XDECREF(a);
    Py_XDECREF(axes);
    Py_XDECREF(off2);
    Py_XDECREF(off1);
    Py_XDECREF(layout);
    Py_XDECREF(add);
    Py_XDECREF(j);
    Py_XDECREF(i);
    return rc ? fail(rc) : 0;
}

static int run_script(const char *impl, int argc, char **argv)
{
    setenv("FFI_IDENTITY_IMPL", impl, 1);
    PyObject *os_environ = PyImport_ImportModule("os");
    PyObject *env = os_environ ? PyObject_GetAttrString(os_environ, "environ") : NULL;
    PyObject *value = PyUnicode_FromString(impl);
    if (!env || !value || PyMapping_SetItemString(env, "FFI_IDENTITY_IMPL", value) < 0) {
        Py_XDECREF(value);
        Py_XDECREF(env);
        Py_XDECREF(os_environ);
        return fail(1);
    }
    Py_DECREF(value);
    Py_DECREF(env);
    Py_DECREF(os_environ);
    PyObject *sys_argv = PyList_New(0);
    for (int k = 0; sys_argv && k < argc; k++) {
        PyObject *s = PyUnicode_DecodeFSDefault(argv[k]);
        if (!s || PyList_Append(sys_argv, s) < 0)
            Py_CLEAR(sys_argv);
        Py_XDECREF(s);
    }
    if (!sys_argv || PySys_SetObject("argv", sys_argv) < 0) {
        Py_XDECREF(sys_argv);
        return fail(1);
    }
    Py_DECREF(sys_argv);
    PyObject *runpy = PyImport_ImportModule("runpy");
    PyObject *run_path = runpy ? PyObject_GetAttrString(runpy, "run_path") : NULL;
    PyObject *args = Py_BuildValue("(s)", argv[0]);
    PyObject *kwargs = Py_BuildValue("{ss}", "run_name", "__main__");
    PyObject *r = run_path && args && kwargs ? PyObject_Call(run_path, args, kwargs) : NULL;
    Py_XDECREF(kwargs);
    Py_XDECREF(args);
    Py_XDECREF(run_path);
    Py_XDECREF(runpy);
    if (!r) {
        if (PyErr_ExceptionMatches(PyExc_SystemExit)) {
            /* Let sys.exit(n) set our status. */
            PyObject *type, *val, *tb;
            PyErr_Fetch(&type, &val, &tb);
            PyObject *code = val ? PyObject_GetAttrString(val, "code") : NULL;
            long status = code && PyLong_Check(code) ? PyLong_AsLong(code) : (code == Py_None ? 0 : 1);
            Py_XDECREF(code);
            Py_XDECREF(type);
            Py_XDECREF(val);
            Py_XDECREF(tb);
            return (int)status;
        }
        return fail(1);
    }
    Py_DECREF(r);
    return 0;
}

int main(int argc, char **argv)
{
    const char *impl = NULL;
    int list = 0, run_at = 0;
    for (int k = 1; k < argc; k++) {
        if (strcmp(argv[k], "--help") == 0 || strcmp(argv[k], "-h") == 0) {
            fputs(usage, stdout);
            return 0;
        } else if (strcmp(argv[k], "--list") == 0) {
            list = 1;
        } else if (strcmp(argv[k], "--impl") == 0 && k + 1 < argc) {
            impl = argv[++k];
        } else if (strcmp(argv[k], "--impl-so") == 0 && k + 1 < argc) {
            /* Through the environment, so multiprocessing workers load it too. */
            const char *old = getenv("IMPL_SO");
            char joined[4096];
            snprintf(joined, sizeof joined, "%s%s%s", old && *old ? old : "", old && *old ? ":" : "",
                     argv[++k]);
            setenv("IMPL_SO", joined, 1);
        } else if (strcmp(argv[k], "--run") == 0 && k + 1 < argc) {
            run_at = k + 1;
            break;
        } else {
            fprintf(stderr, "ffi-identity: unknown or incomplete option '%s'\n\n%s", argv[k], usage);
            return 2;
        }
    }
    if (!list && !impl) {
        fputs(usage, stderr);
        return 2;
    }
    if (run_at && !impl) {
        fprintf(stderr, "ffi-identity: --run needs --impl NAME\n");
        return 2;
    }
    if (ffi_embed_start(argv[0]) < 0)
        return 1;
    /* A real tool with one version may be named without it: ctypes. */
    PyObject *full = impl ? resolve_name(impl) : NULL;
    if (full)
        impl = PyUnicode_AsUTF8(full);
    int rc = 0;
    PyObject *ffi = PyImport_ImportModule("ffi_identity");
    if (!ffi) {
        rc = fail(1);
    } else if (list) {
        rc = list_impls(ffi);
    }
    if (ffi && rc == 0 && impl) {
        PyObject *ns = load_subject(ffi, impl);
        char why[300];
        if (ns && ffi_embed_unavailable(ns, why, sizeof why)) {
            fprintf(stderr, "ffi-identity: %s is not available here: %s\n", impl, why);
            Py_CLEAR(ns);
            rc = 2;
        } else if (!ns) {
            PyObject *type, *val, *tb;
            PyErr_Fetch(&type, &val, &tb);
            PyObject *msg = val ? PyObject_Str(val) : NULL;
            PyObject *adapters = ffi_embed_adapter_names();
            PyObject *sep = PyUnicode_FromString(", ");
            PyObject *listed = adapters && sep ? PyUnicode_Join(sep, adapters) : NULL;
            fprintf(stderr, "ffi-identity: %s; real tools: %s\n", msg ? PyUnicode_AsUTF8(msg) : "cannot load",
                    listed ? PyUnicode_AsUTF8(listed) : "(none)");
            Py_XDECREF(listed), Py_XDECREF(sep), Py_XDECREF(adapters);
            PyErr_Clear();
            Py_XDECREF(msg);
            Py_XDECREF(type);
            Py_XDECREF(val);
            Py_XDECREF(tb);
            rc = 2;
        } else {
            rc = run_at ? run_script(impl, argc - run_at, argv + run_at) : probe(ffi, ns, impl);
            Py_DECREF(ns);
        }
    }
    Py_XDECREF(ffi), Py_XDECREF(full);
    if (ffi_embed_stop() < 0 && rc == 0)
        rc = 1;
    return rc;
}
