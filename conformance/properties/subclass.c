/* Python subclasses of wrapper classes, catalogue v2: S1 (subclass kept
 * through fields and pickling) and S2 (finalizers: __del__ once per death,
 * resurrection keeps identity).
 *
 * The checks are Python (what they exercise is Python-level behaviour: a
 * class statement, __del__, pickle by qualified name), run in a module
 * registered in sys.modules as `cf_subclass`, so pickle can import the
 * subclasses it defines. Each check returns None (pass) or (kind, reason),
 * kind "fail" or "skip". */
#include <string.h>

#include "../cf.h"

static const char subclass_src[] =
    "import gc, pickle, sys, weakref\n"
    "\n"
    "def _fill(ns):\n"
    "    # as cf_occupy_freed: live Vars take the memory dropped wrappers left\n"
    "    return [ns.Var('filler') for _ in range(16)]\n"
    "\n"
    "def _state_survives(ns):\n"
    "    # I6 for a Var held by an Add, probed as death.c's G1 does\n"
    "    v = ns.Var('probe'); add = ns.Add(v, v); del v\n"
    "    x = add.a\n"
    "    try:\n"
    "        x.note = True\n"
    "    except (AttributeError, TypeError):   # no instance state on the base class\n"
    "        return False\n"
    "    del x\n"
    "    fill = _fill(ns)\n"
    "    return hasattr(add.a, 'note')\n"
    "\n"
    "def _tname(o):\n"
    "    return type(o).__name__\n"
    "\n"
    "def s1(ns):\n"
    "    global SubVar\n"
    "    class SubVar(ns.Var):\n"
    "        pass\n"
    "    v = SubVar('s')\n"
    "    if type(v) is not SubVar:\n"
    "        return ('fail', f\"SubVar('s') is a {_tname(v)}: the constructor ignores the subtype\")\n"
    "    add = ns.Add(v, v)\n"
    "    x = add.a\n"
    "    if x is not v:\n"
    "        if type(x) is not SubVar:\n"
    "            return ('fail', f'add.a is a {_tname(x)}, not the SubVar stored in the field (the subclass '\n"
    "                            'is lost on the way back)')\n"
    "        return ('fail', 'add.a is a SubVar, but not the one stored in the field (two wrappers)')\n"
    "    # reference counts: reads and drops leave the stored wrapper's count where it was\n"
    "    rc = sys.getrefcount(v)\n"
    "    y = add.a; z = add.b; del y, z, x\n"
    "    if sys.getrefcount(v) != rc - 1:\n"
    "        return ('fail', f'reading add.a and add.b and dropping them moved the SubVar refcount from '\n"
    "                        f'{rc - 1} to {sys.getrefcount(v)}')\n"
    "    if _state_survives(ns):\n"
    "        v.note = 'kept'\n"
    "        del v\n"
    "        fill = _fill(ns)\n"
    "        x = add.a\n"
    "        if type(x) is not SubVar:\n"
    "            return ('fail', f'state survives without a reference (I6), but add.a read after the '\n"
    "                            f'SubVar was dropped is a {_tname(x)}: the subclass is lost')\n"
    "        if getattr(x, 'note', None) != 'kept':\n"
    "            return ('fail', 'state survives without a reference (I6), but add.a read after the '\n"
    "                            'SubVar was dropped has lost v.note')\n"
    "        v = x\n"
    "    if 'pickle' in ns.features:\n"
    "        p = SubVar('p')   # without state: P8 is about state, this is about the class\n"
    "        for protocol in range(2, pickle.HIGHEST_PROTOCOL + 1):\n"
    "            try:\n"
    "                back = pickle.loads(pickle.dumps(p, protocol))\n"
    "            except Exception as e:\n"
    "                return ('fail', f'pickle round trip (protocol {protocol}) of a SubVar raised '\n"
    "                                f'{_tname(e)}: {e}')\n"
    "            if type(back) is not SubVar or back.name != 'p':\n"
    "                return ('fail', f'pickle round trip (protocol {protocol}) of a SubVar gives a '\n"
    "                                f'{_tname(back)}' + ('' if type(back) is not SubVar else ' of another name'))\n"
    "    return None\n"
    "\n"
    "def _fin_class(ns, resurrect, name):\n"
    "    # one name per class: PyGObject registers a GType per module and name\n"
    "    def __del__(self):\n"
    "        cls = type(self)\n"
    "        cls.calls += 1\n"
    "        if resurrect and cls.calls == 1:\n"
    "            cls.kept.append(self)   # resurrected: a global list holds it\n"
    "    return type(ns.Var)(name, (ns.Var,), {'calls': 0, 'kept': [], '__del__': __del__,\n"
    "                                          '__module__': __name__, '__qualname__': name})\n"
    "\n"
    "def _death_watch(v):\n"
    "    # dead() -> True/False, or None where a subclass instance takes no\n"
    "    # weak reference (its death cannot be seen: those checks are left out)\n"
    "    try:\n"
    "        wr = weakref.ref(v)\n"
    "    except TypeError:\n"
    "        return lambda: None\n"
    "    return lambda: wr() is None\n"
    "\n"
    "def s2_once(ns):\n"
    "    Fin = _fin_class(ns, False, 'FinOnce')\n"
    "    v = Fin('f')\n"
    "    dead = _death_watch(v)\n"
    "    add = ns.Add(v, v)\n"
    "    del v\n"
    "    gc.collect()\n"
    "    x = add.a; y = add.a; del x, y\n"
    "    gc.collect()\n"
    "    stages = [('the last Python reference went', dead(), Fin.calls)]\n"
    "    del add\n"
    "    gc.collect()\n"
    "    stages.append(('the Add holding its native went', dead(), Fin.calls))\n"
    "    for when, dead, calls in stages:\n"
    "        if calls > 1:\n"
    "            return ('fail', f'__del__ ran {calls} times for one wrapper (when {when})')\n"
    "        if dead and calls == 0:\n"
    "            return ('fail', f'the wrapper died (when {when}) without running its __del__')\n"
    "        if dead is False and calls == 1:\n"
    "            return ('fail', f'__del__ ran (when {when}) on a wrapper that lives on: CPython finalizes '\n"
    "                            'an object once, so its real death will run none')\n"
    "    return None\n"
    "\n"
    "def s2_resurrect(ns):\n"
    "    Fin = _fin_class(ns, True, 'FinPhoenix')\n"
    "    v = Fin('r')\n"
    "    dead = _death_watch(v)\n"
    "    add = ns.Add(v, v)\n"
    "    del v\n"
    "    gc.collect()\n"
    "    if Fin.kept:   # died while the Add holds its native: the Add's field must give it back\n"
    "        x = add.a\n"
    "        if x is not Fin.kept[0]:\n"
    "            return ('fail', f'after its __del__ resurrected the wrapper (stored self in a global '\n"
    "                            f'list), add.a is {\"another Fin\" if type(x) is Fin else \"a \" + _tname(x)}, '\n"
    "                            'not the resurrected wrapper')\n"
    "        del x\n"
    "    del add\n"
    "    gc.collect()\n"
    "    if not Fin.kept:\n"
    "        if dead():\n"
    "            return ('fail', f'the wrapper died and its __del__ ran {Fin.calls} times without resurrecting it')\n"
    "        return None   # it never died: nothing to resurrect\n"
    "    r = Fin.kept[0]\n"
    "    if type(r) is not Fin or r.name != 'r':\n"
    "        return ('fail', f'the resurrected wrapper is a broken {_tname(r)}')\n"
    "    add = ns.Add(r, r)\n"
    "    x = add.a\n"
    "    if x is not r:\n"
    "        return ('fail', f'Add(r, r).a for the resurrected wrapper r is '\n"
    "                        f'{\"another Fin\" if type(x) is Fin else \"a \" + _tname(x)}, not r')\n"
    "    del x, r\n"
    "    Fin.kept.clear()\n"
    "    del add\n"
    "    gc.collect()\n"
    "    if Fin.calls != 1:\n"
    "        return ('fail', f'__del__ ran {Fin.calls} times for one resurrected wrapper')\n"
    "    return None\n"
    "\n"
    "def s2(ns):\n"
    "    return s2_once(ns) or s2_resurrect(ns)\n";

