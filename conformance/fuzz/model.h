/* The model's own vocabulary, shared by model.c (the run, the checks every
 * wrapper goes through, the basic steps) and the files of further steps
 * (steps_*.c). Not part of the fuzzer's interface: fuzz.h is. */
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
    PyObject *bulk, *adds;   /* FZ_BULK: lists of Vars (None where dropped) and of Add(v, v) */
    long long *bulk_handles;
    PyObject *disowned;   /* FZ_DISOWN: wrappers given away, kept alive so they are known if they come back */
    PyObject *kept;       /* FZ_RESURRECT: resurrected wrappers the model does not hold in a slot */
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
/* f = Fin("v<value>") for native s->native, and s[a] = Add(f, f) for s->b,
 * each sighted: the set-up of the steps around a Fin's __del__. Returns
 * nonzero after reporting; *f and *add are new references or NULL. */
int fz_fin_in_add(run *r, const fz_step *s, PyObject **f, PyObject **add);
/* Forgets what is known of natives no held slot reaches. */
void fz_forget_unreachable(run *r);
/* A forked child's body: re-reads every field of every held slot. */
void fz_reread_child(void *arg, int fd);
/* ffi_identity.set_race_window(on), where the subject has it. */
void fz_race_window(int on);
/* Forks; the child re-reads every held field within `seconds`, else (or on
 * a crash or a claim broken there) a divergence. */
int fz_fork_and_reread(run *r, double seconds);
/* A callable of no arguments reading src's field f (new reference). */
PyObject *fz_field_reader(PyObject *src, fz_field f);

/* Steps of their own files. Each returns 0, or 1 after recording. */
int fz_step_intern(run *r, const fz_step *s);       /* steps_ownership.c */
int fz_step_disown(run *r, const fz_step *s);
int fz_step_subinterp(run *r, const fz_step *s);    /* steps_interp.c */
int fz_step_resurrect(run *r, const fz_step *s);    /* steps_death.c */
int fz_step_cycle(run *r, const fz_step *s);
int fz_step_fork_busy(run *r, const fz_step *s);    /* steps_fork.c */

#endif
