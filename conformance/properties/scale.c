/* Scale, I8: identity with thousands of live handles. Every other property
 * holds at most a few hundred objects at once, so a cache that works only
 * while small (a fixed-size table that stops caching when full, a probe
 * sequence that gives up after a bound, a resize that drops entries) passes
 * them all. The check is Python, run as module cf_scale. */
#include "../cf.h"

enum { I8_HANDLES = 5600, I8_SEED = 8 };

static const char scale_src[] =
    "import gc, random\n"
    "\n"
    "READ = {'a': lambda h: h.a, 'axes[0]': lambda h: h.axes[0], 'offset': lambda h: h.offset,\n"
    "        'children[0]': lambda h: h.children[0], 'inner': lambda h: h.inner}\n"
    "\n"
    "def _build(ns, handles):\n"
    "    '''Every wrapper made (all held), and the reads: (group, holder, field, wrapper it must give).'''\n"
    "    held, reads, k = [], [], 0\n"
    "    while len(held) < handles:   # groups of 3 to 7 handles, by what the subject has\n"
    "        k += 1\n"
    "        v = ns.Var(f'i8-{k}')\n"
    "        add = ns.Add(v, v)\n"
    "        lay = ns.Layout([v], add)\n"
    "        held += (v, add, lay)\n"
    "        reads += ((k, add, 'a', v), (k, lay, 'axes[0]', v), (k, lay, 'offset', add))\n"
    "        if 'node' in ns.features:\n"
    "            leaf = ns.Node(k, [])\n"
    "            top = ns.Node(k, [leaf])\n"
    "            held += (leaf, top)\n"
    "            reads.append((k, top, 'children[0]', leaf))\n"
    "        if 'outer' in ns.features:\n"
    "            o = ns.Outer(k)\n"
    "            view = o.inner\n"
    "            held += (o, view)\n"
    "            reads.append((k, o, 'inner', view))\n"
    "    return held, reads\n"
    "\n"
    "def _read_all(ns, held, reads, seed):\n"
    "    '''Two passes in random order; the first wrong read as a failure, else None.'''\n"
    "    handles = [ns.handle(want) for *_, want in reads]\n"
    "    order = list(range(len(reads)))\n"
    "    rng = random.Random(seed)\n"
    "    for rnd in (1, 2):\n"
    "        rng.shuffle(order)\n"
    "        split = []\n"
    "        for j in order:\n"
    "            _, holder, field, want = reads[j]\n"
    "            got = READ[field](holder)\n"
    "            if not isinstance(got, type(want)):\n"
    "                return ('fail', f'with {len(held)} live handles, {type(holder).__name__}.{field} is a '\n"
    "                                f'{type(got).__name__}, not a {type(want).__name__} (read {rnd})')\n"
    "            if ns.handle(got) != handles[j]:\n"
    "                return ('fail', f'with {len(held)} live handles, {type(holder).__name__}.{field} is a '\n"
    "                                f'wrapper of another native (read {rnd})')\n"
    "            if got is not want:\n"
    "                split.append(j)\n"
    "        if split:\n"
    "            group, holder, field, want = reads[split[0]]\n"
    "            return ('fail', f'with {len(held)} live handles (their wrappers held), {len(split)} of '\n"
    "                            f'{len(reads)} reads in random order (pass {rnd}) gave a second wrapper, '\n"
    "                            f'the first {type(holder).__name__}.{field} of group {group}')\n"
    "    return None\n"
    "\n"
    "def i8(ns, handles, seed):\n"
    "    count = ns.cache_entries if 'entries' in ns.features else None\n"
    "    live = ns.native_live if 'live' in ns.features else None\n"
    "    gc.collect()\n"
    "    entries0, live0 = count() if count else None, live() if live else None\n"
    "    held, reads = _build(ns, handles)\n"
    "    result = _read_all(ns, held, reads, seed)\n"
    "    if result:\n"
    "        return result\n"
    "    if count and count() - entries0 < len(held):\n"
    "        return ('fail', f'{len(held)} wrappers are held and looked up, but cache_entries() grew by '\n"
    "                        f'only {count() - entries0}: the cache counts (or keeps) fewer than it hands out')\n"
    "    made = len(held)\n"
    "    del held, reads\n"
    "    gc.collect()\n"
    "    # Every native freed (a cache that keeps them is L1's business): no entry may stay.\n"
    "    if count and live and live() == live0 and count() != entries0:\n"
    "        return ('fail', f'with all {made} wrappers dropped and their natives freed, cache_entries() is '\n"
    "                        f'{count()}, was {entries0} before')\n"
    "    return None\n";

static cf_status i8_run(cf_ctx *ctx)
{
    PyObject *args = Py_BuildValue("(ii)", (int)I8_HANDLES, (int)I8_SEED);
    cf_status st = args ? cf_python_check(ctx, "cf_scale", scale_src, "i8", args)
                        : cf_error(ctx, "building the arguments");
    Py_XDECREF(args);
    return st;
}

const cf_property cf_I8 = {"I8", "many-live-handles",
    "groups of Var, Add(v, v), Layout([v], add) and (where the subject has them) Node(k, [leaf]) "
    "and Outer(k) with its Inner: 5,600 live handles, their wrappers held; every field read "
    "twice in random order gives the held wrapper (right type and handle); cache_entries() covers "
    "them, and is back to its start once all are dropped",
    "a cache that works only while small (a fixed-size table that stops caching when full, a bounded "
    "probe, a resize that loses entries) passes every property that holds a few hundred objects; "
    "programs hold many thousands",
    0, CF_PARAM_NONE, i8_run};
CF_REGISTER(cf_I8);
