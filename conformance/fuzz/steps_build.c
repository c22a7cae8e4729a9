/* Operations that make a native: the namespace's constructors, a Python
 * subclass of Var (S1) and copy.copy (P7). Each new wrapper goes to s[d]. */
#include <stdio.h>
#include <string.h>

#include "model.h"

/* o (a new reference, or NULL with an exception) was made for the step's
 * native: sighted as its first wrapper and put in s[d]. constructing: 1
 * made as its class (a Sub must be a Sub), 2 a copy (a copy of a Sub may be
 * a Var: S1 says nothing of copy). */
static int made(run *r, const fz_step *s, PyObject *o, int constructing)
{
    char expr[160];
    fz_describe_step(s, expr, sizeof expr);
    if (!o)
        return fz_python_error(r, expr);
    r->constructing = constructing;
    int bad = fz_sighting(r, o, s->native, expr, r->claims);
    r->constructing = 0;
    if (bad) {
        Py_DECREF(o);
        return 1;
    }
    return fz_put(r, s->d, o, s->native);
}

/* The slot takes the native the step makes. */
static int hold(fz_resolver *rs, fz_step *st, int native)
{
    st->native = native;
    rs->held[st->d] = native;
    return 1;
}

/* s[d] = ns.Var("vN") */
static int resolve_var(fz_resolver *rs, const fz_raw *raw, fz_step *st)
{
    return hold(rs, st, fz_new_native(rs->plan, FZ_VAR, -1, -1, 0));
}

static void describe_var(const fz_step *s, char *out, size_t n)
{
    snprintf(out, n, "s%d = ns.Var(\"v%d\")", s->d, s->value);
}

static int run_var(run *r, const fz_step *s)
{
    char name[16];
    snprintf(name, sizeof name, "v%d", s->value);
    return made(r, s, cf_new(r->ns, "Var", "(s)", name), 1);
}

static const fz_op_def op_new_var = {
    .name = "new-var", .id = 0, .weight = 14,
    .resolve = resolve_var, .describe = describe_var, .run = run_var,
};
FZ_OP(op_new_var);

/* s[d] = ns.Add(s[a], s[b]), of Vars and Adds */
static int resolve_add(fz_resolver *rs, const fz_raw *raw, fz_step *st)
{
    int na = rs->held[st->a], nb = rs->held[st->b];
    if (!fz_is_expr(rs->plan, na) || !fz_is_expr(rs->plan, nb))
        return 0;
    return hold(rs, st, fz_new_native(rs->plan, FZ_ADD, na, nb, 2));
}

static void describe_add(const fz_step *s, char *out, size_t n)
{
    snprintf(out, n, "s%d = ns.Add(s%d, s%d)", s->d, s->a, s->b);
}

static int run_add(run *r, const fz_step *s)
{
    return made(r, s, cf_new(r->ns, "Add", "(OO)", r->slot[s->a], r->slot[s->b]), 1);
}

static const fz_op_def op_new_add = {
    .name = "new-add", .id = 1, .weight = 12,
    .resolve = resolve_add, .describe = describe_add, .run = run_add,
};
FZ_OP(op_new_add);

/* s[d] = ns.Layout([s[a]], s[b]): a Var axis, a Var or Add offset; the
 * native's child[0] is the axis, child[1] the offset. */
static int resolve_layout(fz_resolver *rs, const fz_raw *raw, fz_step *st)
{
    int na = rs->held[st->a], nb = rs->held[st->b];
    if (na < 0 || rs->plan->natives[na].kind != FZ_VAR || !fz_is_expr(rs->plan, nb))
        return 0;
    return hold(rs, st, fz_new_native(rs->plan, FZ_LAYOUT, na, nb, 2));
}

static void describe_layout(const fz_step *s, char *out, size_t n)
{
    snprintf(out, n, "s%d = ns.Layout([s%d], s%d)", s->d, s->a, s->b);
}

static int run_layout(run *r, const fz_step *s)
{
    return made(r, s, cf_new(r->ns, "Layout", "([O]O)", r->slot[s->a], r->slot[s->b]), 1);
}

static const fz_op_def op_new_layout = {
    .name = "new-layout", .id = 2, .weight = 6,
    .resolve = resolve_layout, .describe = describe_layout, .run = run_layout,
};
FZ_OP(op_new_layout);

/* s[d] = ns.Node(N, [those of s[a], s[b] that are Nodes]): a DAG of Nodes;
 * a and b are -1 where the slot holds no Node. */
static int resolve_node(fz_resolver *rs, const fz_raw *raw, fz_step *st)
{
    const fz_plan *p = rs->plan;
    int na = rs->held[st->a], nb = rs->held[st->b];
    int kids[2], nkids = 0;
    if (na >= 0 && p->natives[na].kind == FZ_NODE)
        kids[nkids++] = na;
    else
        st->a = -1;
    if (nb >= 0 && p->natives[nb].kind == FZ_NODE)
        kids[nkids++] = nb;
    else
        st->b = -1;
    return hold(rs, st, fz_new_native(rs->plan, FZ_NODE, nkids > 0 ? kids[0] : -1, nkids > 1 ? kids[1] : -1, nkids));
}

static void describe_node(const fz_step *s, char *out, size_t n)
{
    if (s->a >= 0 && s->b >= 0)
        snprintf(out, n, "s%d = ns.Node(%d, [s%d, s%d])", s->d, s->value, s->a, s->b);
    else if (s->a >= 0 || s->b >= 0)
        snprintf(out, n, "s%d = ns.Node(%d, [s%d])", s->d, s->value, s->a >= 0 ? s->a : s->b);
    else
        snprintf(out, n, "s%d = ns.Node(%d, [])", s->d, s->value);
}

