/* The model: runs resolved steps on a subject and checks, at every
 * wrapper the subject hands out, what the subject claims. It remembers per
 * native only what a claim needs (its handle, the first wrapper's id, an
 * attribute, a weak reference) and forgets it when the native becomes
 * unreachable from the held slots, because then it may be freed. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../cf.h"
#include "../child.h"
#include "fuzz.h"

volatile int *fz_progress;

enum { FORK_SECONDS = 5 };   /* a forked child that re-reads a few fields and exits */

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
    char *why;
    size_t nwhy;
} run;

/* Records a divergence as "category|step|message"; returns 1. */
static int diverge(run *r, const char *category, const char *fmt, ...)
{
    int k = snprintf(r->why, r->nwhy, "%s|%d|", category, r->step);
    va_list ap;
    va_start(ap, fmt);
    if (k >= 0 && (size_t)k < r->nwhy)
        vsnprintf(r->why + k, r->nwhy - (size_t)k, fmt, ap);
    va_end(ap);
    /* One line: it ends up in TAP. */
    for (char *c = r->why; *c; c++)
        if (*c == '\n' || *c == '\r')
            *c = ' ';
    return 1;
}

const char *fz_divergence_split(const char *why, char *category, size_t n, int *step)
{
    const char *bar1 = strchr(why, '|'), *bar2 = bar1 ? strchr(bar1 + 1, '|') : NULL;
    if (!bar2) {
        snprintf(category, n, "error");
        *step = 0;
        return why;
    }
    snprintf(category, n, "%.*s", (int)(bar1 - why), why);
    *step = atoi(bar1 + 1);
    return bar2 + 1;
}

/* A Python error where none was expected: the subject failed a valid step. */
static int python_error(run *r, const char *doing)
{
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyObject *s = value ? PyObject_Str(value) : NULL;
    const char *msg = s ? PyUnicode_AsUTF8(s) : NULL;
    diverge(r, "error", "%s raised %s: %s", doing, type ? ((PyTypeObject *)type)->tp_name : "?",
            msg ? msg : "?");
    Py_XDECREF(s), Py_XDECREF(type), Py_XDECREF(value), Py_XDECREF(tb);
    PyErr_Clear();
    return 1;
}

static int handle_of(run *r, PyObject *o, long long *h)
{
    PyObject *v = PyObject_CallMethod(r->ns, "handle", "O", o);
    *h = v ? PyLong_AsLongLong(v) : -1;
    Py_XDECREF(v);
    return PyErr_Occurred() ? -1 : 0;
}

/* Every wrapper the subject hands out for native n, as expression `expr`. */
static int sighting(run *r, PyObject *o, int n, const char *expr, unsigned claims)
{
    const fz_native *nat = &r->plan->natives[n];
    known *k = &r->nat[n];
    const char *want = fz_kind_names[nat->kind], *got = Py_TYPE(o)->tp_name;
    const char *dot = strrchr(got, '.');
    if (strcmp(dot ? dot + 1 : got, want) != 0)
        return diverge(r, "type", "%s is a %s, expected a %s", expr, got, want);
    long long h;
    if (handle_of(r, o, &h) < 0)
        return python_error(r, "handle()");
    if (k->handle && h != k->handle)
        return diverge(r, "handle", "%s has handle %#llx, but that native's handle is %#llx", expr, h, k->handle);
    k->handle = h;
    for (int s = 0; s < FZ_SLOTS; s++) {
        if (r->slot_native[s] != n || !r->slot[s])
            continue;
        int eq = PyObject_RichCompareBool(o, r->slot[s], Py_EQ);
        Py_hash_t h1 = PyObject_Hash(o), h2 = PyObject_Hash(r->slot[s]);
        if (eq < 0 || h1 == -1 || h2 == -1)
            return python_error(r, "== or hash()");
        if (!eq || h1 != h2)
            return diverge(r, "equal", "%s and s%d wrap one native but %s", expr, s,
                           eq ? "hash differently" : "compare unequal");
        int unique = nat->kind == FZ_INNER ? (claims & FZ_CLAIM_UNIQUE) && (claims & FZ_CLAIM_VIEW_UNIQUE)
                                           : (claims & FZ_CLAIM_UNIQUE);
        if (unique && o != r->slot[s])
            return diverge(r, "unique", "%s is not s%d: a second wrapper for a native whose wrapper s%d holds",
                           expr, s, s);
    }
    if (nat->kind == FZ_INNER && !(claims & FZ_CLAIM_VIEWS))
        claims &= ~(unsigned)(FZ_CLAIM_STABLE | FZ_CLAIM_STATE | FZ_CLAIM_WEAKREF);
    if ((claims & FZ_CLAIM_STABLE) && k->first && k->first != (uintptr_t)o)
        return diverge(r, "stable", "id(%s) changed while its native stayed alive", expr);
    if (!k->first)
        k->first = (uintptr_t)o;
    if ((claims & FZ_CLAIM_STATE) && k->has_tag) {
        PyObject *v = PyObject_GetAttrString(o, "fz");
        long got_tag = v ? PyLong_AsLong(v) : -1;
        Py_XDECREF(v);
        PyErr_Clear();
        if (!v || got_tag != k->tag)
            return diverge(r, "state", "%s.fz is %s, expected %ld (set on an earlier wrapper of that native)",
                           expr, v ? "different" : "missing", k->tag);
    }
    if ((claims & FZ_CLAIM_WEAKREF) && k->weak && PyWeakref_GetObject(k->weak) != o)
        return diverge(r, "weakref", "a weak reference to an earlier wrapper of %s's native %s", expr,
                       PyWeakref_GetObject(k->weak) == Py_None ? "is dead" : "points elsewhere");
    return 0;
}