/* The cf_subclass module, made once per process (each property runs in
 * its own). */
static PyObject *checks_module(void)
{
    PyObject *m = PyImport_ImportModule("cf_subclass");
    if (m || !PyErr_ExceptionMatches(PyExc_ImportError))
        return m;
    PyErr_Clear();
    m = PyModule_New("cf_subclass");
    PyObject *d = m ? PyModule_GetDict(m) : NULL;
    if (!d || PyDict_SetItemString(d, "__builtins__", PyEval_GetBuiltins()) < 0 ||
        PyDict_SetItemString(PyImport_GetModuleDict(), "cf_subclass", m) < 0) {
        Py_XDECREF(m);
        return NULL;
    }
    PyObject *r = PyRun_String(subclass_src, Py_file_input, d, d);
    if (!r) {
        PyDict_DelItemString(PyImport_GetModuleDict(), "cf_subclass");
        Py_DECREF(m);
        return NULL;
    }
    Py_DECREF(r);
    return m;
}

static cf_status run_check(cf_ctx *ctx, const char *fn)
{
    PyObject *m = checks_module();
    PyObject *r = m ? PyObject_CallMethod(m, fn, "O", ctx->ns) : NULL;
    Py_XDECREF(m);
    if (!r)
        return cf_error(ctx, fn);
    cf_status st = CF_PASS;
    const char *kind, *reason;
    if (r != Py_None) {
        if (!PyArg_ParseTuple(r, "ss", &kind, &reason))
            st = cf_error(ctx, "reading the check's result");
        else
            st = strcmp(kind, "skip") == 0 ? cf_skip(ctx, "%s", reason) : cf_fail(ctx, "%s", reason);
    }
    Py_DECREF(r);
    return st;
}

