/* The differential fuzzer: random sequences of operations on the object
 * model, run against a subject and against a small model of the
 * identity guarantees that subject claims. A divergence is shrunk
 * to a short sequence and printed as a Python reproduction.
 *
 * plan.c     generates cases and resolves them into concrete steps without
 *            Python (which slot holds which kind of native is decided by
 *            the operations alone), and prints steps as Python
 * model.c    runs the steps on a subject and checks every claim
 * claims.c   what a subject claims: claims.txt, else its expectations file
 * shrink.c   delta debugging over a failing case
 * main.c     command line, time budget, TAP */
#ifndef FZ_H
#define FZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum { FZ_CHURN_ITERS = 200 };   /* reads per thread in a churn step */
enum { FZ_SLOTS = 6, FZ_MAX_OPS = 256, FZ_MAX_NATIVES = 4 * FZ_MAX_OPS };

/* What an operation does; arguments are small integers reduced modulo
 * whatever they index, so any sequence is valid. */
typedef enum fz_op {
    FZ_NEW_VAR,     /* s[d] = ns.Var("vN") */
    FZ_NEW_ADD,     /* s[d] = ns.Add(s[a], s[b])            (Var/Add args) */
    FZ_NEW_LAYOUT,  /* s[d] = ns.Layout([s[a]], s[b])       (Var axis, Var/Add offset) */
    FZ_NEW_NODE,    /* s[d] = ns.Node(N, [those of s[a], s[b] that are Nodes]) (feature node) */
    FZ_NEW_OUTER,   /* s[d] = ns.Outer(N)                   (feature outer) */
    FZ_GET,         /* s[d] = a field of s[a], chosen by b */
    FZ_DROP,        /* s[d] = None */
    FZ_GC,          /* gc.collect() */
    FZ_SETATTR,     /* s[d].fz = N                          (feature dict) */
    FZ_WEAKREF,     /* w[d] = weakref.ref(s[d])             (feature weakref) */
    FZ_PICKLE,      /* round trip every held slot, protocol 2 + a % 4 (feature pickle) */
    FZ_FORK,        /* os.fork(); the child re-reads every field */
    FZ_NEW_SUB,     /* s[d] = Sub("vN"), Sub a Python subclass of ns.Var (feature subclass) */
    FZ_COPY,        /* s[d] = copy.copy(s[a])               (copy.copy works; not of an Inner) */
    FZ_GET_INNER,   /* s[d] = s[a].inner, s[a] the first held Outer from a (feature outer) */
    FZ_DYING_READ,  /* s[d] dropped while a weakref callback re-reads the field of a held
                     * object that holds it; s[d] = what the callback got, else a re-read
                     * (feature weakref) */
    FZ_BULK,        /* a % 3: 0 drop the bulk, 1 hold N Vars and Add(v, v) of each and read
                     * every add.a, 2 drop every other Var wrapper and re-read every add.a */
    FZ_CHURN,       /* two threads re-read s[a]'s field b (x = f; y = f: x is y) while
                     * the wrappers they read die                (feature threads) */
    FZ_DEL_READ,    /* f = Fin("vN"); s[a] = ns.Add(f, f); f dropped while Fin.__del__
                     * re-reads s[a].a; s[d] = what __del__ got, else a re-read (feature
                     * subclass; Fin is a Var subclass with a __del__) */
    FZ_NEW_INTERN,  /* s[d] = ns.Var("kN", intern=True), a name no other step uses (feature intern) */
    FZ_SUBINTERP,   /* a sub-interpreter loads the subject and interns the names of the held
                     * interned Vars (natives both reach); after it ends, the main interpreter
                     * interns them again and re-reads every field (claims interpreters) */
    FZ_RESURRECT,   /* f = Fin("vN"); s[a] = ns.Add(f, f); f dropped while Fin.__del__ stores
                     * self away (a resurrection); s[d] = the resurrected f (feature subclass) */
    FZ_CYCLE,       /* s[d].me = s[d]; s[d] = None; gc.collect(); then, if a held s[a] holds that
                     * native, s[d] = s[a]'s field (feature dict) */
    FZ_DISOWN,      /* ns.consume(s[d]), then every slot of that native dropped; if a held s[a]
                     * still holds the native, s[d] = s[a]'s field (feature disown) */
    FZ_FORK_BUSY,   /* a thread re-reads every held field, race window open, while the main
                     * thread forks; the child re-reads them (claims fork-threads) */
    FZ_OP_END
} fz_op;

