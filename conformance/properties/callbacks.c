/* Callbacks, catalogue v2: CB1. A native function that calls Python hands
 * its arguments through the binding's conversion, and takes the callback's
 * return back through it: both must go through the same wrapper mapping
 * as field reads. The check is Python, run as module cf_callbacks. */
#include "../cf.h"

static const char callbacks_src[] =
    "import sys\n"
    "\n"
    "def _how(ns, got, want):\n"
    "    return 'one native, two wrappers' if ns.same_as(got, want) else 'another native object'\n"
    "\n"
    "def cb1(ns):\n"
    "    i, j = ns.Var('i'), ns.Var('j')\n"
    "    layout = ns.Layout((i, j), ns.Add(i, j))\n"
    "    off = layout.offset\n"
    "    rc = sys.getrefcount(off)\n"
    "    got = []\n"
    "    def echo(x):\n"
    "        got.append(x)\n"
    "        return x\n"
    "    r = ns.visit_offset(layout, echo)\n"
    "    if not got:\n"
    "        return ('fail', 'visit_offset(layout, fn) returned without calling fn')\n"
    "    if got[0] is not off:\n"
    "        return ('fail', f'the callback\\'s argument is not layout.offset, which the caller holds: '\n"
    "                        f'{_how(ns, got[0], off)}')\n"
    "    if r is not off:\n"
    "        return ('fail', f'the callback returned layout.offset, and what the native call gave back is '\n"
    "                        f'not it: {_how(ns, r, off)}')\n"
    "    del r, got[:]\n"
    "    if sys.getrefcount(off) != rc:\n"
    "        return ('fail', f'the call moved the refcount of layout.offset from {rc} to {sys.getrefcount(off)}')\n"
    "    made = []\n"
    "    def make(x):\n"
    "        made.append(ns.Var('made'))\n"
    "        return made[0]\n"
    "    r = ns.visit_offset(layout, make)\n"
    "    if r is not made[0]:\n"
    "        return ('fail', f'the callback returned a Var it made, and what the native call gave back is '\n"
    "                        f'not it: {_how(ns, r, made[0])}')\n"
    "    return None\n";

static cf_status cb1_run(cf_ctx *ctx) { return cf_python_check(ctx, "cf_callbacks", callbacks_src, "cb1", NULL); }

const cf_property cf_CB1 = {"CB1", "callbacks",
    "off = layout.offset; ns.visit_offset(layout, fn), a native function, calls fn with the Layout's "
    "offset: fn gets off itself, what fn returns (off; then a Var made inside fn) comes back from the "
    "native call as that same wrapper, and off's refcount is where it was",
    "callback arguments and returns cross the binding in both directions, and a binding that converts "
    "them outside its wrapper mapping splits one object between caller and callback (tvm-ffi's "
    "function-return aliasing test, PyGObject's vfunc toggle-reference test)",
    FFI_FEATURE_CALLBACK, CF_PARAM_NONE, cb1_run};
CF_REGISTER(cf_CB1);
