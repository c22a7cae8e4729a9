/* Steps around a wrapper's death: a __del__ that resurrects its object
 * (S2), and a reference cycle through a wrapper that gc.collect() breaks
 * while the native lives on (G1). */
#include <stdio.h>

#include "model.h"

/* f = Fin(...); s[a] = Add(f, f); Fin.hook = kept.append; del f: the
 * wrapper's __del__ stores it away (a resurrection). Where the subject
 * claims it, s[a].a is then that wrapper; it goes to slot d. A subject
 * that keeps the wrapper alive while the Add holds it never runs __del__:
 * then s[d] is a plain read. */
int fz_step_resurrect(run *r, const fz_step *s)
{
    PyObject *f, *add;
    int bad = fz_fin_in_add(r, s, &f, &add);
    Py_XDECREF(add);
    PyObject *got = bad ? NULL : PyList_New(0);
    PyObject *append = got ? PyObject_GetAttrString(got, "append") : NULL;
    if (!bad && (!append || PyObject_SetAttrString(r->fin, "hook", append) < 0))
        bad = fz_python_error(r, "Fin.hook = kept.append");
    Py_XDECREF(append);
    Py_XDECREF(f);   /* __del__ runs here unless something keeps the wrapper */
    if (PyObject_SetAttrString(r->fin, "hook", Py_None) < 0 && !bad)
        bad = fz_python_error(r, "Fin.hook = None");
    if (bad) {
        Py_XDECREF(got);
        return 1;
    }
    PyObject *back = PyList_GET_SIZE(got) ? Py_NewRef(PyList_GET_ITEM(got, 0)) : NULL;
    Py_DECREF(got);
    char expr[64];
    snprintf(expr, sizeof expr, "s%d.a (after Fin.__del__ resurrected f)", s->a);
    PyObject *y = fz_read_field(r->slot[s->a], s->field);
    if (!y) {
        Py_XDECREF(back);
        return fz_python_error(r, expr);
    }
    int claimed = (r->claims & FZ_CLAIM_RESURRECT) && (r->claims & FZ_CLAIM_UNIQUE);
    if (back && claimed && y != back)
        bad = fz_diverge(r, "resurrect", "%s is not f, which its __del__ resurrected and the model holds: "
                         "the cache forgot the wrapper at its death and made a second", expr);
    else if (back && claimed)
        bad = fz_sighting(r, back, s->native, "the resurrected f", r->claims);
    if (!bad)
        bad = fz_sighting(r, y, s->native, expr, r->claims);
    if (bad) {
        Py_XDECREF(back), Py_DECREF(y);
        return 1;
    }
    if (back && claimed) {
        Py_DECREF(y);
        return fz_put(r, s->d, back, s->native);
    }
    /* Not claimed: keep the resurrected wrapper out of the slots, alive
     * (ctypes' own __del__, which Fin's chains to, has let its native go). */
    if (back && ((!r->kept && !(r->kept = PyList_New(0))) || PyList_Append(r->kept, back) < 0)) {
        Py_DECREF(back), Py_DECREF(y);
        return fz_python_error(r, "keeping the resurrected wrapper");
    }
    Py_XDECREF(back);
    return fz_put(r, s->d, y, s->native);
}

/* Removes a self-reference `me` if o has one (the cycle is the step's own). */
static void break_cycle(PyObject *o)
{
    if (o && PyObject_HasAttrString(o, "me") && PyObject_DelAttrString(o, "me") < 0)
        PyErr_Clear();
}

/* s[d].me = s[d]; s[d] = None; gc.collect(); s[d] = s[a]'s field. The
 * read must give a working wrapper of the native; if it has `me`, that is
 * itself; where state and G1 are claimed it must have it. */
int fz_step_cycle(run *r, const fz_step *s)
{
    PyObject *w = r->slot[s->d];
    if (PyObject_SetAttrString(w, "me", w) < 0)
        return fz_python_error(r, "s.me = s");
    Py_CLEAR(r->slot[s->d]);
    ffi_py_gc();
    for (int k = 0; k < FZ_SLOTS; k++)   /* a wrapper another slot holds outlived the collection */
        if (r->slot[k] && r->slot_native[k] == s->native)
            break_cycle(r->slot[k]);
    fz_forget_unreachable(r);
    if (s->a < 0)
        return 0;
    char expr[64];
    snprintf(expr, sizeof expr, "s%d%s (after gc.collect())", s->a, fz_field_expr(s->field));
    PyObject *y = fz_read_field(r->slot[s->a], s->field);
    if (!y)
        return fz_python_error(r, expr);
    int bad = fz_sighting(r, y, s->native, expr, r->claims);
    PyObject *me = bad ? NULL : PyObject_GetAttrString(y, "me");
    PyErr_Clear();
    /* A view (Outer.inner) keeps its state only where I5-I7 are claimed for
     * views too: its wrapper is not the native's own. */
    /* Not yet held to it either: a Fin whose __del__ ran (and resurrected
     * it) earlier in the case. After that, a self-cycle through it loses its
     * state to gc.collect() on toggle, nanobind+intrusive, Boost.Python and
     * PyGObject alike (found by 5 s runs; not yet diagnosed: CPython runs a
     * finalizer once, and whether a resurrected wrapper's cycle may then be
     * freed under its live native is the open question). */
    int finalized = r->fin && PyObject_IsInstance(y, r->fin) == 1;
    PyErr_Clear();
    int state = (r->claims & FZ_CLAIM_STATE) && (r->claims & FZ_CLAIM_COLLECT) && (r->features & FFI_FEATURE_DICT)
                && (s->field != FZ_F_INNER || (r->claims & FZ_CLAIM_VIEWS)) && !finalized;
    if (!bad && me && me != y)
        bad = fz_diverge(r, "collect", "%s.me is another object, not itself: two wrappers of one native", expr);
    else if (!bad && !me && state)
        bad = fz_diverge(r, "collect", "%s has lost .me: the collector freed the wrapper in its cycle while its "
                         "native lived, and its state went with it", expr);
    Py_XDECREF(me);
    break_cycle(y);
    if (bad) {
        Py_DECREF(y);
        return 1;
    }
    return fz_put(r, s->d, y, s->native);
}
