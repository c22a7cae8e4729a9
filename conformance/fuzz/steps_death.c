/* Operations around a wrapper's death: a field re-read by a weakref
 * callback (R1) or by a subclass's __del__ while the wrapper dies, a
 * __del__ that resurrects its object (S2), and a reference cycle through a
 * wrapper that gc.collect() breaks while the native lives on (G1). */
#include <stdio.h>

#include "model.h"

enum { ID_RESURRECT = 21 };   /* its op_state: the resurrected wrappers it keeps */

/* Fin: a Var subclass (model.c makes it) whose __del__ calls Fin.hook with
 * the dying wrapper. */
static const fz_python_def py_fin = {
    "class Fin(ns.Var):   # its __del__ calls Fin.hook with the dying wrapper\n"
    "    hook = None\n"
    "    def __del__(self):\n"
    "        Fin.hook and Fin.hook(self)\n"
    "        getattr(super(), '__del__', lambda: None)()\n"};

/* dying-read: s[d] dropped while a weakref callback re-reads the field of
 * a held object that holds it (a, field: a held slot other than d whose
 * field holds s[d]'s native); s[d] = what the callback got, else a re-read */
static int resolve_dying_read(fz_resolver *rs, const fz_raw *raw, fz_step *st)
{
    int nd = rs->held[st->d];
    if (nd < 0 || (st->a = fz_holder_of(rs, nd, st->d, st->a, &st->field)) < 0)
        return 0;
    st->native = nd;
    return 1;
}

static void describe_dying_read(const fz_step *s, char *out, size_t n)
{
    const char *f = fz_field_expr(s->field);
    snprintf(out, n, "got = []; w = weakref.ref(s%d, lambda _: got.append(s%d%s)); s%d = None; "
             "s%d = got[0] if got else s%d%s; del w, got", s->d, s->a, f, s->d, s->d, s->a, f);
}

/* dying-read's weakref callback: self is [source, field, got, dying
 * address]; reads the field while the wrapper at that address dies. */
static PyObject *dying_reread(PyObject *self, PyObject *ref)
{
    (void)ref;
    PyObject *src = PyList_GET_ITEM(self, 0), *got = PyList_GET_ITEM(self, 2);
    PyObject *o = fz_read_field(src, (fz_field)PyLong_AsLong(PyList_GET_ITEM(self, 1)));
    if (!o)
        return NULL;
    if ((void *)o == PyLong_AsVoidPtr(PyList_GET_ITEM(self, 3))) {
        /* The dying wrapper handed out again: note it, leak the reference
         * (dropping it would deallocate it a second time). */
        return PyList_Append(got, Py_Ellipsis) < 0 ? NULL : Py_NewRef(Py_None);
    }
    int rc = PyList_Append(got, o);
    Py_DECREF(o);
    return rc < 0 ? NULL : Py_NewRef(Py_None);
}
static PyMethodDef dying_reread_def = {"dying_reread", dying_reread, METH_O, NULL};

