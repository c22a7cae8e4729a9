/* Subjects: what the suite can be pointed at. Today the implementations
 * of the ffi_identity module; adapters for real bindings (modules exposing
 * the same namespace surface) resolve here too. */
#ifndef CF_SUBJECT_H
#define CF_SUBJECT_H

#include "cf.h"

/* All subject names (new list), or NULL with an exception. */
PyObject *cf_subject_names(void);
/* All subject names, after checking that each of the n names a user asked
 * for is one; else prints "PROG: unknown implementation 'X'; valid names:
 * ..." (or the Python error) and returns NULL. */
PyObject *cf_subject_names_checked(const char *prog, const char *const *wanted, int n);
/* Whether name is among the n a user asked for (all, if n is 0): exactly,
 * or by family (the part before '@' or '+': "tvm-ffi", "tvm-ffi@0.1.13",
 * "hashmap"). */
int cf_subject_wanted(const char *name, const char *const *wanted, int n);
/* Whether name is one of the adapters for real bindings (else a built-in,
 * or unknown). */
int cf_subject_is_adapter(const char *name);
/* The namespace of a subject (new reference), or NULL with an exception
 * whose message lists the valid names. */
PyObject *cf_subject_load(const char *name);
/* cf_need bits the subject (and this platform) can provide. */
unsigned cf_subject_features(PyObject *ns);
/* Whether a subject is a deliberately broken control (its namespace says
 * so: control = 1). */
int cf_subject_is_control(const char *name);

#endif
