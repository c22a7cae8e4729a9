/* Operations on what the slots hold: field reads, drops, gc.collect(), an
 * attribute (I6) and a weak reference (I7). */
#include <stdio.h>

#include "model.h"

/* s[d] = a field of s[a], chosen by b (an Outer's is its inner) */
static int resolve_get(fz_resolver *rs, const fz_raw *raw, fz_step *st)
{
    int na = rs->held[st->a];
    if (na < 0 || (st->native = fz_field_native(rs->plan, na, rs->plan->natives[na].kind == FZ_OUTER ? 0 : raw->b,
                                                &st->field)) < 0)
        return 0;
    rs->held[st->d] = st->native;
    return 1;
}

static void describe_get(const fz_step *s, char *out, size_t n)
{
    snprintf(out, n, "s%d = s%d%s", s->d, s->a, fz_field_expr(s->field));
}

static int run_get(run *r, const fz_step *s)
{
    char read[32];
    snprintf(read, sizeof read, "s%d%s", s->a, fz_field_expr(s->field));
    PyObject *o = fz_read_field(r->slot[s->a], s->field);
    if (!o)
        return fz_python_error(r, read);
    if (fz_sighting(r, o, s->native, read, r->claims)) {
        Py_DECREF(o);
        return 1;
    }
    return fz_put(r, s->d, o, s->native);
}

static const fz_op_def op_get = {
    .name = "get", .id = 5, .weight = 26,
    .resolve = resolve_get, .describe = describe_get, .run = run_get,
};
FZ_OP(op_get);

/* s[d] = s[a].inner, s[a] the first held Outer from a: a read of a view,
 * drawn as often as Outers are made */
static int resolve_get_inner(fz_resolver *rs, const fz_raw *raw, fz_step *st)
{
    const fz_plan *p = rs->plan;
    int k = 0;
    while (k < FZ_SLOTS && (rs->held[(st->a + k) % FZ_SLOTS] < 0 ||
                            p->natives[rs->held[(st->a + k) % FZ_SLOTS]].kind != FZ_OUTER))
        k++;
    if (k == FZ_SLOTS)
        return 0;
    st->a = (st->a + k) % FZ_SLOTS;
    st->native = fz_field_native(p, rs->held[st->a], 0, &st->field);
    rs->held[st->d] = st->native;
    return 1;
}

static const fz_op_def op_get_inner = {
    .name = "get-inner", .id = 14, .weight = 6, .needs = FFI_FEATURE_OUTER,
    .resolve = resolve_get_inner, .describe = describe_get, .run = run_get,
};
FZ_OP(op_get_inner);

/* The step works on what s[d] holds. */
static int resolve_held(fz_resolver *rs, const fz_raw *raw, fz_step *st)
{
    return (st->native = rs->held[st->d]) >= 0;
}

/* s[d] = None */
static int resolve_drop(fz_resolver *rs, const fz_raw *raw, fz_step *st)
{
    if (!resolve_held(rs, raw, st))
        return 0;
    rs->held[st->d] = -1;
    return 1;
}

static void describe_drop(const fz_step *s, char *out, size_t n)
{
    snprintf(out, n, "s%d = None", s->d);
}

static int run_drop(run *r, const fz_step *s)
{
    Py_CLEAR(r->slot[s->d]);
    return 0;
}

static const fz_op_def op_drop = {
    .name = "drop", .id = 6, .weight = 12,
    .resolve = resolve_drop, .describe = describe_drop, .run = run_drop,
};
FZ_OP(op_drop);

/* gc.collect() */
static void describe_gc(const fz_step *s, char *out, size_t n)
{
    snprintf(out, n, "gc.collect()");
}

static int run_gc(run *r, const fz_step *s)
{
    ffi_py_gc();
    return 0;
}

static const fz_op_def op_gc = {
    .name = "gc", .id = 7, .weight = 6,
    .describe = describe_gc, .run = run_gc,
};
FZ_OP(op_gc);

/* s[d].fz = N: the native's state, which its later wrappers must have
 * where state is claimed */
static void describe_setattr(const fz_step *s, char *out, size_t n)
{
    snprintf(out, n, "s%d.fz = %d", s->d, s->value);
}

static int run_setattr(run *r, const fz_step *s)
{
    PyObject *v = PyLong_FromLong(s->value);
    int rc = v ? PyObject_SetAttrString(r->slot[s->d], "fz", v) : -1;
    Py_XDECREF(v);
    if (rc < 0) {
        char expr[64];
        describe_setattr(s, expr, sizeof expr);
        return fz_python_error(r, expr);
    }
    r->nat[s->native].tag = s->value;
    r->nat[s->native].has_tag = 1;
    return 0;
}

static const fz_op_def op_setattr = {
    .name = "setattr", .id = 8, .weight = 5, .needs = FFI_FEATURE_DICT,
    .resolve = resolve_held, .describe = describe_setattr, .run = run_setattr,
};
FZ_OP(op_setattr);

/* w[d] = weakref.ref(s[d]): it must stay alive while the native lives,
 * where weak references are claimed */
static void describe_weakref(const fz_step *s, char *out, size_t n)
{
    snprintf(out, n, "w%d = weakref.ref(s%d)", s->d, s->d);
}

static int run_weakref(run *r, const fz_step *s)
{
    PyObject *w = PyWeakref_NewRef(r->slot[s->d], NULL);
    if (!w) {
        char expr[64];
        describe_weakref(s, expr, sizeof expr);
        return fz_python_error(r, expr);
    }
    Py_XSETREF(r->nat[s->native].weak, w);
    return 0;
}

static const fz_op_def op_weakref = {
    .name = "weakref", .id = 9, .weight = 5, .needs = FFI_FEATURE_WEAKREF,
    .resolve = resolve_held, .describe = describe_weakref, .run = run_weakref,
};
FZ_OP(op_weakref);