static int run_dying_read(run *r, const fz_step *s)
{
    char read[48];
    snprintf(read, sizeof read, "s%d%s", s->a, fz_field_expr(s->field));
    PyObject *got = PyList_New(0);
    PyObject *self = got ? Py_BuildValue("[OiON]", r->slot[s->a], (int)s->field, got,
                                         PyLong_FromVoidPtr(r->slot[s->d])) : NULL;
    PyObject *cb = self ? PyCFunction_New(&dying_reread_def, self) : NULL;
    PyObject *w = cb ? PyWeakref_NewRef(r->slot[s->d], cb) : NULL;
    Py_XDECREF(cb), Py_XDECREF(self);
    if (!w) {
        Py_XDECREF(got);
        return fz_python_error(r, "weakref.ref(s, callback)");
    }
    Py_CLEAR(r->slot[s->d]);   /* the wrapper dies here unless something holds it; the callback runs inside */
    fz_forget_unreachable(r);     /* its native is still reachable through s[a] */
    Py_DECREF(w);
    if (PyErr_Occurred()) {
        Py_DECREF(got);
        return fz_python_error(r, "the weakref callback re-reading the field");
    }
    PyObject *y = PyList_GET_SIZE(got) ? Py_NewRef(PyList_GET_ITEM(got, 0)) : NULL;
    Py_DECREF(got);
    char expr[80];
    snprintf(expr, sizeof expr, "%s (read by the callback)", read);
    if (y == Py_Ellipsis) {
        Py_DECREF(y);
        if (r->claims & FZ_CLAIM_REENTRY)
            return fz_diverge(r, "reentry", "a weakref callback that read %s while that wrapper was dying got "
                                         "the dying wrapper back (use after free once the callback returns)", read);
        y = NULL;
    }
    if (!y) {
        y = fz_read_field(r->slot[s->a], s->field);
        snprintf(expr, sizeof expr, "%s", read);
        if (!y)
            return fz_python_error(r, read);
    }
    if (fz_sighting(r, y, s->native, expr, r->claims)) {
        Py_DECREF(y);
        return 1;
    }
    fz_put(r, s->d, y, s->native);
    /* With the callback's wrapper held, the field must give it again. */
    PyObject *z = fz_read_field(r->slot[s->a], s->field);
    snprintf(expr, sizeof expr, "%s (read again after the callback)", read);
    int bad = z ? fz_sighting(r, z, s->native, expr, r->claims) : fz_python_error(r, read);
    Py_XDECREF(z);
    return bad;
}

static const fz_op_def op_dying_read = {
    .name = "dying-read", .id = 15, .weight = 6, .needs = FFI_FEATURE_WEAKREF,
    .resolve = resolve_dying_read, .describe = describe_dying_read, .run = run_dying_read,
};
FZ_OP(op_dying_read);

/* del-read and resurrect: f = Fin("vN") in s[d] (the step's native), the
 * Add(f, f) holding it in s[a] (native b; a is moved off d) */
static int resolve_fin_in_add(fz_resolver *rs, const fz_raw *raw, fz_step *st)
{
    if (st->a == st->d)
        st->a = (st->d + 1) % FZ_SLOTS;
    st->native = fz_new_native(rs->plan, FZ_VAR, -1, -1, 0);
    rs->plan->natives[st->native].sub = 2;
    st->b = fz_new_native(rs->plan, FZ_ADD, st->native, st->native, 2);
    st->field = FZ_F_A;
    rs->held[st->a] = st->b;
    rs->held[st->d] = st->native;
    return 1;
}

/* f = Fin("v<value>") for the step's native, and s[a] = Add(f, f) for
 * native b, each sighted: the set-up of del-read and resurrect. Returns
 * nonzero after reporting; *f and *add are new references or NULL. */
static int fin_in_add(run *r, const fz_step *s, PyObject **f, PyObject **add)
{
    char name[16];
    snprintf(name, sizeof name, "v%d", s->value);
    r->constructing = 1;
    *f = PyObject_CallFunction(r->fin, "s", name);
    int bad = *f ? fz_sighting(r, *f, s->native, "Fin(...)", r->claims) : fz_python_error(r, "Fin(...)");
    r->constructing = 0;
    *add = bad ? NULL : cf_new(r->ns, "Add", "(OO)", *f, *f);
    if (!bad && !*add)
        bad = fz_python_error(r, "ns.Add(f, f)");
    if (!bad && !(bad = fz_sighting(r, *add, s->b, "ns.Add(f, f)", r->claims)))
        fz_put(r, s->a, Py_NewRef(*add), s->b);
    return bad;
}

/* del-read: f dropped while Fin.__del__ re-reads s[a].a; s[d] = what
 * __del__ got, else a re-read */
