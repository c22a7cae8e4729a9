/* The differential fuzzer: random sequences of operations on the object
 * model, run against a subject and against a small model of the
 * identity guarantees that subject claims. A divergence is shrunk
 * to a short sequence and printed as a Python reproduction.
 *
 * plan.c     the operations' registry; generates cases and resolves them
 *            into concrete steps without Python (which slot holds which
 *            kind of native is decided by the operations alone), and
 *            prints steps as Python
 * model.c    runs the steps on a subject and checks every wrapper it
 *            hands out against the claims (model.h: its vocabulary)
 * steps_*.c  the operations, one record each, grouped by area:
 *            build      constructors and copy.copy
 *            reads      field reads, drops, gc.collect, attributes, weakrefs
 *            pickle     the pickle round trip
 *            scale      thousands of live handles; threads churning a field
 *            death      reads and resurrections during a wrapper's death,
 *                       cycles broken by the collector
 *            fork       fork, and fork beside a busy thread
 *            ownership  interning constructors, disowning
 *            interp     a sub-interpreter
 * claims.c   what a subject claims: claims.txt, else its expectations file
 * shrink.c   delta debugging over a failing case
 * main.c     command line, time budget, TAP
 *
 * Adding an operation
 * -------------------
 * An operation is one fz_op_def record (below) in the steps_*.c file of its
 * area, or a new steps_AREA.c (fuzz.mk builds every .c here), registered
 * with FZ_OP(record); nothing else is edited. The record says:
 *
 *     static const fz_op_def op_weakref = {
 *         .name = "weakref", .id = 9, .weight = 5,
 *         .needs = FFI_FEATURE_WEAKREF,   // plan features, all required
 *         .resolve = resolve_weakref,     // against the held slots, no Python
 *         .describe = describe_weakref,   // one line of Python
 *         .run = run_weakref,             // on the subject, checked by the model
 *     };
 *     FZ_OP(op_weakref);
 *
 *   id      stable, what a case stores and a seed draws: take the next
 *           free one (build/fuzz --ops lists them), never renumber or reuse
 *           one. fz_generate walks the operations in id order, so where a
 *           record lives does not change what a seed gives; a new
 *           operation's weight does change it (the total grows), as any
 *           change of weights does: a recorded seed replays on the table it
 *           was found with.
 *   weight  how often it is drawn, relative to the others (the sum over
 *           every operation, including those a subject lacks the needs of)
 *   needs, claims
 *           what the subject must offer (FFI_FEATURE_*, FZ_FEAT_*) and
 *           claim (FZ_CLAIM_*) for the operation to be planned; without
 *           them it is dropped from the case. Claims gate operations whose
 *           failure is a hang or a crash, which would fail every case of a
 *           subject known not to make it.
 *   resolve turns the raw operation (st comes filled in: its slots reduced
 *           modulo FZ_SLOTS, value i + 1, no native) into a concrete step
 *           against what the slots hold (fz_resolver); makes the natives it
 *           creates (fz_new_native) and updates rs->held. Returns 0 when the
 *           operation does nothing here (it is dropped), 1 to keep st. NULL:
 *           kept as it comes.
 *   describe
 *           the step as one line of the Python reproduction; model.c also
 *           uses it as the expression in messages.
 *   python  optional, NULL-terminated: definitions (fz_python_def) that
 *           line needs before the first step (a helper, a class), each
 *           printed once, in order of first use.
 *   run     runs the step on the subject (model.h: struct run), passes
 *           every wrapper the subject hands out through fz_sighting, and
 *           returns 0, or 1 after recording a divergence (fz_diverge).
 *   end     optional: drops what the operation keeps across steps
 *           (r->op_state[id]) when a case ends.
 *
 * A new kind of check also needs its claim (fz_claim, claims.c) and a
 * planted control that the fuzzer must find (claims.txt) if it is to be
 * trusted. */
#ifndef FZ_H
#define FZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum { FZ_SLOTS = 6, FZ_MAX_OPS = 256, FZ_MAX_NATIVES = 4 * FZ_MAX_OPS };
enum { FZ_OP_IDS = 256 };        /* operation ids are 0..255: a raw operation stores one in a byte */

/* A raw operation: which one (its record's id) and three small integers,
 * reduced modulo whatever they index, so any sequence is valid. */
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
    int interned;           /* made by the intern operation as "k<interned>"; 0: not */
} fz_native;

/* Plan features beyond the subject's FFI_FEATURE_* ones. */
enum {
    FZ_FEAT_COPY_SHARES = 1u << 30,   /* copy.copy shares children (claims copy) */
    FZ_FEAT_COPY = 1u << 29,          /* copy.copy(ns.Var(...)) works at all */
    FZ_FEAT_DISOWN = 1u << 28,        /* ns.consume(w) ('disown' in ns.features) */
    FZ_FEAT_ADAPTER = 1u << 25,       /* a real tool's adapter (ffi_adapters.load), not ffi_identity's */
};

