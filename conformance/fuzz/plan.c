/* The operations' registry; cases: generation, resolution into steps, and
 * printing as Python. Nothing here runs Python: which kind of native each
 * slot holds follows from the operations alone, so the parent can resolve
 * and print a case that crashed its child. What each operation does is
 * its record's (steps_*.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cf.h"
#include "core/section.h"
#include "fuzz.h"

const char *const fz_kind_names[] = {"Var", "Add", "Layout", "Node", "Outer", "Inner"};

/* The registry: every FZ_OP record, from the linker's fz_ops section. */
extern const fz_op_def *const __start_fz_ops[], *const __stop_fz_ops[];

static int by_id(const void *a, const void *b)
{
    return (*(const fz_op_def *const *)a)->id - (*(const fz_op_def *const *)b)->id;
}

static const fz_op_def *by_id_table[FZ_OP_IDS];

const fz_op_def *const *fz_ops(void)
{
    static const void **sorted;
    if (sorted)
        return (const fz_op_def *const *)sorted;
    sorted = ffi_section_sorted((const void *const *)__start_fz_ops, (const void *const *)__stop_fz_ops, by_id);
    for (const fz_op_def *const *op = (const fz_op_def *const *)sorted; *op; op++) {
        const fz_op_def *o = *op;
        if (o->id < 0 || o->id >= FZ_OP_IDS || !o->name || !o->describe || !o->run || o->weight < 0) {
            fprintf(stderr, "fuzz: operation %s (id %d) is malformed: ids are 0..%d; name, describe and run "
                            "are required\n", o->name ? o->name : "?", o->id, FZ_OP_IDS - 1);
            abort();
        }
        if (by_id_table[o->id]) {
            fprintf(stderr, "fuzz: operations %s and %s share the id %d: give the newer one a free id "
                            "(build/fuzz --ops)\n", by_id_table[o->id]->name, o->name, o->id);
            abort();
        }
        by_id_table[o->id] = o;
    }
    return (const fz_op_def *const *)sorted;
}

const fz_op_def *fz_op_by_id(int id)
{
    fz_ops();
    return id >= 0 && id < FZ_OP_IDS ? by_id_table[id] : NULL;
}

/* Names of the plan features beyond the subject's. */
static const struct { unsigned bit; const char *name; } plan_features[] = {
    {FZ_FEAT_COPY_SHARES, "copy-shares"}, {FZ_FEAT_COPY, "copy"}, {FZ_FEAT_DISOWN, "disown"},
    {FZ_FEAT_ADAPTER, "adapter"},
};

static void format_needs(unsigned needs, unsigned claims, char *out, size_t n)
{
    size_t used = 0;
    out[0] = '\0';
    for (int k = 0; k < 32 && used < n; k++) {
        unsigned bit = 1u << k;
        if (!(needs & bit))
            continue;
        const char *name = NULL;
        for (size_t j = 0; j < sizeof plan_features / sizeof *plan_features; j++)
            if (plan_features[j].bit == bit)
                name = plan_features[j].name;
        used += (size_t)snprintf(out + used, n - used, "%s%s", used ? " " : "", name ? name : ffi_feature_name(bit));
    }
    if (claims && used < n) {
        char names[200];
        fz_claims_format(claims, names, sizeof names);
        used += (size_t)snprintf(out + used, n - used, "%sclaims %s", used ? "; " : "", names);
    }
    if (!used)
        snprintf(out, n, "-");
}

void fz_ops_list(FILE *out)
{
    fprintf(out, "%3s  %-12s %6s  %s\n", "id", "operation", "weight", "needs");
    for (const fz_op_def *const *op = fz_ops(); *op; op++) {
        char needs[300];
        format_needs((*op)->needs, (*op)->claims, needs, sizeof needs);
        fprintf(out, "%3d  %-12s %6d  %s\n", (*op)->id, (*op)->name, (*op)->weight, needs);
    }
}

/* splitmix64: small, seedable, good enough to spread operations. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Each draw picks an operation with a chance in proportion to its weight,
 * walking the operations in id order: what a seed gives depends on the
 * ids and weights, not on where the records live. */
void fz_generate(fz_case *c, uint64_t seed, int length)
{
    const fz_op_def *const *ops = fz_ops();
    c->n = 0;
    if (!ops[0])
        return;
    int total = 0;
    for (const fz_op_def *const *op = ops; *op; op++)
        total += (*op)->weight;
    uint64_t state = seed;
    c->n = length < FZ_MAX_OPS ? length : FZ_MAX_OPS;
    for (int i = 0; i < c->n; i++) {
        uint64_t r = next_random(&state);
        int pick = total ? (int)(r % (uint64_t)total) : 0, k = 0;
        while (ops[k + 1] && pick >= ops[k]->weight)
            pick -= ops[k++]->weight;
        c->ops[i] = (fz_raw){(uint8_t)ops[k]->id, (uint8_t)(r >> 16), (uint8_t)(r >> 24), (uint8_t)(r >> 32)};
    }
}

int fz_new_native(fz_plan *p, fz_kind kind, int c0, int c1, int nchild)
{
    fz_native *nat = &p->natives[p->nnatives];
    *nat = (fz_native){kind, nchild, {c0, c1}, 0, 0, 0};
    return p->nnatives++;
}

int fz_holder_of(const fz_resolver *rs, int n, int not, int from, fz_field *field)
{
    for (int k = 0; k < FZ_SLOTS; k++) {
        int s = (from + k) % FZ_SLOTS;
        for (int sel = 0; sel < 2 && s != not && rs->held[s] >= 0; sel++)
            if (fz_field_native(rs->plan, rs->held[s], sel, field) == n)
                return s;
    }
    return -1;
}

