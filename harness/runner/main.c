/* ffi-identity: the embedding runner. Lists subjects, probes one,
 * or runs a Python script against one inside an embedded interpreter. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdio.h>
#include <string.h>

#include "driver/cli.h"
#include "driver/embed.h"

static const char about[] =
    "Drives one subject inside an embedded CPython: a built-in wrapper-cache\n"
    "subject (a strategy x a pickle reduce style, e.g. hashmap+node) or a\n"
    "real binding tool at a version (e.g. tvm-ffi@0.1.13, pybind11@3.1.0). With\n"
    "--subject alone it probes the reported layout's identity checks; the pattern\n"
    "must take exactly one subject (a tool with one subject may be named alone:\n"
    "swig). Multiprocessing workers use $FFI_PYTHON (default: the interpreter\n"
    "this was built against).";

/* Prints the Python error; returns `code`. */
static int fail(int code)
{
    if (PyErr_Occurred())
        PyErr_Print();
    return code;
}

/* Every selected subject with a line about it: a built-in's summary, a
 * real tool's source. */
static int list_subjects(PyObject *ffi, const ffi_cli *cli)
{
    PyObject *mod = PyImport_ImportModule("ffi_adapters");
    PyObject *tools = mod ? PyObject_CallMethod(mod, "describe", NULL) : NULL;
    Py_XDECREF(mod);
    if (!tools)
        return fail(1);
    for (int k = 0; k < cli->nselected; k++) {
        const ffi_subject *sub = &cli->selected[k];
        if (sub->builtin) {
            PyObject *ns = PyObject_CallMethod(ffi, "load", "s", sub->name);
            PyObject *summary = ns ? PyObject_GetAttrString(ns, "summary") : NULL;
            Py_XDECREF(ns);
            if (!summary) {
                Py_DECREF(tools);
                return fail(1);
            }
            printf("%-26s %s\n", sub->name, PyUnicode_AsUTF8(summary));
            Py_DECREF(summary);
            continue;
        }
        for (Py_ssize_t i = 0; i < PyList_GET_SIZE(tools); i++) {
            PyObject *d = PyList_GET_ITEM(tools, i), *name = PyDict_GetItemString(d, "name");
            PyObject *source = PyDict_GetItemString(d, "source");
            if (name && source && !strcmp(PyUnicode_AsUTF8(name), sub->name))
                printf("%-26s real tool, from %s\n", sub->name, PyUnicode_AsUTF8(source));
        }
    }
    Py_DECREF(tools);
    return 0;
}

/* The reported layout: i, j; Layout(axes=(i, j), offset=Add(i, j)). The
 * classes are called through the namespace: ns.Var(...) is a method call. */
static int probe(PyObject *ffi, const ffi_subject *sub)
{
    int rc = 1;
    PyObject *ns = sub->ns;
    const char *name = sub->name;
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
    printf("subject %s\n", name);
    printf("  I1 repeat     layout.offset is layout.offset        %s\n", i1 ? "yes" : "no");
    printf("  I2 converge   layout.axes[0] is layout.offset.a     %s\n", i2 ? "yes" : "no");
    printf("  I3 roundtrip  Add(i, j).a is i                      %s\n", i3 ? "yes" : "no");
    if (!sub->builtin) {   /* a real tool: its own natives, no cache figures */
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

static int run_script(const char *subject, int argc, char **argv)
{
    setenv("FFI_IDENTITY_SUBJECT", subject, 1);
    PyObject *os_environ = PyImport_ImportModule("os");
    PyObject *env = os_environ ? PyObject_GetAttrString(os_environ, "environ") : NULL;
    PyObject *value = PyUnicode_FromString(subject);
    if (!env || !value || PyMapping_SetItemString(env, "FFI_IDENTITY_SUBJECT", value) < 0) {
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
            /* Let sys.exit(n) set our status; sys.exit("why") prints why
             * and exits 1, as python3 does. */
            PyObject *type, *val, *tb;
            PyErr_Fetch(&type, &val, &tb);
            PyObject *code = val ? PyObject_GetAttrString(val, "code") : NULL;
            long status = code && PyLong_Check(code) ? PyLong_AsLong(code) : (code == Py_None ? 0 : 1);
            PyObject *text = code && code != Py_None && !PyLong_Check(code) ? PyObject_Str(code) : NULL;
            if (text)
                fprintf(stderr, "%s\n", PyUnicode_AsUTF8(text));
            Py_XDECREF(text);
            PyErr_Clear();
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

/* The one subject a pattern takes (a name exactly, when it also names a
 * family: tvm-ffi@0.1.13 rather than its +slots variant); NULL after
 * saying why. */
static ffi_subject *the_one(ffi_cli *cli)
{
    for (int k = 0; cli->subjects.n == 1 && k < cli->nselected; k++)
        if (!strcmp(cli->selected[k].name, cli->subjects.v[0]))
            return &cli->selected[k];
    if (cli->subjects.n != 1 || cli->nselected != 1) {
        fprintf(stderr, "ffi-identity: name one subject with --subject; %s takes %d:",
                cli->subjects.n == 1 ? cli->subjects.v[0] : "the selection", cli->nselected);
        for (int k = 0; k < cli->nselected && k < 12; k++)
            fprintf(stderr, " %s", cli->selected[k].name);
        fprintf(stderr, "%s\n", cli->nselected > 12 ? " ..." : "");
        return NULL;
    }
    return &cli->selected[0];
}

int main(int argc, char **argv)
{
    int list = 0, run_at = 0;
    const ffi_option own[] = {
        {"--list", NULL, "list the subjects: built-ins with a summary, real tools with where they come from",
         FFI_OPT_FLAG, &list},
        {"--run", "SCRIPT", "run SCRIPT as __main__ against the subject, the rest of the command line as "
                            "its arguments; it finds the subject's name in $FFI_IDENTITY_SUBJECT", FFI_OPT_REST, &run_at},
        {NULL, NULL, NULL, 0, NULL},
    };
    ffi_cli cli = {.prog = "ffi-identity", .args = "[--list] [--run SCRIPT.py [ARGS...]]", .about = about,
                   .exit_status = "Exit status: 0 ok, 1 a probe or script failed, 2 bad usage or name.",
                   .options = own};
    int rc = ffi_cli_parse(&cli, argc, argv);
    if (rc)
        return rc;
    if (!list && !cli.subjects.n && !cli.list_subjects) {
        ffi_cli_usage(&cli, stderr);
        return 2;
    }
    if ((rc = ffi_cli_start(&cli, argv[0])))
        return rc == 1 ? 0 : rc;
    PyObject *ffi = PyImport_ImportModule("ffi_identity");
    if (!ffi)
        return fail(1);
    ffi_subject *sub = NULL;
    if (list) {
        rc = list_subjects(ffi, &cli);
    } else if (!(sub = the_one(&cli))) {
        rc = 2;
    } else if (ffi_subject_open(sub) < 0) {
        fprintf(stderr, "ffi-identity: %s cannot be loaded: ", sub->name);
        rc = fail(2);
    } else if (*sub->unavailable) {
        fprintf(stderr, "ffi-identity: %s is not available here: %s\n", sub->name, sub->unavailable);
        rc = 2;
    } else {
        rc = run_at ? run_script(sub->name, argc - run_at, argv + run_at) : probe(ffi, sub);
    }
    ffi_cli_free(&cli);
    Py_DECREF(ffi);
    if (ffi_embed_stop() < 0 && rc == 0)
        rc = 1;
    return rc;
}