/* Field reads, resolved. */
typedef enum fz_field { FZ_F_A, FZ_F_B, FZ_F_OFFSET, FZ_F_AXIS0, FZ_F_CHILD0, FZ_F_CHILD1, FZ_F_INNER } fz_field;

typedef struct fz_op_def fz_op_def;

/* A concrete step: an effective operation with everything resolved. What
 * a, b and value mean beyond the common case is the operation's own (its
 * resolve says); slot masks are common (b: the held slots a pickle or a
 * fork takes). */
typedef struct fz_step {
    const fz_op_def *op;
    int d, a, b;       /* slots: d the destination, a and b arguments or the source */
    int native;        /* the native it creates or reads (-1: none) */
    fz_field field;    /* the field read */
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

/* Resolution of one case, as an operation's resolve sees it. */
typedef struct fz_resolver {
    fz_plan *plan;
    unsigned features, claims;
    int held[FZ_SLOTS];       /* the native each slot holds; -1: none */
    int state[FZ_OP_IDS];     /* an operation's own, by its id; 0 when a case starts */
} fz_resolver;

/* A definition the reproduction needs before its steps: text (lines of
 * Python, each ending in '\n'), or print where it depends on the subject
 * (adapter: it is loaded through ffi_adapters). */
typedef struct fz_python_def {
    const char *text;
    void (*print)(FILE *out, const char *prefix, int adapter);
} fz_python_def;

struct run;   /* model.h */

/* An operation, registered with FZ_OP (see "Adding an operation" above). */
struct fz_op_def {
    const char *name;          /* short, unique: "dying-read" */
    int id;                    /* stable, 0..FZ_OP_IDS-1 */
    int weight;
    unsigned needs;            /* FFI_FEATURE_* and FZ_FEAT_* bits, all required */
    unsigned claims;           /* FZ_CLAIM_* bits, all required */
    int (*resolve)(fz_resolver *rs, const fz_raw *raw, fz_step *st);
    void (*describe)(const fz_step *s, char *out, size_t n);
    const fz_python_def *const *python;
    int (*run)(struct run *r, const fz_step *s);
    void (*end)(struct run *r);
};

#define FZ_OP(def) \
    static const fz_op_def *const fz_registered_##def __attribute__((used, section("fz_ops"))) = &(def)

/* plan.c: the registry. Every registered operation in id order,
 * NULL-terminated; the one with that id, or NULL. Aborts at first use if
 * two share an id or one is out of range. */
const fz_op_def *const *fz_ops(void);
const fz_op_def *fz_op_by_id(int id);
/* Prints the operations (id, name, weight, needs) for --ops. */
void fz_ops_list(FILE *out);

/* plan.c: cases and plans. */
void fz_generate(fz_case *c, uint64_t seed, int length);
void fz_resolve(const fz_case *c, unsigned features, unsigned claims, fz_plan *p);
/* Writes the plan's first `upto` steps as a Python script for `subject`. */
void fz_print_python(FILE *out, const fz_plan *p, int upto, const char *subject, int adapter,
                     unsigned features, const char *prefix);
void fz_describe_step(const fz_step *s, char *out, size_t n);
/* Field `selector` (0 or 1) of a native: which field it is and the native
 * it holds, or -1 if that kind has no such field. */
int fz_field_native(const fz_plan *p, int native, int selector, fz_field *field);
const char *fz_field_expr(fz_field f);   /* ".a", ".axes[0]", ... */

/* plan.c: for resolve functions. */
/* A new native of that kind with those children; its index. */
int fz_new_native(fz_plan *p, fz_kind kind, int c0, int c1, int nchild);
/* Native n is a Var or an Add (an expression: Add's and Layout's offset arguments). */
int fz_is_expr(const fz_plan *p, int n);
/* A held slot other than `not` whose field holds native n: its index, with
 * *field set; -1 if none. The search starts at slot `from`. */
int fz_holder_of(const fz_resolver *rs, int n, int not, int from, fz_field *field);
/* The held slots, as a mask, whose natives have a field to read. */
int fz_readable_slots(const fz_resolver *rs);
/* The held slots, as a mask, but for Inner views (an Inner alone is not
 * picklable in every binding: pickle its Outer; a fork re-reads through
 * its Outer too). */
int fz_held_roots(const fz_resolver *rs);
/* "s0, s3" for a slot mask. */
void fz_slot_list(int mask, char *out, size_t n);
/* Each line of text (lines ending in '\n') written to out after prefix. */
void fz_print_lines(FILE *out, const char *prefix, const char *text);

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
