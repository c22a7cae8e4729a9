/* Cases: generation, resolution into steps, and printing as Python.
 * Nothing here runs Python: which kind of native each slot holds follows
 * from the operations alone, so the parent can resolve and print a case
 * that crashed its child. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cf.h"
#include "fuzz.h"

const char *const fz_kind_names[] = {"Var", "Add", "Layout", "Node", "Outer", "Inner"};

/* splitmix64: small, seedable, good enough to spread operations. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* How often each operation is drawn: mostly building and reading, with
 * enough drops and collections that addresses get freed and reused. */
static const int op_weight[FZ_OP_END] = {
    [FZ_NEW_VAR] = 14, [FZ_NEW_ADD] = 12, [FZ_NEW_LAYOUT] = 6, [FZ_NEW_NODE] = 5,
    [FZ_NEW_OUTER] = 5, [FZ_GET] = 26, [FZ_DROP] = 12, [FZ_GC] = 6,
    [FZ_SETATTR] = 5, [FZ_WEAKREF] = 5, [FZ_PICKLE] = 3, [FZ_FORK] = 1,
    [FZ_NEW_SUB] = 5, [FZ_COPY] = 4, [FZ_GET_INNER] = 6, [FZ_DYING_READ] = 6,
    [FZ_BULK] = 1, [FZ_CHURN] = 2, [FZ_DEL_READ] = 4, [FZ_NEW_INTERN] = 4, [FZ_SUBINTERP] = 1,
    [FZ_RESURRECT] = 3, [FZ_CYCLE] = 3, [FZ_DISOWN] = 4, [FZ_FORK_BUSY] = 1,
};

void fz_generate(fz_case *c, uint64_t seed, int length)
{
    int total = 0;
    for (int k = 0; k < FZ_OP_END; k++)
        total += op_weight[k];
    uint64_t state = seed;
    c->n = length < FZ_MAX_OPS ? length : FZ_MAX_OPS;
    for (int i = 0; i < c->n; i++) {
        uint64_t r = next_random(&state);
        int pick = (int)(r % (uint64_t)total), op = 0;
        while (pick >= op_weight[op])
            pick -= op_weight[op++];
        c->ops[i] = (fz_raw){(uint8_t)op, (uint8_t)(r >> 16), (uint8_t)(r >> 24), (uint8_t)(r >> 32)};
    }
}

static int new_native(fz_plan *p, fz_kind kind, int c0, int c1, int nchild)
{
    fz_native *nat = &p->natives[p->nnatives];
    *nat = (fz_native){kind, nchild, {c0, c1}, 0, 0, 0};
    return p->nnatives++;
}

/* A held slot other than `not` whose field holds native n: its index, with
 * *field set; -1 if none. The search starts at slot `from`. */
static int holder_of(const fz_plan *p, const int *held, int n, int not, int from, fz_field *field)
{
    for (int k = 0; k < FZ_SLOTS; k++) {
        int s = (from + k) % FZ_SLOTS;
        for (int sel = 0; sel < 2 && s != not && held[s] >= 0; sel++)
            if (fz_field_native(p, held[s], sel, field) == n)
                return s;
    }
    return -1;
}

/* The held slots, as a mask, whose natives have a field to read. */
static int readable_slots(const fz_plan *p, const int *held)
{
    int mask = 0;
    fz_field f;
    for (int s = 0; s < FZ_SLOTS; s++)
        if (held[s] >= 0 && (fz_field_native(p, held[s], 0, &f) >= 0 || fz_field_native(p, held[s], 1, &f) >= 0))
            mask |= 1 << s;
    return mask;
}

static int is_expr(const fz_plan *p, int native)
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

