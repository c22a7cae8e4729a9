/* Subjects; see subject.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../harness/embed.h"
#include "subject.h"

/* Adapters for real bindings (harness/adapters). Their absence is not
 * fatal: the built-in implementations still run. */
static PyObject *adapter_names(void)
{
    static int warned;
    PyObject *names = ffi_embed_adapter_names();
    if (!names) {
        if (!warned++) {
            fprintf(stderr, "%s: no adapters for real bindings (make adapters): ", program_invocation_short_name);
            PyErr_Print();
        }
        PyErr_Clear();
        names = PyList_New(0);
    }
    return names;
}

int cf_subject_is_adapter(const char *name)
{
    PyObject *names = adapter_names();
    int yes = ffi_embed_has_name(names, name);
    Py_XDECREF(names);
    return yes;
}

PyObject *cf_subject_names(void)
{
    PyObject *names = cf_call("ffi_identity", "impls", "()");
    PyObject *adapters = names ? adapter_names() : NULL;
    PyObject *all = adapters ? PySequence_Concat(names, adapters) : NULL;
    Py_XDECREF(names), Py_XDECREF(adapters);
    return all;
}

/* A selection names a subject exactly, or a family: "tvm-ffi" takes
 * every tvm-ffi@VERSION[+VARIANT], "tvm-ffi@0.1.13" both of its variants,
 * "hashmap" hashmap+node, +graph and +none. */
static int selects(const char *want, const char *name)
{
    size_t n = strlen(want);
    return strncmp(want, name, n) == 0 && (name[n] == '\0' || name[n] == '@' || name[n] == '+');
}

static int selects_any(PyObject *names, const char *want)
{
    for (Py_ssize_t k = 0; k < PyList_GET_SIZE(names); k++)
        if (selects(want, PyUnicode_AsUTF8(PyList_GET_ITEM(names, k))))
            return 1;
    return 0;
}

PyObject *cf_subject_names_checked(const char *prog, const char *const *wanted, int n)
{
    PyObject *names = cf_subject_names();
    if (!names) {
        PyErr_Print();
        return NULL;
    }
    for (int k = 0; k < n; k++) {
        if (selects_any(names, wanted[k]))
            continue;
        PyObject *sep = PyUnicode_FromString(", "), *all = sep ? PyUnicode_Join(sep, names) : NULL;
        fprintf(stderr, "%s: unknown implementation '%s'; valid names (or a family: a name's part "
                        "before '@' or '+'): %s\n", prog, wanted[k],
                all ? PyUnicode_AsUTF8(all) : "(cannot list them)");
        Py_XDECREF(all), Py_XDECREF(sep), Py_DECREF(names);
        PyErr_Clear();
        return NULL;
    }
    return names;
}

int cf_subject_wanted(const char *name, const char *const *wanted, int n)
{
    for (int k = 0; k < n; k++)
        if (selects(wanted[k], name))
            return 1;
    return n == 0;
}

PyObject *cf_subject_load(const char *name)
{
    if (cf_subject_is_adapter(name))
        return cf_call("ffi_adapters", "load", "(s)", name);
    return cf_call("ffi_identity", "load", "(s)", name);
}

static const struct { const char *name; unsigned bit; } feature_bits[] = {
    {"pickle", CF_NEED_PICKLE}, {"weakref", CF_NEED_WEAKREF}, {"dict", CF_NEED_DICT},
    {"outer", CF_NEED_OUTER},   {"node", CF_NEED_NODE},       {"live", CF_NEED_LIVE},
    {"entries", CF_NEED_ENTRIES}, {"alloc", CF_NEED_ALLOC},     {"subclass", CF_NEED_SUBCLASS},
    {"derived", CF_NEED_DERIVED}, {"intern", CF_NEED_INTERN},   {"callback", CF_NEED_CALLBACK},
};

unsigned cf_subject_features(PyObject *ns)
{
    unsigned bits = CF_NEED_FORK | CF_NEED_THREADS;   /* Linux has both */
    PyObject *features = PyObject_GetAttrString(ns, "features");
    if (!features) {
        PyErr_Clear();
        return bits;
    }
    for (size_t k = 0; k < sizeof feature_bits / sizeof *feature_bits; k++)
        if (ffi_embed_has_name(features, feature_bits[k].name))
            bits |= feature_bits[k].bit;
    Py_DECREF(features);
    return bits;
}

int cf_subject_is_control(const char *name)
{
    if (cf_subject_is_adapter(name))
        return 0;   /* bindings never are: no need to import one to ask */
    PyObject *ns = cf_subject_load(name);
    PyObject *c = ns ? PyObject_GetAttrString(ns, "control") : NULL;
    int yes = c && PyObject_IsTrue(c) == 1;
    Py_XDECREF(c), Py_XDECREF(ns);
    PyErr_Clear();
    return yes;
}

const char *cf_need_name(unsigned bit)
{
    for (size_t k = 0; k < sizeof feature_bits / sizeof *feature_bits; k++)
        if (feature_bits[k].bit == bit)
            return feature_bits[k].name;
    return bit == CF_NEED_FORK ? "fork" : bit == CF_NEED_THREADS ? "threads" : "?";
}
