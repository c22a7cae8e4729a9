/* Subjects: what every runner is pointed at. A subject is one record,
 * whether it is a subject built into ffi_identity ("hashmap+node",
 * a control such as "broken-racy+node") or an adapter for a real binding
 * tool ("tvm-ffi+slots@0.1.13"). Runners select subjects by name, family or
 * glob, open each one (usually in a process of its own) and read what it
 * offers from the record. */
#ifndef FFI_SUBJECT_H
#define FFI_SUBJECT_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>

/* What a subject offers (its namespace's `features` set), plus what the
 * platform offers; a property states which it needs. */
typedef enum ffi_feature {
    FFI_FEATURE_PICKLE = 1 << 0,
    FFI_FEATURE_WEAKREF = 1 << 1,
    FFI_FEATURE_DICT = 1 << 2,
    FFI_FEATURE_OUTER = 1 << 3,
    FFI_FEATURE_NODE = 1 << 4,
    FFI_FEATURE_LIVE = 1 << 5,      /* native_live() */
    FFI_FEATURE_ENTRIES = 1 << 6,   /* cache_entries() */
    FFI_FEATURE_FORK = 1 << 7,
    FFI_FEATURE_THREADS = 1 << 8,
    FFI_FEATURE_ALLOC = 1 << 9,     /* ffi_identity's LIFO allocator */
    FFI_FEATURE_SUBCLASS = 1 << 10, /* its classes can be subclassed from Python */
    FFI_FEATURE_DERIVED = 1 << 11,  /* Derived(value) and Holder(base): a base at an offset (U1) */
    FFI_FEATURE_INTERN = 1 << 12,   /* Var(name, intern=True) (O1) */
    FFI_FEATURE_CALLBACK = 1 << 13, /* ns.visit_offset(layout, fn) (CB1) */
} ffi_feature;

const char *ffi_feature_name(unsigned bit);

typedef struct ffi_subject ffi_subject;

/* The native back door: operations below Python, for workloads that start
 * where a binding's own C code would (objects made natively, then handed
 * up) and for the cache's own memory. Built-in subjects have one; an
 * adapter's natives belong to its tool, so adapters have none. */
typedef struct ffi_native_door {
    /* A wrapper (new reference) for a new native Add(v, v) over a new Var
     * named var_name, made in C as returned by a native call; NULL with an
     * exception. */
    PyObject *(*new_add)(const ffi_subject *s, const char *var_name);
    /* Bytes the subject's cache itself claims now. */
    size_t (*cache_bytes)(const ffi_subject *s);
} ffi_native_door;

/* The native allocator's counters, shared by every built-in subject. */
typedef struct ffi_native_heap { int64_t live_bytes, total_allocs, total_bytes; } ffi_native_heap;
ffi_native_heap ffi_native_heap_now(void);

struct ffi_subject {
    /* Known from the name alone: "FAMILY[@VERSION][+VARIANT]". */
    char name[128];
    char family[64];        /* "tvm-ffi", "hashmap" */
    char version[48];       /* "0.1.13"; "" for built-ins */
    char variant[32];       /* "slots", "node", "graph", "none"; may be "" */
    int builtin;            /* a subject of ffi_identity, else an adapter */
    int process_group;      /* 0: can share the default process; else needs one of its own */
    int named;              /* named exactly (not by a family or glob): it must run, or the
                             * runner fails (ffi_subject_unrunnable) */
    /* Filled by ffi_subject_open(), in the process that runs the subject. */
    PyObject *ns;           /* the namespace the properties and workloads use */
    unsigned features;      /* ffi_feature bits */
    int control;            /* a deliberately broken control */
    char unavailable[300];  /* why it cannot run here; "" when it can */
    const ffi_native_door *native;   /* NULL for adapters */
    void *native_state;     /* the door's own */
};

/* Every subject a selection takes, in listing order (built-ins, then
 * adapters). A pattern is an exact name, a family ("tvm-ffi",
 * "tvm-ffi+slots", "tvm-ffi@0.1.13", "hashmap") or a glob ("*+graph"); no
 * patterns take all. A real tool named by a source it is not listed with
 * (TOOL[+VARIANT]@RELEASE, @WHEEL, @DIRECTORY or @installed) is made by its
 * tool's rule and installed; a listed one named exactly is installed if it
 * is not yet. A pattern that matches nothing is an error printed as
 * "PROG: unknown subject 'X'; did you mean ...", an install that fails one
 * with pip's message: returns -1. Else the count, with *out a malloc'd
 * array (ffi_subjects_free). */
/* Whether a --subject pattern takes a subject's name: the name itself, a
 * family (tvm-ffi, tvm-ffi+slots, tvm-ffi@0.1.13, hashmap) or a glob. */
int ffi_subject_takes(const char *pattern, const char *name);

int ffi_subjects_select(const char *prog, const char *const *patterns, int n, ffi_subject **out);
void ffi_subjects_free(ffi_subject *v, int n);

/* Whether the runner must fail rather than skip this open subject: it
 * was named exactly and is unavailable here. Says so as "PROG: NAME is not
 * available: REASON" and returns 1; else 0. */
int ffi_subject_unrunnable(const char *prog, const ffi_subject *s);

/* Loads the subject's namespace and fills the rest of the record: 0, or
 * -1 with a Python exception. ffi_subject_close drops the namespace. */
int ffi_subject_open(ffi_subject *s);
void ffi_subject_close(ffi_subject *s);

/* Why an open subject lacks a feature, in its own words (its namespace's
 * why_not: a dict of feature name -> reason), or NULL when it does not say. */
const char *ffi_subject_why_not(const ffi_subject *s, const char *feature, char *buf, size_t n);

/* Whether a subject is a control, without keeping it open (adapters never
 * are, and are not imported to ask). */
int ffi_subject_is_control(const ffi_subject *s);

#endif
