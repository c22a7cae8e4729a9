/* The model's own vocabulary, shared by model.c (the run, the checks every
 * wrapper goes through) and the operations' files (steps_*.c), whose run
 * functions take a run. Not part of the fuzzer's interface: fuzz.h is. */
#ifndef FZ_MODEL_H
#define FZ_MODEL_H

#include "../cf.h"
#include "fuzz.h"

/* What the model remembers of a reachable native. */
typedef struct known {
    long long handle;   /* 0: not seen since it became reachable */
    uintptr_t first;    /* id() of the first wrapper seen (FZ_CLAIM_STABLE) */
    long tag;           /* last attribute set (FZ_CLAIM_STATE); has_tag says if any */
    int has_tag;
    PyObject *weak;     /* weakref.ref to a wrapper of it (FZ_CLAIM_WEAKREF) */
} known;

typedef struct run {
    PyObject *ns;
    const fz_plan *plan;
    unsigned features, claims;
    PyObject *slot[FZ_SLOTS];
    int slot_native[FZ_SLOTS];
    known nat[FZ_MAX_NATIVES];
    int step;          /* 1-based, for messages; 0 at the end */
    int constructing;  /* the sighting is of a wrapper just made (a Sub must be a Sub) */
    PyObject *sub;     /* the Sub class */
    PyObject *fin;     /* the Fin class: Sub with a __del__ that calls Fin.hook */
    PyObject *disowned;   /* wrappers given away (ns.consume), kept alive: sighting one again diverges */
    void *op_state[FZ_OP_IDS];   /* an operation's own across the steps of a case, by its id; its end
                                  * hook drops it */
    char *why;
    size_t nwhy;
} run;

/* Records a divergence as "category|step|message"; returns 1. */
int fz_diverge(run *r, const char *category, const char *fmt, ...);
/* A Python error where none was expected (the pending one); returns 1. */
int fz_python_error(run *r, const char *doing);
int fz_handle_of(run *r, PyObject *o, long long *h);
/* Checks a wrapper the subject handed out for native n (as expression
 * expr) against the claims; 0, or 1 after recording the divergence. */
int fz_sighting(run *r, PyObject *o, int n, const char *expr, unsigned claims);
/* The field f of src, new reference. */
PyObject *fz_read_field(PyObject *src, fz_field f);
/* Slot d takes o (stolen) as a wrapper of native n. */
int fz_put(run *r, int d, PyObject *o, int n);
/* Forgets what is known of natives no held slot reaches. */
void fz_forget_unreachable(run *r);
/* ffi_identity.set_race_window(on), where the subject has it. */
void fz_race_window(int on);
/* A callable of no arguments reading src's field f (new reference). */
PyObject *fz_field_reader(PyObject *src, fz_field f);

#endif