static void describe_del_read(const fz_step *s, char *out, size_t n)
{
    snprintf(out, n, "f = Fin(\"v%d\"); s%d = ns.Add(f, f); got = []; Fin.hook = lambda _: got.append(s%d.a); "
             "del f; Fin.hook = None; s%d = got[0] if got else s%d.a; del got", s->value, s->a, s->a, s->d, s->a);
}

/* del-read's hook, called by Fin.__del__ with the dying wrapper: self is
 * [source, field, got, error]; reads the field while that wrapper is being
 * finalized. Getting the dying wrapper back is fine here (unlike from a
 * weakref callback): the read resurrects it, and CPython keeps it. An
 * error cannot leave __del__, so it is kept for the step to report. */
static PyObject *del_reread(PyObject *self, PyObject *dying)
{
    (void)dying;
    PyObject *o = fz_read_field(PyList_GET_ITEM(self, 0), (fz_field)PyLong_AsLong(PyList_GET_ITEM(self, 1)));
    if (!o || PyList_Append(PyList_GET_ITEM(self, 2), o) < 0) {
        PyObject *type, *value, *tb;
        PyErr_Fetch(&type, &value, &tb);
        PyErr_NormalizeException(&type, &value, &tb);
        PyList_SetItem(self, 3, value ? value : Py_NewRef(Py_None));
        Py_XDECREF(type), Py_XDECREF(tb);
    }
    Py_XDECREF(o);
    Py_RETURN_NONE;
}
static PyMethodDef del_reread_def = {"del_reread", del_reread, METH_O, NULL};

static int run_del_read(run *r, const fz_step *s)
{
    char expr[80];
    PyObject *f, *add;
    int bad = fin_in_add(r, s, &f, &add);
    PyObject *got = bad ? NULL : PyList_New(0);
    PyObject *self = got ? Py_BuildValue("[OiOO]", add, (int)s->field, got, Py_None) : NULL;
    PyObject *hook = self ? PyCFunction_New(&del_reread_def, self) : NULL;
    if (!bad && (!hook || PyObject_SetAttrString(r->fin, "hook", hook) < 0))
        bad = fz_python_error(r, "Fin.hook = ...");
    Py_XDECREF(hook), Py_XDECREF(add);
    Py_XDECREF(f);   /* the wrapper dies here unless something keeps it; Fin.__del__ runs inside */
    if (PyObject_SetAttrString(r->fin, "hook", Py_None) < 0 && !bad)
        bad = fz_python_error(r, "Fin.hook = None");
    PyObject *error = self ? PyList_GET_ITEM(self, 3) : Py_None;
    snprintf(expr, sizeof expr, "s%d.a (read by Fin.__del__)", s->a);
    if (!bad && error != Py_None) {
        PyObject *text = PyObject_Str(error);
        bad = fz_diverge(r, "error", "%s raised %s: %s", expr, Py_TYPE(error)->tp_name,
                      text ? PyUnicode_AsUTF8(text) : "?");
        Py_XDECREF(text);
    }
    PyObject *y = !bad && PyList_GET_SIZE(got) ? Py_NewRef(PyList_GET_ITEM(got, 0)) : NULL;
    Py_XDECREF(self), Py_XDECREF(got);
    if (bad)
        return 1;
    if (!y) {
        snprintf(expr, sizeof expr, "s%d.a", s->a);
        if (!(y = fz_read_field(r->slot[s->a], s->field)))
            return fz_python_error(r, expr);
    }
    if (fz_sighting(r, y, s->native, expr, r->claims)) {
        Py_DECREF(y);
        return 1;
    }
    fz_put(r, s->d, y, s->native);
    /* With that wrapper held, the field must give it again: one live wrapper per handle. */
    PyObject *z = fz_read_field(r->slot[s->a], s->field);
    snprintf(expr, sizeof expr, "s%d.a (read again after Fin.__del__)", s->a);
    bad = z ? fz_sighting(r, z, s->native, expr, r->claims) : fz_python_error(r, expr);
    Py_XDECREF(z);
    return bad;
}

