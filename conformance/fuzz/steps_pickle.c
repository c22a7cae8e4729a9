/* The pickle round trip (P1-P3): every held object at once, so that which
 * of them are one object, and which child is a held root, must survive. */
#include <stdio.h>
#include <string.h>

#include "model.h"

/* b: the held slots (not Inner views); value: the protocol, 2..5 */
static int resolve_pickle(fz_resolver *rs, const fz_raw *raw, fz_step *st)
{
    if (!(st->b = fz_held_roots(rs)))
        return 0;
    st->value = 2 + raw->a % 4;
    return 1;
}

static void describe_pickle(const fz_step *s, char *out, size_t n)
{
    char held[64];
    fz_slot_list(s->b, held, sizeof held);
    snprintf(out, n, "r = pickle.loads(pickle.dumps((%s,), %d)); del r", held, s->value);
}

static int run_pickle(run *r, const fz_step *s)
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
        return PyErr_Occurred() ? fz_python_error(r, "the pickle round trip") :
                                  fz_diverge(r, "pickle", "the round trip changed the tuple's shape");
    }
    int bad = 0;
    for (int i = 0; i < n && !bad; i++) {
        PyObject *ri = PyTuple_GET_ITEM(back, i);
        int ni = r->slot_native[idx[i]];
        int base_ok = r->plan->natives[ni].sub && !(r->claims & FZ_CLAIM_SUBCLASS) &&
                      strcmp(Py_TYPE(ri)->tp_name, Py_TYPE(r->slot[idx[i]])->tp_base->tp_name) == 0;
        if (!base_ok && strcmp(Py_TYPE(ri)->tp_name, Py_TYPE(r->slot[idx[i]])->tp_name) != 0)
            bad = fz_diverge(r, "pickle", "s%d came back as a %s", idx[i], Py_TYPE(ri)->tp_name);
        for (int j = i + 1; j < n && !bad; j++) {
            int same = ni == r->slot_native[idx[j]], one = ri == PyTuple_GET_ITEM(back, j);
            if (one && !same)
                bad = fz_diverge(r, "pickle", "s%d and s%d wrap different natives but came back as one object",
                              idx[i], idx[j]);
            else if (same && !one && (r->claims & FZ_CLAIM_PICKLE) &&
                     (r->slot[idx[i]] == r->slot[idx[j]] || !r->plan->natives[ni].sub ||
                      (r->claims & FZ_CLAIM_SUBCLASS)))
                bad = fz_diverge(r, "pickle", "s%d and s%d wrap one native but came back as two objects",
                              idx[i], idx[j]);
        }
        /* A held root's child that is also held must come back as that root. */
        for (int c = 0; c < 2 && !bad && (r->claims & FZ_CLAIM_NESTED); c++) {
            fz_field f;
            int child_native = fz_field_native(r->plan, ni, c, &f);
            if (child_native >= 0 && r->plan->natives[child_native].sub && !(r->claims & FZ_CLAIM_SUBCLASS))
                continue;   /* without S1 the field gives a base-class wrapper, which pickles apart */
            for (int j = 0; j < n && !bad && child_native >= 0; j++) {
                if (r->slot_native[idx[j]] != child_native)
                    continue;
                PyObject *child = fz_read_field(ri, f);
                long long hc = 0, hj = 0;
                if (!child || fz_handle_of(r, child, &hc) < 0 || fz_handle_of(r, PyTuple_GET_ITEM(back, j), &hj) < 0)
                    bad = fz_python_error(r, "reading the round-tripped objects");
                else if (hc != hj)
                    bad = fz_diverge(r, "nested", "after the round trip, s%d%s and s%d are different natives",
                                  idx[i], fz_field_expr(f), idx[j]);
                Py_XDECREF(child);
            }
        }
    }
    Py_DECREF(back);
    return bad;
}

static const fz_op_def op_pickle = {
    .name = "pickle", .id = 10, .weight = 3, .needs = FFI_FEATURE_PICKLE,
    .resolve = resolve_pickle, .describe = describe_pickle, .run = run_pickle,
};
FZ_OP(op_pickle);