void fz_resolve(const fz_case *c, unsigned features, fz_plan *p)
{
    int held[FZ_SLOTS];
    for (int s = 0; s < FZ_SLOTS; s++)
        held[s] = -1;
    p->n = p->nnatives = 0;
    int bulk = 0;   /* a bulk is held */
    for (int i = 0; i < c->n; i++) {
        const fz_raw *r = &c->ops[i];
        fz_step st = {(fz_op)r->op, r->d % FZ_SLOTS, r->a % FZ_SLOTS, r->b % FZ_SLOTS, -1, FZ_F_A, i + 1, i};
        int na = held[st.a], nb = held[st.b], nd = held[st.d];
        switch (st.op) {
        case FZ_NEW_VAR:
            st.native = new_native(p, FZ_VAR, -1, -1, 0);
            break;
        case FZ_NEW_ADD:
            if (!is_expr(p, na) || !is_expr(p, nb))
                continue;
            st.native = new_native(p, FZ_ADD, na, nb, 2);
            break;
        case FZ_NEW_LAYOUT:   /* child[0] the axis, child[1] the offset */
            if (na < 0 || p->natives[na].kind != FZ_VAR || !is_expr(p, nb))
                continue;
            st.native = new_native(p, FZ_LAYOUT, na, nb, 2);
            break;
        case FZ_NEW_NODE: {   /* children: whichever of s[a], s[b] hold Nodes (a DAG of Nodes) */
            if (!(features & FFI_FEATURE_NODE))
                continue;
            int kids[2], nkids = 0;
            if (na >= 0 && p->natives[na].kind == FZ_NODE)
                kids[nkids++] = na;
            else
                st.a = -1;
            if (nb >= 0 && p->natives[nb].kind == FZ_NODE)
                kids[nkids++] = nb;
            else
                st.b = -1;
            st.native = new_native(p, FZ_NODE, nkids > 0 ? kids[0] : -1, nkids > 1 ? kids[1] : -1, nkids);
            break;
        }
        case FZ_NEW_OUTER:
            if (!(features & FFI_FEATURE_OUTER))
                continue;
            st.native = new_native(p, FZ_OUTER, -1, -1, 0);
            new_native(p, FZ_INNER, st.native, -1, 1);   /* the view; holding it holds the Outer */
            break;
        case FZ_GET:
            if (na < 0 || (st.native = fz_field_native(p, na, p->natives[na].kind == FZ_OUTER ? 0 : r->b,
                                                       &st.field)) < 0)
                continue;
            break;
        case FZ_DROP:
        case FZ_SETATTR:
        case FZ_WEAKREF:
            if (nd < 0 || (st.op == FZ_SETATTR && !(features & FFI_FEATURE_DICT)) ||
                (st.op == FZ_WEAKREF && !(features & FFI_FEATURE_WEAKREF)))
                continue;
            st.native = nd;
            break;
        case FZ_PICKLE:
        case FZ_FORK:
            st.b = 0;
            /* An Inner view alone is not picklable in every binding
             * (pickle its Outer); a fork re-reads through its Outer too. */
            for (int s = 0; s < FZ_SLOTS; s++)
                if (held[s] >= 0 && p->natives[held[s]].kind != FZ_INNER)
                    st.b |= 1 << s;
            if (!st.b || (st.op == FZ_PICKLE && !(features & FFI_FEATURE_PICKLE)))
                continue;
            st.value = 2 + r->a % 4;
            break;
        case FZ_GC:
            break;
        case FZ_NEW_SUB:
            if (!(features & FFI_FEATURE_SUBCLASS))
                continue;
            st.native = new_native(p, FZ_VAR, -1, -1, 0);
            p->natives[st.native].sub = 1;
            held[st.d] = st.native;
            break;
        case FZ_COPY: {
            if (!(features & FZ_FEAT_COPY) || na < 0 || p->natives[na].kind == FZ_INNER)
                continue;
            fz_native src = p->natives[na];
            st.native = new_native(p, src.kind, -1, -1, 0);
            p->natives[st.native].sub = src.sub;
            if (src.kind == FZ_OUTER)
                new_native(p, FZ_INNER, st.native, -1, 1);
            else if (features & FZ_FEAT_COPY_SHARES) {
                p->natives[st.native].nchild = src.nchild;
                memcpy(p->natives[st.native].child, src.child, sizeof src.child);
                p->natives[st.native].opaque = src.opaque;
            } else
                p->natives[st.native].opaque = src.kind != FZ_VAR;
            held[st.d] = st.native;
            break;
        }
        case FZ_GET_INNER: {
            if (!(features & FFI_FEATURE_OUTER))
                continue;
            int k = 0;
            while (k < FZ_SLOTS && (held[(st.a + k) % FZ_SLOTS] < 0 ||
                                    p->natives[held[(st.a + k) % FZ_SLOTS]].kind != FZ_OUTER))
                k++;
            if (k == FZ_SLOTS)
                continue;
            st.a = (st.a + k) % FZ_SLOTS;
            st.op = FZ_GET;
            st.native = fz_field_native(p, held[st.a], 0, &st.field);
            held[st.d] = st.native;
            break;
        }
        case FZ_DYING_READ: {   /* a: a held slot whose field holds s[d]'s native */
            if (!(features & FFI_FEATURE_WEAKREF) || nd < 0)
                continue;
            int found = 0;
            for (int k = 0; k < FZ_SLOTS && !found; k++) {
                int s = (st.a + k) % FZ_SLOTS;
                for (int sel = 0; sel < 2 && !found && s != st.d && held[s] >= 0; sel++)
                    if (fz_field_native(p, held[s], sel, &st.field) == nd)
                        found = 1, st.a = s;
            }
            if (!found)
                continue;
            st.native = nd;
            break;
        }
        case FZ_BULK:
            st.b = r->a % 3;
            if (st.b != 1 && !bulk)
                continue;
            bulk = st.b != 0;
            st.value = 500 * (1 + r->b % 4);
            break;
        case FZ_DEL_READ:
        case FZ_RESURRECT:   /* the Fin's Var in s[d], the Add holding it in s[a] */
            if (!(features & FFI_FEATURE_SUBCLASS))
                continue;
            if (st.a == st.d)
                st.a = (st.d + 1) % FZ_SLOTS;
            st.native = new_native(p, FZ_VAR, -1, -1, 0);
            p->natives[st.native].sub = 2;
            st.b = new_native(p, FZ_ADD, st.native, st.native, 2);
            st.field = FZ_F_A;
            held[st.a] = st.b;
            held[st.d] = st.native;
            break;
        case FZ_NEW_INTERN:
            if (!(features & FFI_FEATURE_INTERN))
                continue;
            st.native = new_native(p, FZ_VAR, -1, -1, 0);
            p->natives[st.native].interned = st.value;
            held[st.d] = st.native;
            break;
        case FZ_SUBINTERP:   /* b: the held slots of interned Vars */
            if (!(features & FZ_FEAT_SUBINTERP))
                continue;
            st.b = 0;
            for (int s = 0; s < FZ_SLOTS; s++)
                if (held[s] >= 0 && p->natives[held[s]].interned)
                    st.b |= 1 << s;
            break;
        case FZ_CYCLE:   /* a: the holder to re-read through, or -1 */
            if (!(features & FFI_FEATURE_DICT) || nd < 0)
                continue;
            st.native = nd;
            st.a = holder_of(p, held, nd, st.d, st.a, &st.field);
            held[st.d] = st.a >= 0 ? nd : -1;
            break;
        case FZ_DISOWN:   /* b: the slots of that native, dropped; a: the holder to re-read through, or -1 */
            if (!(features & FZ_FEAT_DISOWN) || nd < 0 || p->natives[nd].kind == FZ_INNER || p->natives[nd].sub)
                continue;
            st.native = nd;
            st.b = 0;
            for (int s = 0; s < FZ_SLOTS; s++)
                if (held[s] == nd) {
                    st.b |= 1 << s;
                    held[s] = -1;
                }
            st.a = holder_of(p, held, nd, -1, st.a, &st.field);
            held[st.d] = st.a >= 0 ? nd : -1;
            break;
        case FZ_FORK_BUSY:   /* b: the held slots with fields */
            if (!(features & FZ_FEAT_FORK_BUSY) || !(features & FFI_FEATURE_THREADS) ||
                !(st.b = readable_slots(p, held)))
                continue;
            break;
        case FZ_CHURN:
            if (!(features & FFI_FEATURE_THREADS) || na < 0 ||
                (st.native = fz_field_native(p, na, p->natives[na].kind == FZ_OUTER ? 0 : r->b, &st.field)) < 0)
                continue;
            break;
        default:
            continue;
        }
        if (st.op <= FZ_GET)
            held[st.d] = st.native;
        else if (st.op == FZ_DROP)
            held[st.d] = -1;
        p->steps[p->n++] = st;
    }
}

