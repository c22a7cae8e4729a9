/* Ownership and interning, catalogue v2: O1. An interning constructor must
 * hand back the live wrapper of the native it finds (ns.intern(name): the
 * subject's interning entry point, Var(name, intern=True) unless its tool's
 * idiom is another, such as a static factory method); a wrapper that gives
 * its native away (disowned: the native goes to native code, which frees
 * it) must leave the cache then, so that an object later made at the freed
 * address gets a wrapper of its own, and the old wrapper's death must not
 * take that one's entry with it. The check is Python (a sequence of
 * constructions, reads and drops), run as module cf_ownership. */
#include "../cf.h"

static const char ownership_src[] =
    "import gc, sys\n"
    "\n"
    "_kept = []   # stale wrappers a failing subject handed out: never dropped\n"
    "\n"
    "def _why_not(ns, feature):\n"
    "    why = getattr(ns, 'why_not', {}).get(feature)\n"
    "    return why or f\"{ns.name} does not provide '{feature}'\"\n"
    "\n"
    "def o1(ns, lifo):\n"
    "    count = ns.cache_entries if 'entries' in ns.features else None\n"
    "    live = ns.native_live if 'live' in ns.features else None\n"
    "    gc.collect()\n"
    "    before, live_before = count() if count else None, live() if live else None\n"
    "    result = _o1(ns, lifo)\n"
    "    if result is not None or count is None:\n"
    "        return result\n"
    "    gc.collect()   # every object of the check is gone now\n"
    "    if live and live() != live_before:\n"
    "        return None   # a cache that keeps natives alive is L1's business\n"
    "    if count() != before:\n"
    "        return ('fail', f'with every object of the check dropped and collected, cache_entries() is '\n"
    "                        f'{count()}, was {before} before: an entry outlived its wrapper (a disowned one?)')\n"
    "    return None\n"
    "\n"
    "def _o1(ns, lifo):\n"
    "    a = ns.intern('o1-k')\n"
    "    b = ns.intern('o1-k')\n"
    "    if b is not a:\n"
    "        if not ns.same_as(a, b):\n"
    "            return ('fail', \"ns.intern('o1-k') twice gave two natives: nothing was interned\")\n"
    "        return ('fail', \"ns.intern('o1-k') twice gave two wrappers of one interned native: the \"\n"
    "                        'interning constructor made a new wrapper instead of returning the live one')\n"
    "    rc = sys.getrefcount(a)\n"
    "    c = ns.intern('o1-k'); del b, c\n"
    "    if sys.getrefcount(a) != rc - 1:\n"
    "        return ('fail', f'interning the live name again and dropping the results moved its refcount '\n"
    "                        f'from {rc - 1} to {sys.getrefcount(a)}')\n"
    "    if 'disown' not in ns.features:\n"
    "        return ('skip', 'the interning constructor returns the live wrapper; the disown half cannot run: '\n"
    "                        + _why_not(ns, 'disown'))\n"
    "    if lifo:\n"
    "        import ffi_identity\n"
    "        ffi_identity.set_alloc_mode('lifo')   # the next Var takes the freed address\n"
    "    v = ns.Var('o1-v')\n"
    "    at = ns.handle(v)\n"
    "    ns.consume(v)   # native code takes v's native and frees it; v is disowned\n"
    "    w = ns.Var('o1-w')\n"
    "    if w is v:\n"
    "        _kept.append(v)   # the cache still points at it: keep it alive\n"
    "        return ('fail', 'a Var made after v was disowned (its native freed, the address reused) is '\n"
    "                        \"v itself: the disowned wrapper's cache entry outlived the disown (pybind11 #1238)\")\n"
    "    reused = 'the new Var is at the freed address' if ns.handle(w) == at else \\\n"
    "             'the allocator put the new Var elsewhere'\n"
    "    add = ns.Add(w, w)\n"
    "    if add.a is not w:\n"
    "        return ('fail', f'after v was disowned, w = Var(...) and Add(w, w).a is not w ({reused})')\n"
    "    del v\n"
    "    gc.collect()   # the disowned wrapper dies\n"
    "    if add.a is not w:\n"
    "        return ('fail', f'when the disowned v died, add.a stopped being w: its death evicted the new '\n"
    "                        f'wrapper of the native at its old address ({reused}; pybind11 #1238, #2252)')\n"
    "    # A native with another owner: the disown takes the wrapper's reference, the Add keeps the native.\n"
    "    s = ns.Var('o1-s')\n"
    "    held = ns.Add(s, s)\n"
    "    ns.consume(s)\n"
    "    x = held.a\n"
    "    if x is s:\n"
    "        _kept.append(s)\n"
    "        return ('fail', 's = Var(...); held = Add(s, s); ns.consume(s): held.a is s, the disowned wrapper, '\n"
    "                        'while the Add keeps its native: the cache did not forget it on the disown')\n"
    "    try:\n"
    "        name = x.name\n"
    "    except Exception as e:\n"
    "        return ('fail', f'after s = Var(...); held = Add(s, s); ns.consume(s), held.a.name raised '\n"
    "                        f'{type(e).__name__}: {e}')\n"
    "    if name != 'o1-s' or held.a is not x:\n"
    "        return ('fail', 'after s = Var(...); held = Add(s, s); ns.consume(s), held.a is not a working '\n"
    "                        'wrapper of that Var: ' + (f'its name is {name!r}' if name != 'o1-s' else\n"
    "                                                   'a second read gave another wrapper'))\n"
    "    return None\n";

static cf_status o1_run(cf_ctx *ctx)
{
    PyObject *features = PyObject_GetAttrString(ctx->ns, "features");
    PyObject *alloc = PyUnicode_FromString("alloc");
    int lifo = features && alloc ? PySequence_Contains(features, alloc) == 1 : 0;
    Py_XDECREF(alloc), Py_XDECREF(features);
    PyErr_Clear();
    PyObject *args = Py_BuildValue("(O)", lifo ? Py_True : Py_False);
    cf_status st = args ? cf_python_check(ctx, "cf_ownership", ownership_src, "o1", args)
                        : cf_error(ctx, "building the arguments");
    Py_XDECREF(args);
    return st;
}

const cf_property cf_O1 = {"O1", "ownership-and-interning",
    "ns.intern('k') (Var('k', intern=True), or the tool's own interning factory) twice is one wrapper "
    "(refcounts back where they were); where the subject "
    "can disown, v = Var('v'); ns.consume(v) gives v's native to native code, which frees it: a Var w "
    "made next (at v's address where the allocator reuses it) is not v, Add(w, w).a is w, and still "
    "is after v dies; s = Var('s'); held = Add(s, s); ns.consume(s): held.a is a new working wrapper "
    "(not s); cache_entries() back to its start once all is dropped",
    "an interning constructor that makes a new wrapper for a live native splits it, and an instance "
    "that stays registered after it gave its native away, or is deregistered by address and type, "
    "hands out or evicts the wrapper of whatever comes next at that address (pybind11 #1238, #1568, "
    "#2252; nanobind test46_custom_new; tvm-ffi's moved-from objects)",
    FFI_FEATURE_INTERN, CF_PARAM_NONE, o1_run};
CF_REGISTER(cf_O1);