/* Forget what is known of natives no held slot reaches any more. */
static void forget_unreachable(run *r)
{
    const fz_plan *p = r->plan;
    char reach[FZ_MAX_NATIVES] = {0};
    int stack[FZ_MAX_NATIVES], top = 0;
    for (int s = 0; s < FZ_SLOTS; s++)
        if (r->slot[s] && !reach[r->slot_native[s]])
            reach[stack[top++] = r->slot_native[s]] = 1;
    while (top) {
        int n = stack[--top];
        const fz_native *nat = &p->natives[n];
        int next[3] = {-1, -1, -1};
        for (int c = 0; c < nat->nchild; c++)
            next[c] = nat->child[c];
        if (nat->kind == FZ_OUTER)
            next[2] = n + 1;   /* its Inner view lives as long as it does */
        for (int c = 0; c < 3; c++)
            if (next[c] >= 0 && !reach[next[c]])
                reach[stack[top++] = next[c]] = 1;
    }
    for (int n = 0; n < p->nnatives; n++)
        if (!reach[n]) {
            Py_CLEAR(r->nat[n].weak);
            r->nat[n] = (known){0};
        }
}

/* The field of `src` a GET step reads (new reference). */
static PyObject *read_field(PyObject *src, fz_field f)
{
    static const char *attr[] = {
        [FZ_F_A] = "a", [FZ_F_B] = "b", [FZ_F_OFFSET] = "offset", [FZ_F_AXIS0] = "axes",
        [FZ_F_CHILD0] = "children", [FZ_F_CHILD1] = "children", [FZ_F_INNER] = "inner",
    };
    PyObject *v = PyObject_GetAttrString(src, attr[f]);
    if (v && (f == FZ_F_AXIS0 || f == FZ_F_CHILD0 || f == FZ_F_CHILD1)) {
        PyObject *item = PySequence_GetItem(v, f == FZ_F_CHILD1 ? 1 : 0);
        Py_DECREF(v);
        v = item;
    }
    return v;
}

static int put(run *r, int d, PyObject *o, int n)
{
    Py_XSETREF(r->slot[d], o);
    r->slot_native[d] = n;
    return 0;
}

static int construct(run *r, const fz_step *s, const char *expr)
{
    PyObject *o;
    switch (s->op) {
    case FZ_NEW_VAR: {
        char name[16];
        snprintf(name, sizeof name, "v%d", s->value);
        o = cf_new(r->ns, "Var", "(s)", name);
        break;
    }
    case FZ_NEW_ADD:    o = cf_new(r->ns, "Add", "(OO)", r->slot[s->a], r->slot[s->b]); break;
    case FZ_NEW_LAYOUT: o = cf_new(r->ns, "Layout", "([O]O)", r->slot[s->a], r->slot[s->b]); break;
    case FZ_NEW_OUTER:  o = cf_new(r->ns, "Outer", "(i)", s->value); break;
    default: {   /* FZ_NEW_NODE: step() sends only constructors here */
        PyObject *kids = PyList_New(0);
        if (kids && s->a >= 0 && PyList_Append(kids, r->slot[s->a]) < 0)
            Py_CLEAR(kids);
        if (kids && s->b >= 0 && PyList_Append(kids, r->slot[s->b]) < 0)
            Py_CLEAR(kids);
        o = kids ? cf_new(r->ns, "Node", "(iO)", s->value, kids) : NULL;
        Py_XDECREF(kids);
        break;
    }
    }
    if (!o)
        return python_error(r, expr);
    if (sighting(r, o, s->native, expr, r->claims)) {
        Py_DECREF(o);
        return 1;
    }
    return put(r, s->d, o, s->native);
}