int fz_readable_slots(const fz_resolver *rs)
{
    int mask = 0;
    fz_field f;
    for (int s = 0; s < FZ_SLOTS; s++)
        if (rs->held[s] >= 0 && (fz_field_native(rs->plan, rs->held[s], 0, &f) >= 0 ||
                                 fz_field_native(rs->plan, rs->held[s], 1, &f) >= 0))
            mask |= 1 << s;
    return mask;
}

int fz_held_roots(const fz_resolver *rs)
{
    int mask = 0;
    for (int s = 0; s < FZ_SLOTS; s++)
        if (rs->held[s] >= 0 && rs->plan->natives[rs->held[s]].kind != FZ_INNER)
            mask |= 1 << s;
    return mask;
}

int fz_is_expr(const fz_plan *p, int native)
{
    return native >= 0 && (p->natives[native].kind == FZ_VAR || p->natives[native].kind == FZ_ADD);
}

int fz_field_native(const fz_plan *p, int native, int selector, fz_field *field)
{
    const fz_native *n = &p->natives[native];
    int second = selector & 1;
    if (n->opaque)
        return -1;
    switch (n->kind) {
    case FZ_ADD:    *field = second ? FZ_F_B : FZ_F_A; return n->child[second];
    case FZ_LAYOUT: *field = second ? FZ_F_AXIS0 : FZ_F_OFFSET; return n->child[second ? 0 : 1];
    case FZ_NODE:
        if (n->nchild == 0)
            return -1;
        second %= n->nchild;
        *field = second ? FZ_F_CHILD1 : FZ_F_CHILD0;
        return n->child[second];
    case FZ_OUTER:  *field = FZ_F_INNER; return second ? -1 : native + 1;   /* its Inner, made with it */
    default:        return -1;
    }
}

/* Each raw operation becomes a step, or nothing where the subject lacks
 * what it needs or the slots do not hold what it works on. */
void fz_resolve(const fz_case *c, unsigned features, unsigned claims, fz_plan *p)
{
    fz_resolver rs = {.plan = p, .features = features, .claims = claims};
    for (int s = 0; s < FZ_SLOTS; s++)
        rs.held[s] = -1;
    p->n = p->nnatives = 0;
    for (int i = 0; i < c->n; i++) {
        const fz_raw *r = &c->ops[i];
        const fz_op_def *op = fz_op_by_id(r->op);
        if (!op || (features & op->needs) != op->needs || (claims & op->claims) != op->claims)
            continue;
        fz_step st = {op, r->d % FZ_SLOTS, r->a % FZ_SLOTS, r->b % FZ_SLOTS, -1, FZ_F_A, i + 1, i};
        if (op->resolve && !op->resolve(&rs, r, &st))
            continue;
        p->steps[p->n++] = st;
    }
}

static const char *field_expr[] = {
    [FZ_F_A] = ".a", [FZ_F_B] = ".b", [FZ_F_OFFSET] = ".offset", [FZ_F_AXIS0] = ".axes[0]",
    [FZ_F_CHILD0] = ".children[0]", [FZ_F_CHILD1] = ".children[1]", [FZ_F_INNER] = ".inner",
};

const char *fz_field_expr(fz_field f) { return field_expr[f]; }

void fz_slot_list(int mask, char *out, size_t n)
{
    size_t used = 0;
    out[0] = '\0';
    for (int k = 0; k < FZ_SLOTS && used < n; k++)
        if (mask & (1 << k))
            used += (size_t)snprintf(out + used, n - used, "%ss%d", used ? ", " : "", k);
}

void fz_describe_step(const fz_step *s, char *out, size_t n)
{
    s->op->describe(s, out, n);
}

void fz_print_lines(FILE *out, const char *prefix, const char *text)
{
    while (*text) {
        size_t len = strcspn(text, "\n");
        fprintf(out, "%s%.*s\n", prefix, (int)len, text);
        text += len + (text[len] == '\n');
    }
}

void fz_print_python(FILE *out, const fz_plan *p, int upto, const char *subject, int adapter,
                     unsigned features, const char *prefix)
{
    const char *so = getenv("STRATEGY_SO");
    if (so && *so)
        fprintf(out, "%s# with STRATEGY_SO=%s in the environment (an out-of-tree strategy)\n", prefix, so);
    fprintf(out, "%simport copy, gc, os, pickle, signal, weakref\n", prefix);
    fprintf(out, "%simport ffi_identity%s\n", prefix, adapter ? ", ffi_adapters" : "");
    fprintf(out, "%sns = %s.load(\"%s\")\n", prefix, adapter ? "ffi_adapters" : "ffi_identity", subject);
    if (features & FFI_FEATURE_ALLOC)
        fprintf(out, "%sffi_identity.set_alloc_mode(\"lifo\")   # freed addresses are reused at once\n", prefix);
    /* What the steps' lines need, each once, in order of first use. */
    const fz_python_def *printed[FZ_MAX_OPS];
    int nprinted = 0;
    for (int i = 0; i < upto && i < p->n; i++)
        for (const fz_python_def *const *def = p->steps[i].op->python; def && *def; def++) {
            int seen = 0;
            for (int k = 0; k < nprinted && !seen; k++)
                seen = printed[k] == *def;
            if (seen || nprinted == FZ_MAX_OPS)
                continue;
            printed[nprinted++] = *def;
            if ((*def)->print)
                (*def)->print(out, prefix, adapter);
            else
                fz_print_lines(out, prefix, (*def)->text);
        }
    for (int i = 0; i < upto && i < p->n; i++) {
        char line[300];
        fz_describe_step(&p->steps[i], line, sizeof line);
        fprintf(out, "%s%s\n", prefix, line);
    }
}
