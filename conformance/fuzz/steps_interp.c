/* The sub-interpreter operation (X1): a legacy sub-interpreter (Python 3.11's
 * _xxsubinterpreters) loads the subject by name and interns the names of
 * the held interned Vars, natives both interpreters reach; its wrappers
 * must be of its own classes. After it ends, the main interpreter interns
 * them again and re-reads every held field. A subject that refuses to
 * load there with an ImportError (X1 skips it) makes the step a no-op. */
#include <stdio.h>

#include "model.h"

/* subinterp(held): b, the held slots of interned Vars (maybe none) */
static int resolve_subinterp(fz_resolver *rs, const fz_raw *raw, fz_step *st)
{
    st->b = 0;
    for (int s = 0; s < FZ_SLOTS; s++)
        if (rs->held[s] >= 0 && rs->plan->natives[rs->held[s]].interned)
            st->b |= 1 << s;
    return 1;
}

static void describe_subinterp(const fz_step *s, char *out, size_t n)
{
    char held[64];
    fz_slot_list(s->b, held, sizeof held);
    snprintf(out, n, "subinterp(%s)", held);
}

static void print_subinterp(FILE *out, const char *prefix, int adapter)
{
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
static const fz_python_def py_subinterp = {NULL, print_subinterp};

static const char subinterp_src[] =
    "import sys\n"
    "SUB = '''\n"
    "import sys\n"
    "sys.path[:] = {paths!r}\n"
    "import ffi_identity\n"
    "if {adapter!r}:\n"
    "    import ffi_adapters\n"
    "    ns = ffi_adapters.load({name!r})\n"
    "    ok, why = ns.available()\n"
    "    if not ok:\n"
    "        raise ImportError(why)\n"
    "else:\n"
    "    ns = ffi_identity.load({name!r})\n"
    "if id(ns.Var) == {main_var}:\n"
    "    raise AssertionError(\"its ns.Var is the main interpreter's class\")\n"
    "for name in {names!r}:\n"
    "    v = ns.intern(name)\n"
    "    if type(v) is not ns.Var or v.name != name:\n"
    "        raise AssertionError(f'ns.intern({{name!r}}), a native the main interpreter holds, is a '\n"
    "                             f\"{{type(v)}} named {{v.name!r}}, not a wrapper of this interpreter's Var\")\n"
    "    if {unique!r} and ns.Add(v, v).a is not v:\n"
    "        raise AssertionError(f'Add(v, v).a is not v for ns.intern({{name!r}})')\n"
    "'''\n"
    "def subinterp(ns, adapter, names, unique):\n"
    "    try:\n"
    "        import _xxsubinterpreters as interpreters\n"
    "    except ImportError:\n"
    "        return None\n"
    "    code = SUB.format(paths=sys.path, adapter=adapter, name=ns.name, main_var=id(ns.Var), names=names,\n"
    "                      unique=unique)\n"
    "    interp = interpreters.create(isolated=False)\n"
    "    try:\n"
    "        interpreters.run_string(interp, code)\n"
    "    except interpreters.RunFailedError as e:\n"
    "        return None if str(e).startswith(\"<class 'ImportError'>\") else str(e)\n"
    "    finally:\n"
    "        interpreters.destroy(interp)\n"
    "    return None\n";

static PyObject *subinterp_fn(void)
{
    static PyObject *fn;
    if (fn)
        return fn;
    PyObject *g = PyDict_New();
    if (g && PyDict_SetItemString(g, "__builtins__", PyEval_GetBuiltins()) == 0) {
        PyObject *rr = PyRun_String(subinterp_src, Py_file_input, g, g);
        fn = rr ? Py_XNewRef(PyDict_GetItemString(g, "subinterp")) : NULL;
        Py_XDECREF(rr);
    }
    Py_XDECREF(g);
    return fn;
}

/* Every held field read again, as the get operation would. */
static int reread_all(run *r, const char *when)
{
    for (int k = 0; k < FZ_SLOTS; k++) {
        for (int c = 0; r->slot[k] && c < 2; c++) {
            fz_field f;
            int child = fz_field_native(r->plan, r->slot_native[k], c, &f);
            if (child < 0)
                continue;
            char expr[64];
            snprintf(expr, sizeof expr, "s%d%s (%s)", k, fz_field_expr(f), when);
            PyObject *o = fz_read_field(r->slot[k], f);
            int bad = o ? fz_sighting(r, o, child, expr, r->claims) : fz_python_error(r, expr);
            Py_XDECREF(o);
            if (bad)
                return 1;
        }
    }
    return 0;
}

static int run_subinterp(run *r, const fz_step *s)
{
    PyObject *fn = subinterp_fn();
    PyObject *names = fn ? PyList_New(0) : NULL;
    if (!names)
        return fz_python_error(r, "defining subinterp()");
    for (int k = 0; k < FZ_SLOTS; k++) {
        if (!(s->b & (1 << k)))
            continue;
        PyObject *name = PyUnicode_FromFormat("k%d", r->plan->natives[r->slot_native[k]].interned);
        if (!name || PyList_Append(names, name) < 0) {
            Py_XDECREF(name), Py_DECREF(names);
            return fz_python_error(r, "the interned names");
        }
        Py_DECREF(name);
    }
    int unique = (r->claims & FZ_CLAIM_UNIQUE) != 0;
    PyObject *res = PyObject_CallFunction(fn, "OOOO", r->ns, r->features & FZ_FEAT_ADAPTER ? Py_True : Py_False,
                                          names, unique ? Py_True : Py_False);
    if (!res) {
        Py_DECREF(names);
        return fz_python_error(r, "the sub-interpreter");
    }
    int bad = res != Py_None ? fz_diverge(r, "interpreters", "in a sub-interpreter: %s", PyUnicode_AsUTF8(res)) : 0;
    Py_DECREF(res);
    /* The main interpreter after: its interned Vars intern to the held wrappers, its fields read on. */
    int ownership = (r->claims & FZ_CLAIM_OWNERSHIP) != 0;   /* else interning again may split (O1) */
    for (Py_ssize_t i = 0, k = 0; !bad && ownership && i < PyList_GET_SIZE(names); i++, k++) {
        while (!(s->b & (1 << k)))
            k++;
        PyObject *again = PyObject_CallMethod(r->ns, "intern", "O", PyList_GET_ITEM(names, i));
        char expr[80];
        snprintf(expr, sizeof expr, "ns.intern(\"%s\") after the sub-interpreter",
                 PyUnicode_AsUTF8(PyList_GET_ITEM(names, i)));
        if (!again)
            bad = fz_python_error(r, expr);
        else if (unique && again != r->slot[k])
            bad = fz_diverge(r, "interpreters", "%s is not s%zd, the main interpreter's wrapper of that native",
                             expr, k);
        else
            bad = fz_sighting(r, again, r->slot_native[k], expr, r->claims);
        Py_XDECREF(again);
    }
    Py_DECREF(names);
    return bad ? 1 : reread_all(r, "after the sub-interpreter");
}

/* Only where X1 is claimed: a subject known to hang in a sub-interpreter
 * would fail every case. */
static const fz_op_def op_subinterp = {
    .name = "subinterp", .id = 20, .weight = 1, .claims = FZ_CLAIM_INTERP,
    .resolve = resolve_subinterp, .describe = describe_subinterp, .run = run_subinterp,
    .python = (const fz_python_def *const[]){&py_subinterp, NULL},
};
FZ_OP(op_subinterp);