static int get(run *r, const fz_step *s, const char *expr, unsigned claims)
{
    PyObject *o = read_field(r->slot[s->a], s->field);
    if (!o)
        return python_error(r, expr);
    if (sighting(r, o, s->native, expr, claims)) {
        Py_DECREF(o);
        return 1;
    }
    return put(r, s->d, o, s->native);
}

static int pickle_roundtrip(run *r, const fz_step *s)
{
    int idx[FZ_SLOTS], n = 0;
    for (int k = 0; k < FZ_SLOTS; k++)
        if (s->b & (1 << k))
            idx[n++] = k;
    PyObject *t = PyTuple_New(n);
    for (int i = 0; t && i < n; i++)
        PyTuple_SET_ITEM(t, i, Py_NewRef(r->slot[idx[i]]));
    PyObject *back = t ? cf_pickle_roundtrip(t, s->value) : NULL;
    Py_XDECREF(t);
    if (!back || !PyTuple_Check(back) || PyTuple_GET_SIZE(back) != n) {
        Py_XDECREF(back);
        return PyErr_Occurred() ? python_error(r, "the pickle round trip") :
                                  diverge(r, "pickle", "the round trip changed the tuple's shape");
    }
    int bad = 0;
    for (int i = 0; i < n && !bad; i++) {
        PyObject *ri = PyTuple_GET_ITEM(back, i);
        int ni = r->slot_native[idx[i]];
        if (strcmp(Py_TYPE(ri)->tp_name, Py_TYPE(r->slot[idx[i]])->tp_name) != 0)
            bad = diverge(r, "pickle", "s%d came back as a %s", idx[i], Py_TYPE(ri)->tp_name);
        for (int j = i + 1; j < n && !bad; j++) {
            int same = ni == r->slot_native[idx[j]], one = ri == PyTuple_GET_ITEM(back, j);
            if (one && !same)
                bad = diverge(r, "pickle", "s%d and s%d wrap different natives but came back as one object",
                              idx[i], idx[j]);
            else if (same && !one && (r->claims & FZ_CLAIM_PICKLE))
                bad = diverge(r, "pickle", "s%d and s%d wrap one native but came back as two objects",
                              idx[i], idx[j]);
        }
        /* A held root's child that is also held must come back as that root. */
        for (int c = 0; c < 2 && !bad && (r->claims & FZ_CLAIM_NESTED); c++) {
            fz_field f;
            int child_native = fz_field_native(r->plan, ni, c, &f);
            for (int j = 0; j < n && !bad && child_native >= 0; j++) {
                if (r->slot_native[idx[j]] != child_native)
                    continue;
                PyObject *child = read_field(ri, f);
                long long hc = 0, hj = 0;
                if (!child || handle_of(r, child, &hc) < 0 || handle_of(r, PyTuple_GET_ITEM(back, j), &hj) < 0)
                    bad = python_error(r, "reading the round-tripped objects");
                else if (hc != hj)
                    bad = diverge(r, "nested", "after the round trip, s%d%s and s%d are different natives",
                                  idx[i], fz_field_expr(f), idx[j]);
                Py_XDECREF(child);
            }
        }
    }
    Py_DECREF(back);
    return bad;
}

/* The forked child's side: re-read every field of every held slot and
 * report the first divergence (uniqueness only if the subject claims F1). */
static void reread_child(void *arg, int fd)
{
    run *r = arg;
    alarm(FORK_SECONDS);   /* outlive a killed parent by no more than that */
    unsigned claims = r->claims & FZ_CLAIM_FORK ? FZ_CLAIM_UNIQUE : 0;
    int bad = 0;
    for (int s = 0; s < FZ_SLOTS && !bad; s++) {
        if (!r->slot[s])
            continue;
        int n = r->slot_native[s];
        for (int c = 0; c < 2 && !bad; c++) {
            fz_field f;
            int child = fz_field_native(r->plan, n, c, &f);
            if (child < 0)
                continue;
            char expr[32];
            snprintf(expr, sizeof expr, "s%d%s", s, fz_field_expr(f));
            PyObject *o = read_field(r->slot[s], f);
            bad = o ? sighting(r, o, child, expr, claims) : python_error(r, expr);
            Py_XDECREF(o);
        }
    }
    ssize_t w = write(fd, r->why, bad ? strlen(r->why) + 1 : 0);
    (void)w;
    _exit(bad ? 1 : 0);
}

