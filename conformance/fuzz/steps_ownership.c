/* Operations on ownership (O1): interning constructors and disowning. */
#include <stdio.h>

#include "model.h"

static PyObject *intern_var(PyObject *ns, int id)
{
    char name[16];
    snprintf(name, sizeof name, "k%d", id);
    return PyObject_CallMethod(ns, "intern", "s", name);   /* the subject's interning entry point */
}

/* s[d] = ns.intern("kN"), a name no other step uses */
static int resolve_intern(fz_resolver *rs, const fz_raw *raw, fz_step *st)
{
    st->native = fz_new_native(rs->plan, FZ_VAR, -1, -1, 0);
    rs->plan->natives[st->native].interned = st->value;
    rs->held[st->d] = st->native;
    return 1;
}

static void describe_intern(const fz_step *s, char *out, size_t n)
{
    snprintf(out, n, "s%d = ns.intern(\"k%d\")", s->d, s->value);
}

/* Interns a name no other step uses (a new native), then, where ownership
 * is claimed, interns it again: that must be the live wrapper where
 * uniqueness is claimed too. */
static int run_intern(run *r, const fz_step *s)
{
    int id = r->plan->natives[s->native].interned;
    PyObject *v = intern_var(r->ns, id);
    if (!v)
        return fz_python_error(r, "ns.intern(...)");
    r->constructing = 1;
    int bad = fz_sighting(r, v, s->native, "ns.intern(...)", r->claims);
    r->constructing = 0;
    if (bad) {
        Py_DECREF(v);
        return 1;
    }
    fz_put(r, s->d, v, s->native);
    if (!(r->claims & FZ_CLAIM_OWNERSHIP))
        return 0;   /* a subject that fails O1 makes a second wrapper here, maybe not even equal */
    char expr[64];
    snprintf(expr, sizeof expr, "ns.intern(\"k%d\") (again)", id);
    PyObject *again = intern_var(r->ns, id);
    if (!again)
        return fz_python_error(r, expr);
    if ((r->claims & FZ_CLAIM_UNIQUE) && again != v)
        bad = fz_diverge(r, "ownership", "%s is not s%d: the interning constructor made a second wrapper of "
                         "the live native", expr, s->d);
    else
        bad = fz_sighting(r, again, s->native, expr, r->claims);
    Py_DECREF(again);
    return bad;
}

static const fz_op_def op_intern = {
    .name = "intern", .id = 19, .weight = 4, .needs = FFI_FEATURE_INTERN,
    .resolve = resolve_intern, .describe = describe_intern, .run = run_intern,
};
FZ_OP(op_intern);

/* ns.consume(s[d]), then every slot of that native dropped (b: those
 * slots); if a held s[a] still holds the native (a, field; else a is -1),
 * s[d] = s[a]'s field. Not of a view or of a subclass instance. */
static int resolve_disown(fz_resolver *rs, const fz_raw *raw, fz_step *st)
{
    int nd = rs->held[st->d];
    if (nd < 0 || rs->plan->natives[nd].kind == FZ_INNER || rs->plan->natives[nd].sub)
        return 0;
    st->native = nd;
    st->b = 0;
    for (int s = 0; s < FZ_SLOTS; s++)
        if (rs->held[s] == nd) {
            st->b |= 1 << s;
            rs->held[s] = -1;
        }
    st->a = fz_holder_of(rs, nd, -1, st->a, &st->field);
    rs->held[st->d] = st->a >= 0 ? nd : -1;
    return 1;
}

static void describe_disown(const fz_step *s, char *out, size_t n)
{
    char drop[FZ_SLOTS * 40] = "";   /* every slot may hold it */
    size_t k = 0;
    for (int j = 0; j < FZ_SLOTS; j++)
        if (s->b & (1 << j))
            k += (size_t)snprintf(drop + k, sizeof drop - k, "disowned.append(s%d); s%d = None; ", j, j);
    if (s->a >= 0)
        snprintf(out, n, "ns.consume(s%d); %ss%d = s%d%s", s->d, drop, s->d, s->a, fz_field_expr(s->field));
    else
        snprintf(out, n, "ns.consume(s%d); %.*s", s->d, (int)(k > 2 ? k - 2 : k), drop);
}

/* ns.consume(s[d]): the wrapper goes to the disowned list (kept alive, so
 * that the model knows it if a read hands it out again), with every slot
 * of that native (on a unique subject they hold the same wrapper). Where
 * a held object still holds the native, its next read must be a new,
 * working wrapper. */
static int run_disown(run *r, const fz_step *s)
{
    if (!r->disowned && !(r->disowned = PyList_New(0)))
        return fz_python_error(r, "a list");
    PyObject *w = r->slot[s->d];
    PyObject *done = PyObject_CallMethod(r->ns, "consume", "O", w);
    if (!done)
        return fz_python_error(r, "ns.consume(...)");
    Py_DECREF(done);
    for (int k = 0; k < FZ_SLOTS; k++) {
        if (!(s->b & (1 << k)))
            continue;
        if (PyList_Append(r->disowned, r->slot[k]) < 0)
            return fz_python_error(r, "keeping the disowned wrapper");
        Py_CLEAR(r->slot[k]);
    }
    /* What was known of the wrapper (its id, state, weak reference) went with the disown. */
    Py_CLEAR(r->nat[s->native].weak);
    r->nat[s->native] = (known){0};
    fz_forget_unreachable(r);
    if (s->a < 0)
        return 0;
    char expr[48];
    snprintf(expr, sizeof expr, "s%d%s (after the disown)", s->a, fz_field_expr(s->field));
    PyObject *y = fz_read_field(r->slot[s->a], s->field);
    if (!y)
        return fz_python_error(r, expr);
    if (fz_sighting(r, y, s->native, expr, r->claims)) {
        Py_DECREF(y);
        return 1;
    }
    return fz_put(r, s->d, y, s->native);
}

static const fz_python_def py_disowned = {"disowned = []   # wrappers given to ns.consume(): none may come back\n"};

static const fz_op_def op_disown = {
    .name = "disown", .id = 23, .weight = 4, .needs = FZ_FEAT_DISOWN,
    .resolve = resolve_disown, .describe = describe_disown, .run = run_disown,
    .python = (const fz_python_def *const[]){&py_disowned, NULL},
};
FZ_OP(op_disown);