static int run_node(run *r, const fz_step *s)
{
    PyObject *kids = PyList_New(0);
    if (kids && s->a >= 0 && PyList_Append(kids, r->slot[s->a]) < 0)
        Py_CLEAR(kids);
    if (kids && s->b >= 0 && PyList_Append(kids, r->slot[s->b]) < 0)
        Py_CLEAR(kids);
    PyObject *o = kids ? cf_new(r->ns, "Node", "(iO)", s->value, kids) : NULL;
    Py_XDECREF(kids);
    return made(r, s, o, 1);
}

static const fz_op_def op_new_node = {
    .name = "new-node", .id = 3, .weight = 5, .needs = FFI_FEATURE_NODE,
    .resolve = resolve_node, .describe = describe_node, .run = run_node,
};
FZ_OP(op_new_node);

/* s[d] = ns.Outer(N); its Inner view is the next native, made with it
 * (holding the view holds the Outer). */
static int resolve_outer(fz_resolver *rs, const fz_raw *raw, fz_step *st)
{
    int outer = fz_new_native(rs->plan, FZ_OUTER, -1, -1, 0);
    fz_new_native(rs->plan, FZ_INNER, outer, -1, 1);
    return hold(rs, st, outer);
}

static void describe_outer(const fz_step *s, char *out, size_t n)
{
    snprintf(out, n, "s%d = ns.Outer(%d)", s->d, s->value);
}

static int run_outer(run *r, const fz_step *s)
{
    return made(r, s, cf_new(r->ns, "Outer", "(i)", s->value), 1);
}

static const fz_op_def op_new_outer = {
    .name = "new-outer", .id = 4, .weight = 5, .needs = FFI_FEATURE_OUTER,
    .resolve = resolve_outer, .describe = describe_outer, .run = run_outer,
};
FZ_OP(op_new_outer);

/* s[d] = Sub("vN"), Sub a Python subclass of ns.Var (model.c makes it) */
static int resolve_sub(fz_resolver *rs, const fz_raw *raw, fz_step *st)
{
    hold(rs, st, fz_new_native(rs->plan, FZ_VAR, -1, -1, 0));
    rs->plan->natives[st->native].sub = 1;
    return 1;
}

static void describe_sub(const fz_step *s, char *out, size_t n)
{
    snprintf(out, n, "s%d = Sub(\"v%d\")", s->d, s->value);
}

static int run_sub(run *r, const fz_step *s)
{
    char name[16];
    snprintf(name, sizeof name, "v%d", s->value);
    return made(r, s, PyObject_CallFunction(r->sub, "s", name), 1);
}

static const fz_python_def py_sub = {"class Sub(ns.Var): pass\n"};

static const fz_op_def op_new_sub = {
    .name = "new-sub", .id = 12, .weight = 5, .needs = FFI_FEATURE_SUBCLASS,
    .resolve = resolve_sub, .describe = describe_sub, .run = run_sub,
    .python = (const fz_python_def *const[]){&py_sub, NULL},
};
FZ_OP(op_new_sub);

/* s[d] = copy.copy(s[a]), not of an Inner. Where copies share their
 * children (claims copy) the copy has the source's children; otherwise
 * its fields are not known (opaque), except a Var's, which has none; an
 * Outer's copy has an Inner of its own. */
static int resolve_copy(fz_resolver *rs, const fz_raw *raw, fz_step *st)
{
    fz_plan *p = rs->plan;
    int na = rs->held[st->a];
    if (na < 0 || p->natives[na].kind == FZ_INNER)
        return 0;
    fz_native src = p->natives[na];
    int copy = fz_new_native(p, src.kind, -1, -1, 0);
    p->natives[copy].sub = src.sub;
    if (src.kind == FZ_OUTER)
        fz_new_native(p, FZ_INNER, copy, -1, 1);
    else if (rs->features & FZ_FEAT_COPY_SHARES) {
        p->natives[copy].nchild = src.nchild;
        memcpy(p->natives[copy].child, src.child, sizeof src.child);
        p->natives[copy].opaque = src.opaque;
    } else
        p->natives[copy].opaque = src.kind != FZ_VAR;
    return hold(rs, st, copy);
}

static void describe_copy(const fz_step *s, char *out, size_t n)
{
    snprintf(out, n, "s%d = copy.copy(s%d)", s->d, s->a);
}

static int run_copy(run *r, const fz_step *s)
{
    if (made(r, s, ffi_py_call("copy", "copy", "(O)", r->slot[s->a]), 2))
        return 1;
    /* A copy that shares its children (claims copy): read them now. */
    PyObject *o = r->slot[s->d];
    for (int c = 0; c < 2 && (r->features & FZ_FEAT_COPY_SHARES); c++) {
        fz_field f;
        int child = fz_field_native(r->plan, s->native, c, &f);
        if (child < 0 || r->plan->natives[s->native].kind == FZ_OUTER)
            continue;
        char read[48];
        snprintf(read, sizeof read, "copy.copy(s%d)%s", s->a, fz_field_expr(f));
        PyObject *x = fz_read_field(o, f);
        if (!x)
            return fz_python_error(r, read);
        int bad = fz_sighting(r, x, child, read, r->claims);
        Py_DECREF(x);
        if (bad)
            return 1;
    }
    return 0;
}

static const fz_op_def op_copy = {
    .name = "copy", .id = 13, .weight = 4, .needs = FZ_FEAT_COPY,
    .resolve = resolve_copy, .describe = describe_copy, .run = run_copy,
};
FZ_OP(op_copy);