/* os.fork() with held wrappers: a crash or a hang in the child is a
 * divergence too. */
static int fork_and_reread(run *r)
{
    cf_child c;
    if (cf_child_start(&c, reread_child, r) < 0)
        return diverge(r, "fork", "fork: %s", strerror(errno));
    char msg[400] = "";
    int timed_out;
    cf_child_read(&c, msg, sizeof msg - 1, FORK_SECONDS, &timed_out);
    int status = cf_child_finish(&c, timed_out);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 1) {
        char category[32];
        int at;
        return diverge(r, "fork", "in the forked child: %s",
                       *msg ? fz_divergence_split(msg, category, sizeof category, &at) : "failed without a reason");
    }
    if (timed_out || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        char why[160];
        cf_child_describe(status, timed_out, FORK_SECONDS, why, sizeof why);
        return diverge(r, "fork", "the forked child re-reading fields %s", why);
    }
    return 0;
}

static int step(run *r, const fz_step *s)
{
    char expr[160];
    fz_describe_step(s, expr, sizeof expr);
    switch (s->op) {
    case FZ_NEW_VAR: case FZ_NEW_ADD: case FZ_NEW_LAYOUT: case FZ_NEW_NODE: case FZ_NEW_OUTER:
        return construct(r, s, expr);
    case FZ_GET: {
        char read[32];
        snprintf(read, sizeof read, "s%d%s", s->a, fz_field_expr(s->field));
        return get(r, s, read, r->claims);
    }
    case FZ_DROP:
        Py_CLEAR(r->slot[s->d]);
        return 0;
    case FZ_GC:
        cf_gc();
        return 0;
    case FZ_SETATTR: {
        PyObject *v = PyLong_FromLong(s->value);
        int rc = v ? PyObject_SetAttrString(r->slot[s->d], "fz", v) : -1;
        Py_XDECREF(v);
        if (rc < 0)
            return python_error(r, expr);
        r->nat[s->native].tag = s->value;
        r->nat[s->native].has_tag = 1;
        return 0;
    }
    case FZ_WEAKREF: {
        PyObject *w = PyWeakref_NewRef(r->slot[s->d], NULL);
        if (!w)
            return python_error(r, expr);
        Py_XSETREF(r->nat[s->native].weak, w);
        return 0;
    }
    case FZ_PICKLE:
        return pickle_roundtrip(r, s);
    case FZ_FORK:
        return fork_and_reread(r);
    default:
        return 0;
    }
}

/* Drops every held wrapper and weak reference. */
static void drop_everything(run *r)
{
    for (int s = 0; s < FZ_SLOTS; s++)
        Py_CLEAR(r->slot[s]);
    for (int n = 0; n < r->plan->nnatives; n++)
        Py_CLEAR(r->nat[n].weak);
}

/* L1: with everything dropped, the natives go too. */
static int check_no_leak(run *r, long baseline)
{
    drop_everything(r);
    cf_gc();
    cf_gc();
    long now = cf_ns_long(r->ns, "native_live");
    if (now < 0)
        return python_error(r, "native_live()");
    if (now != baseline)
        return diverge(r, "leak", "with everything dropped and collected, native_live() is %ld, was %ld before",
                       now, baseline);
    return 0;
}

int fz_run_model(void *ns, const fz_plan *p, int upto, unsigned features, unsigned claims, char *why, size_t n)
{
    static run r;   /* large: static, one run at a time */
    r = (run){.ns = ns, .plan = p, .features = features, .claims = claims, .why = why, .nwhy = n};
    if (features & CF_NEED_ALLOC) {
        PyObject *m = cf_call("ffi_identity", "set_alloc_mode", "(s)", "lifo");
        Py_XDECREF(m);
        PyErr_Clear();
    }
    int live = (claims & FZ_CLAIM_NO_LEAK) && (features & CF_NEED_LIVE);
    cf_gc();
    long baseline = live ? cf_ns_long(ns, "native_live") : 0;
    int bad = 0;
    for (int i = 0; i < upto && i < p->n && !bad; i++) {
        r.step = i + 1;
        if (fz_progress)
            *fz_progress = r.step;
        bad = step(&r, &p->steps[i]);
        if (!bad)
            forget_unreachable(&r);
    }
    r.step = 0;
    if (fz_progress)
        *fz_progress = 0;
    if (!bad && live && upto >= p->n)
        bad = check_no_leak(&r, baseline);
    drop_everything(&r);   /* leave nothing behind for the next case in this process */
    PyErr_Clear();
    return bad;
}
