/* Subjects; see subject.h. */
#include <string.h>

#include "subject.h"

PyObject *cf_subject_names(void) { return cf_call("ffi_identity", "impls", "()"); }

PyObject *cf_subject_load(const char *name) { return cf_call("ffi_identity", "load", "(s)", name); }

static const struct { const char *name; unsigned bit; } feature_bits[] = {
    {"pickle", CF_NEED_PICKLE}, {"weakref", CF_NEED_WEAKREF}, {"dict", CF_NEED_DICT},
    {"outer", CF_NEED_OUTER},   {"node", CF_NEED_NODE},       {"live", CF_NEED_LIVE},
    {"entries", CF_NEED_ENTRIES}, {"alloc", CF_NEED_ALLOC},
};

unsigned cf_subject_features(PyObject *ns)
{
    unsigned bits = CF_NEED_FORK | CF_NEED_THREADS;   /* Linux has both */
    PyObject *features = PyObject_GetAttrString(ns, "features");
    if (!features) {
        PyErr_Clear();
        return bits;
    }
    for (size_t k = 0; k < sizeof feature_bits / sizeof *feature_bits; k++) {
        PyObject *s = PyUnicode_FromString(feature_bits[k].name);
        if (s && PySequence_Contains(features, s) == 1)
            bits |= feature_bits[k].bit;
        Py_XDECREF(s);
    }
    PyErr_Clear();
    Py_DECREF(features);
    return bits;
}

int cf_subject_is_control(PyObject *ns)
{
    PyObject *c = PyObject_GetAttrString(ns, "control");
    int yes = c && PyObject_IsTrue(c) == 1;
    Py_XDECREF(c);
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