static cf_status s1_run(cf_ctx *ctx) { return run_check(ctx, "s1"); }
static cf_status s2_run(cf_ctx *ctx) { return run_check(ctx, "s2"); }

const cf_property cf_S1 = {"S1", "subclass",
    "class SubVar(ns.Var); v = SubVar('s'): type(v) is SubVar, Add(v, v).a is v (reads leave v's "
    "refcount as it was); where I6 holds, add.a read after v was dropped is still a SubVar with "
    "v.note; where the subject pickles, loads(dumps(v)) is a SubVar (protocols 2..5)",
    "subclassing wrapper classes is everyday practice, and a binding that rebuilds the base class "
    "on the way back loses the subclass's behaviour (pybind11 test_classes, nanobind test_intrusive "
    "test04, PyTorch test_subclass_preserved, PyGObject DerivedObj)",
    FFI_FEATURE_SUBCLASS, CF_PARAM_NONE, s1_run};
CF_REGISTER(cf_S1);
const cf_property cf_S2 = {"S2", "finalizer",
    "a Var subclass's __del__ runs exactly once per wrapper death, never on a wrapper that lives on "
    "(deaths seen by a weak reference where subclass instances take one); "
    "a __del__ that resurrects the wrapper (stores self in a global list) keeps identity: add.a, "
    "and Add(r, r).a afterwards, are that same object",
    "a binding that finalizes or re-creates wrappers behind Python's back runs user finalizers twice, "
    "never, or on a live object, and a resurrected wrapper must stay the one its native maps to "
    "(tvm-ffi's object tying tests, PyTorch #55686)",
    FFI_FEATURE_SUBCLASS, CF_PARAM_NONE, s2_run};
CF_REGISTER(cf_S2);