typedef struct fz_raw { uint8_t op, d, a, b; } fz_raw;

typedef struct fz_case { fz_raw ops[FZ_MAX_OPS]; int n; } fz_case;

/* Kinds as the model sees them; names match the namespace's classes. */
typedef enum fz_kind { FZ_VAR, FZ_ADD, FZ_LAYOUT, FZ_NODE, FZ_OUTER, FZ_INNER } fz_kind;
extern const char *const fz_kind_names[];

/* A native object in the model: its kind and the natives it references.
 * Inner is a view of its Outer (child[0]). */
typedef struct fz_native {
    fz_kind kind; int nchild; int child[2];
    unsigned char sub;      /* made as a Sub (1) or a Fin (2): its class may be that */
    unsigned char opaque;   /* a copy whose fields are not known (no copy claim): not read */
    int interned;           /* made by FZ_NEW_INTERN as "k<interned>"; 0: not */
} fz_native;

/* Plan features beyond the subject's FFI_FEATURE_* ones. */
enum {
    FZ_FEAT_COPY_SHARES = 1u << 30,   /* copy.copy shares children (claims copy) */
    FZ_FEAT_COPY = 1u << 29,          /* copy.copy(ns.Var(...)) works at all */
    FZ_FEAT_DISOWN = 1u << 28,        /* ns.consume(w) ('disown' in ns.features) */
    FZ_FEAT_SUBINTERP = 1u << 27,     /* sub-interpreter steps (claims interpreters) */
    FZ_FEAT_FORK_BUSY = 1u << 26,     /* forks with a thread inside the cache (claims fork-threads) */
    FZ_FEAT_ADAPTER = 1u << 25,       /* a real tool's adapter (ffi_adapters.load), not ffi_identity's */
};

/* Field reads, resolved. */
typedef enum fz_field { FZ_F_A, FZ_F_B, FZ_F_OFFSET, FZ_F_AXIS0, FZ_F_CHILD0, FZ_F_CHILD1, FZ_F_INNER } fz_field;

/* A concrete step: an effective operation with everything resolved. */
typedef struct fz_step {
    fz_op op;
    int d, a, b;       /* slots (a, b: arguments or source; FZ_PICKLE: b is the held-slot mask;
                        * FZ_BULK: b the mode, value the count; FZ_DEL_READ: b the Add's native) */
    int native;        /* the native it creates or reads (-1: none) */
    fz_field field;    /* FZ_GET */
    int value;         /* names, tags, attribute values, pickle protocol */
    int raw_index;     /* which raw op produced it */
} fz_step;

/* A resolved case, with the natives its steps create. */
typedef struct fz_plan {
    fz_step steps[FZ_MAX_OPS];
    int n;
    fz_native natives[FZ_MAX_NATIVES];
    int nnatives;
} fz_plan;

/* plan.c */
void fz_generate(fz_case *c, uint64_t seed, int length);
void fz_resolve(const fz_case *c, unsigned features, fz_plan *p);
/* Writes the plan's first `upto` steps as a Python script for `subject`. */
void fz_print_python(FILE *out, const fz_plan *p, int upto, const char *subject, int adapter,
                     unsigned features, const char *prefix);
void fz_describe_step(const fz_step *s, char *out, size_t n);
/* Field `selector` (0 or 1) of a native: which field it is and the native
 * it holds, or -1 if that kind has no such field. */
int fz_field_native(const fz_plan *p, int native, int selector, fz_field *field);
const char *fz_field_expr(fz_field f);   /* ".a", ".axes[0]", ... */