static const char *field_expr[] = {
    [FZ_F_A] = ".a", [FZ_F_B] = ".b", [FZ_F_OFFSET] = ".offset", [FZ_F_AXIS0] = ".axes[0]",
    [FZ_F_CHILD0] = ".children[0]", [FZ_F_CHILD1] = ".children[1]", [FZ_F_INNER] = ".inner",
};

const char *fz_field_expr(fz_field f) { return field_expr[f]; }

void fz_describe_step(const fz_step *s, char *out, size_t n)
{
    char held[64] = "";
    size_t used = 0;
    for (int k = 0; k < FZ_SLOTS; k++)
        if (s->b & (1 << k))
            used += (size_t)snprintf(held + used, sizeof held - used, "%ss%d", used ? ", " : "", k);
    switch (s->op) {
    case FZ_NEW_VAR:    snprintf(out, n, "s%d = ns.Var(\"v%d\")", s->d, s->value); break;
    case FZ_NEW_ADD:    snprintf(out, n, "s%d = ns.Add(s%d, s%d)", s->d, s->a, s->b); break;
    case FZ_NEW_LAYOUT: snprintf(out, n, "s%d = ns.Layout([s%d], s%d)", s->d, s->a, s->b); break;
    case FZ_NEW_NODE:
        if (s->a >= 0 && s->b >= 0)
            snprintf(out, n, "s%d = ns.Node(%d, [s%d, s%d])", s->d, s->value, s->a, s->b);
        else if (s->a >= 0 || s->b >= 0)
            snprintf(out, n, "s%d = ns.Node(%d, [s%d])", s->d, s->value, s->a >= 0 ? s->a : s->b);
        else
            snprintf(out, n, "s%d = ns.Node(%d, [])", s->d, s->value);
        break;
    case FZ_NEW_OUTER:  snprintf(out, n, "s%d = ns.Outer(%d)", s->d, s->value); break;
    case FZ_GET:        snprintf(out, n, "s%d = s%d%s", s->d, s->a, field_expr[s->field]); break;
    case FZ_DROP:       snprintf(out, n, "s%d = None", s->d); break;
    case FZ_GC:         snprintf(out, n, "gc.collect()"); break;
    case FZ_SETATTR:    snprintf(out, n, "s%d.fz = %d", s->d, s->value); break;
    case FZ_WEAKREF:    snprintf(out, n, "w%d = weakref.ref(s%d)", s->d, s->d); break;
    case FZ_PICKLE:
        snprintf(out, n, "r = pickle.loads(pickle.dumps((%s,), %d)); del r", held, s->value);
        break;
    case FZ_FORK:
        snprintf(out, n, "if os.fork() == 0: reread(%s); os._exit(0)", held);
        break;
    case FZ_NEW_SUB:    snprintf(out, n, "s%d = Sub(\"v%d\")", s->d, s->value); break;
    case FZ_COPY:       snprintf(out, n, "s%d = copy.copy(s%d)", s->d, s->a); break;
    case FZ_DYING_READ:
        snprintf(out, n, "got = []; w = weakref.ref(s%d, lambda _: got.append(s%d%s)); s%d = None; "
                 "s%d = got[0] if got else s%d%s; del w, got",
                 s->d, s->a, field_expr[s->field], s->d, s->d, s->a, field_expr[s->field]);
        break;
    case FZ_BULK:
        if (s->b == 0)
            snprintf(out, n, "bulk = adds = None");
        else if (s->b == 1)
            snprintf(out, n, "bulk = [ns.Var(\"b%%d\" %% k) for k in range(%d)]; adds = [ns.Add(v, v) for v in bulk]; "
                     "reads = [a.a for a in adds]; del reads", s->value);
        else
            snprintf(out, n, "bulk[::2] = [None] * len(bulk[::2]); reads = [(a.a, a.a) for a in adds]; del reads");
        break;
    case FZ_CHURN:      snprintf(out, n, "churn(lambda: s%d%s)", s->a, field_expr[s->field]); break;
    case FZ_DEL_READ:
        snprintf(out, n, "f = Fin(\"v%d\"); s%d = ns.Add(f, f); got = []; Fin.hook = lambda _: got.append(s%d.a); "
                 "del f; Fin.hook = None; s%d = got[0] if got else s%d.a; del got",
                 s->value, s->a, s->a, s->d, s->a);
        break;
    case FZ_NEW_INTERN: snprintf(out, n, "s%d = ns.intern(\"k%d\")", s->d, s->value); break;
    case FZ_SUBINTERP:  snprintf(out, n, "subinterp(%s)", held); break;
    case FZ_RESURRECT:
        snprintf(out, n, "f = Fin(\"v%d\"); s%d = ns.Add(f, f); Fin.hook = kept.append; del f; Fin.hook = None; "
                 "s%d = kept.pop() if kept else s%d.a", s->value, s->a, s->d, s->a);
        break;
    case FZ_CYCLE:
        if (s->a >= 0)
            snprintf(out, n, "s%d.me = s%d; s%d = None; gc.collect(); s%d = s%d%s; s%d.__dict__.pop(\"me\", None)",
                     s->d, s->d, s->d, s->d, s->a, field_expr[s->field], s->d);
        else
            snprintf(out, n, "s%d.me = s%d; s%d = None; gc.collect()", s->d, s->d, s->d);
        break;
    case FZ_DISOWN: {
        char drop[64] = "";
        size_t k = 0;
        for (int j = 0; j < FZ_SLOTS; j++)
            if (s->b & (1 << j))
                k += (size_t)snprintf(drop + k, sizeof drop - k, "disowned.append(s%d); s%d = None; ", j, j);
        if (s->a >= 0)
            snprintf(out, n, "ns.consume(s%d); %ss%d = s%d%s", s->d, drop, s->d, s->a, field_expr[s->field]);
        else
            snprintf(out, n, "ns.consume(s%d); %.*s", s->d, (int)(k > 2 ? k - 2 : k), drop);
        break;
    }
    case FZ_FORK_BUSY:  snprintf(out, n, "fork_busy(%s)", held); break;
    default:            snprintf(out, n, "?"); break;
    }
}