static const fz_op_def op_del_read = {
    .name = "del-read", .id = 18, .weight = 4, .needs = FFI_FEATURE_SUBCLASS,
    .resolve = resolve_fin_in_add, .describe = describe_del_read, .run = run_del_read,
    .python = (const fz_python_def *const[]){&py_fin, NULL},
};
FZ_OP(op_del_read);

/* resurrect: f dropped while Fin.__del__ stores self away; s[d] = the
 * resurrected f */
static void describe_resurrect(const fz_step *s, char *out, size_t n)
{
    snprintf(out, n, "f = Fin(\"v%d\"); s%d = ns.Add(f, f); Fin.hook = kept.append; del f; Fin.hook = None; "
             "s%d = kept.pop() if kept else s%d.a", s->value, s->a, s->d, s->a);
}

/* f = Fin(...); s[a] = Add(f, f); Fin.hook = kept.append; del f: the
 * wrapper's __del__ stores it away (a resurrection). Where the subject
 * claims it, s[a].a is then that wrapper; it goes to slot d. A subject
 * that keeps the wrapper alive while the Add holds it never runs __del__:
 * then s[d] is a plain read. */
static int run_resurrect(run *r, const fz_step *s)
{
    PyObject *f, *add;
    int bad = fin_in_add(r, s, &f, &add);
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
    PyObject *kept = r->op_state[ID_RESURRECT];
    if (back && !kept)
        r->op_state[ID_RESURRECT] = kept = PyList_New(0);
    if (back && (!kept || PyList_Append(kept, back) < 0)) {
        Py_DECREF(back), Py_DECREF(y);
        return fz_python_error(r, "keeping the resurrected wrapper");
    }
    Py_XDECREF(back);
    return fz_put(r, s->d, y, s->native);
}

static void end_resurrect(run *r)
{
    PyObject *kept = r->op_state[ID_RESURRECT];
    r->op_state[ID_RESURRECT] = NULL;
    Py_XDECREF(kept);
}

static const fz_python_def py_kept = {"kept = []   # wrappers resurrected by Fin.__del__\n"};

static const fz_op_def op_resurrect = {
    .name = "resurrect", .id = ID_RESURRECT, .weight = 3, .needs = FFI_FEATURE_SUBCLASS,
    .resolve = resolve_fin_in_add, .describe = describe_resurrect, .run = run_resurrect, .end = end_resurrect,
    .python = (const fz_python_def *const[]){&py_fin, &py_kept, NULL},
};
FZ_OP(op_resurrect);

/* cycle: s[d].me = s[d]; s[d] = None; gc.collect(); then, if a held s[a]
 * holds that native (a, field; else a is -1), s[d] = s[a]'s field */
static int resolve_cycle(fz_resolver *rs, const fz_raw *raw, fz_step *st)
{
    int nd = rs->held[st->d];
    if (nd < 0)
        return 0;
    st->native = nd;
    st->a = fz_holder_of(rs, nd, st->d, st->a, &st->field);
    rs->held[st->d] = st->a >= 0 ? nd : -1;
    return 1;
}

static void describe_cycle(const fz_step *s, char *out, size_t n)
{
    if (s->a >= 0)
        snprintf(out, n, "s%d.me = s%d; s%d = None; gc.collect(); s%d = s%d%s; "
                 "hasattr(s%d, \"me\") and delattr(s%d, \"me\")",
                 s->d, s->d, s->d, s->d, s->a, fz_field_expr(s->field), s->d, s->d);
    else
        snprintf(out, n, "s%d.me = s%d; s%d = None; gc.collect()", s->d, s->d, s->d);
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
static int run_cycle(run *r, const fz_step *s)
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

static const fz_op_def op_cycle = {
    .name = "cycle", .id = 22, .weight = 3, .needs = FFI_FEATURE_DICT,
    .resolve = resolve_cycle, .describe = describe_cycle, .run = run_cycle,
};
FZ_OP(op_cycle);