/* Claims: identity guarantees the model enforces, each named after the
 * catalogue property it comes from. Wrappers always carry the right
 * handle and type and compare equal per handle; that is not a claim. */
typedef enum fz_claim {
    FZ_CLAIM_UNIQUE = 1 << 0,     /* I1-I3: one wrapper per handle while one is held */
    FZ_CLAIM_STABLE = 1 << 1,     /* I5: the same wrapper while the native lives */
    FZ_CLAIM_STATE = 1 << 2,      /* I6: attributes survive while the native lives */
    FZ_CLAIM_WEAKREF = 1 << 3,    /* I7: weak references survive while the native lives */
    FZ_CLAIM_VIEWS = 1 << 4,      /* I5-I7 hold for views (Inner) too */
    FZ_CLAIM_PICKLABLE = 1 << 5,  /* P1: pickling works at all */
    FZ_CLAIM_PICKLE = 1 << 6,     /* P2: a round trip keeps which held objects are one */
    FZ_CLAIM_NESTED = 1 << 7,     /* P3: ... also between a child and a held root */
    FZ_CLAIM_FORK = 1 << 8,       /* F1: uniqueness holds in a forked child */
    FZ_CLAIM_NO_LEAK = 1 << 9,    /* L1: dropping everything frees every native */
    FZ_CLAIM_VIEW_UNIQUE = 1 << 10, /* I1-I3 hold for views (Inner) too */
    FZ_CLAIM_SUBCLASS = 1 << 11,  /* S1: a Sub's native reads back as a Sub (while held, or where state is) */
    FZ_CLAIM_COPY = 1 << 12,      /* P7: copy.copy shares the children */
    FZ_CLAIM_REENTRY = 1 << 13,   /* R1: a read during a wrapper's death is not the dying wrapper */
    FZ_CLAIM_NO_STALE = 1 << 14,  /* L1, V1: everything dropped, cache_entries() is back where it was */
    FZ_CLAIM_INTERP = 1 << 15,    /* X1: a sub-interpreter gets its own wrappers; the main's work after */
    FZ_CLAIM_FORK_THREADS = 1 << 16, /* F3: a fork with another thread inside the cache: the child reads on */
    FZ_CLAIM_OWNERSHIP = 1 << 17, /* O1: interning gives the live wrapper; a disowned one never comes back */
    FZ_CLAIM_RESURRECT = 1 << 18, /* S2: a wrapper its __del__ resurrected is the one reads give */
    FZ_CLAIM_COLLECT = 1 << 19,   /* G1: a wrapper collected in a cycle while its native lives comes back
                                   * working (with its state where state is claimed) */
} fz_claim;

typedef struct fz_subject_claims {
    unsigned claims;
    const char *source;     /* where they came from, for the report */
    int skip;               /* not fuzzable; why in note */
    int planted;            /* a control: the fuzzer must find its bug */
    char note[200];
} fz_subject_claims;

/* claims.c */
int fz_claims_for(const char *claims_file, const char *expect_dir, const char *subject,
                  fz_subject_claims *out);
void fz_claims_format(unsigned claims, char *out, size_t n);

/* shrink.c: shrinks c in place while still_fails(candidate) says it
 * fails the same way; at most max_trials runs. Returns the runs used. */
typedef int (*fz_still_fails)(const fz_case *candidate, void *ctx);
int fz_shrink(fz_case *c, fz_still_fails still_fails, void *ctx, int max_trials);

/* model.c: runs plan steps [0, upto) on ns in this process. Returns 0 if
 * every claim held, else 1 with "category|step|message" in why. */
int fz_run_model(void *ns, const fz_plan *p, int upto, unsigned features, unsigned claims,
                 char *why, size_t n);
/* Splits a "category|step|message" divergence: fills category and step
 * and returns the message (for anything else: "error", 0, all of it). */
const char *fz_divergence_split(const char *why, char *category, size_t n, int *step);
/* If set (a page shared with the parent), the step being run: a crash or
 * a hang can then be blamed on a step. */
extern volatile int *fz_progress;

#endif