void fz_print_python(FILE *out, const fz_plan *p, int upto, const char *subject, int adapter,
                     unsigned features, const char *prefix)
{
    int forks = 0, subs = 0, churns = 0, fins = 0, busy = 0, interps = 0, kept = 0, disowns = 0;
    for (int i = 0; i < upto && i < p->n; i++) {
        fz_op op = p->steps[i].op;
        forks |= op == FZ_FORK || op == FZ_FORK_BUSY;
        subs |= op == FZ_NEW_SUB;
        churns |= op == FZ_CHURN;
        fins |= op == FZ_DEL_READ || op == FZ_RESURRECT;
        busy |= op == FZ_FORK_BUSY;
        interps |= op == FZ_SUBINTERP;
        kept |= op == FZ_RESURRECT;
        disowns |= op == FZ_DISOWN;
    }
    const char *so = getenv("IMPL_SO");
    if (so && *so)
        fprintf(out, "%s# with IMPL_SO=%s in the environment (an out-of-tree strategy)\n", prefix, so);
    fprintf(out, "%simport copy, gc, os, pickle, signal, weakref\n", prefix);
    fprintf(out, "%simport ffi_identity%s\n", prefix, adapter ? ", ffi_adapters" : "");
    fprintf(out, "%sns = %s.load(\"%s\")\n", prefix, adapter ? "ffi_adapters" : "ffi_identity", subject);
    if (features & FFI_FEATURE_ALLOC)
        fprintf(out, "%sffi_identity.set_alloc_mode(\"lifo\")   # freed addresses are reused at once\n", prefix);
    if (forks)
        fprintf(out, "%sdef reread(*held): [getattr(o, f, None) for o in held for f in (\"a\", \"b\", \"offset\", \"inner\")]\n",
               prefix);
    if (subs)
        fprintf(out, "%sclass Sub(ns.Var): pass\n", prefix);
    if (fins) {
        fprintf(out, "%sclass Fin(ns.Var):   # its __del__ calls Fin.hook with the dying wrapper\n", prefix);
        fprintf(out, "%s    hook = None\n", prefix);
        fprintf(out, "%s    def __del__(self):\n", prefix);
        fprintf(out, "%s        Fin.hook and Fin.hook(self)\n", prefix);
        fprintf(out, "%s        getattr(super(), '__del__', lambda: None)()\n", prefix);
    }
    if (churns) {
        fprintf(out, "%sdef churn(read):   # two threads: x = read(); y = read(); x is y, while wrappers die\n", prefix);
        fprintf(out, "%s    import sys, threading, time; sys.setswitchinterval(1e-6)\n", prefix);
        fprintf(out, "%s    def body():\n", prefix);
        fprintf(out, "%s        for _ in range(%d): x = read(); time.sleep(0); y = read(); assert x is y; del x, y\n",
                prefix, FZ_CHURN_ITERS);
        fprintf(out, "%s    ts = [threading.Thread(target=body) for _ in range(2)]; [t.start() for t in ts]; "
                     "[t.join() for t in ts]\n", prefix);
    }
    if (kept)
        fprintf(out, "%skept = []   # wrappers resurrected by Fin.__del__\n", prefix);
    if (disowns)
        fprintf(out, "%sdisowned = []   # wrappers given to ns.consume(): none may come back\n", prefix);
    if (busy) {
        fprintf(out, "%sdef fork_busy(*held):   # fork while a thread re-reads every field, race window open\n", prefix);
        fprintf(out, "%s    import threading, time; ffi_identity.set_race_window(True); stop = threading.Event()\n", prefix);
        fprintf(out, "%s    def body():\n", prefix);
        fprintf(out, "%s        while not stop.is_set(): reread(*held); time.sleep(0)\n", prefix);
        fprintf(out, "%s    t = threading.Thread(target=body, daemon=True); t.start()\n", prefix);
        fprintf(out, "%s    for _ in range(%d):   # a child that hangs is the divergence\n", prefix, 8);
        fprintf(out, "%s        time.sleep(0.001)\n", prefix);
        fprintf(out, "%s        if (pid := os.fork()) == 0: signal.alarm(2); reread(*held); os._exit(0)\n", prefix);
        fprintf(out, "%s        os.waitpid(pid, 0)\n", prefix);
        fprintf(out, "%s    stop.set(); t.join(); ffi_identity.set_race_window(False)\n", prefix);
    }
    if (interps) {
        fprintf(out, "%sdef subinterp(*held):   # a sub-interpreter loads the subject and interns the held names\n",
                prefix);
        fprintf(out, "%s    import _xxsubinterpreters as si, sys; i = si.create(isolated=False)\n", prefix);
        fprintf(out, "%s    code = f\"import sys; sys.path[:] = {sys.path!r}; import ffi_identity%s; ns = %s.load(%%r)\\n\" %% ns.name\n",
                prefix, adapter ? ", ffi_adapters" : "", adapter ? "ffi_adapters" : "ffi_identity");
        fprintf(out, "%s    code += ''.join(f\"v = ns.intern({h.name!r}); assert type(v) is ns.Var and ns.Add(v, v).a is v\\n\" for h in held)\n",
                prefix);
        fprintf(out, "%s    try: si.run_string(i, code)\n", prefix);
        fprintf(out, "%s    finally: si.destroy(i)\n", prefix);
        fprintf(out, "%s    [ns.intern(h.name) for h in held]\n", prefix);
    }
    for (int i = 0; i < upto && i < p->n; i++) {
        char line[300];
        fz_describe_step(&p->steps[i], line, sizeof line);
        fprintf(out, "%s%s\n", prefix, line);
    }
}
