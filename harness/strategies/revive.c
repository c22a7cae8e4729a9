/* revive: an intrusive slot that keeps the dead wrapper's memory. When the
 * last Python reference goes, an eligible wrapper is deactivated, not freed;
 * the next access revives it in place, so id() is stable for as long as
 * the native object lives. tvm-ffi 0.1.13's "object tying" (PR 593:
 * tvm_ffi_python_object.h), modelled with the same moves: a tagged pointer
 * in the native header, per-type tp_alloc/tp_free, the wrapper's memory
 * freed by the native object's death.
 *
 * The slot word, tagged in the pointer's low bits (wrappers are 16-byte
 * aligned):
 *   NULL           detached: the next access makes a new wrapper
 *   W              active: W is the live wrapper (borrowed, as intrusive)
 *   W|DYING        W is inside its tp_dealloc and will go dormant in tp_free
 *   W|DORMANT      W's memory is kept; it holds neither a Python life, a
 *                  native reference nor a type reference
 *   W|REVIVING     W is being brought back through the harness's
 *                  new_wrapper; other threads wait
 *
 * Lifetime rules: a dormant wrapper owns no native reference (the harness
 * drops it right after tp_free), so natives die exactly as with intrusive;
 * native_free frees the dormant memory with them (tvm-ffi's delete_space).
 *
 * Eligible (else the wrapper dies for good and the slot is cleared):
 *  - our tp_free is the type's: only the harness's own classes, which we
 *    patch (host->wrapper_class says which they are), not Python
 *    subclasses (CPython gives those its own tp_alloc and tp_free; a
 *    subclass instance dies for good and the slot is cleared, like a
 *    tvm-ffi type it never registered);
 *  - no tp_finalize (__del__): CPython marks a block finalized once and would
 *    never run __del__ on a revived generation;
 *  - no instance state. tvm-ffi rejects any type with a __dict__ slot; every
 *    class here has one (I6 needs it), so that test would make nothing
 *    eligible. We apply tvm-ffi's reason per instance instead: a wrapper
 *    whose __dict__ holds attributes would come back with them cleared, so
 *    it is freed like a tvm-ffi __dict__ type; a wrapper without state (all
 *    a tvm-ffi default class can be) goes dormant. I6 fails as in
 *    tvm-ffi+slots@0.1.13.
 * Weak references die with the wrapper's first death (the harness clears
 * them in tp_dealloc), as tvm-ffi's do: I7 fails.
 *
 * GIL builds only, as tvm-ffi's GIL path: the word needs no lock because
 * every transition happens with the GIL held; fork copies the word with the
 * memory it points at, so the child's dormant wrappers revive there. A
 * revival another thread had under way at the fork (REVIVING) would wait
 * forever in the child, where that thread does not exist: the cache lists
 * its revivals under way, and fork_child detaches their slots (the next
 * access makes a new wrapper; the half-revived block is left to the child). */
#include <sched.h>
#include <string.h>

#include "core/builtin.h"

enum { DYING = 0x1, DORMANT = 0x2, REVIVING = 0x4, TAGS = 0x7 };

/* A revival under way: its slot reads REVIVING until it ends. */
typedef struct revival { void **slot; struct revival *next; } revival;

typedef struct revive_state {
    revival *under_way;               /* every thread's, with the GIL held */
    size_t live;                      /* slots holding an active wrapper */
    size_t dormant;                   /* DYING or DORMANT: memory we keep */
    size_t block;                     /* bytes of one kept wrapper */
    PyTypeObject *types[FFI_KIND_END];   /* classes whose slots we patched (borrowed) */
} revive_state;

#define ST(c) ((revive_state *)(c)->state)

/* tp_free sees only the object: the host table is the same for every cache. */
static const ffi_host *host;
/* The dormant block new_wrapper's tp_alloc must hand back (per thread). */
static _Thread_local PyObject *revive_block;

static uintptr_t word(void **slot) { return (uintptr_t)*slot; }
static PyObject *untag(uintptr_t w) { return (PyObject *)(w & ~(uintptr_t)TAGS); }
static void *tag(PyObject *w, uintptr_t t) { return (void *)((uintptr_t)w | t); }

static int revive_init(ffi_cache *c)
{
    host = c->host;
    c->state = PyMem_RawCalloc(1, sizeof(revive_state));
    return c->state ? 0 : (PyErr_NoMemory(), -1);
}

static void revive_fini(ffi_cache *c) { PyMem_RawFree(c->state); }

/* tp_alloc: on a revival, re-initialise the kept block the way
 * PyType_GenericAlloc would leave a new one (zeroed body, refcount 1, a
 * type reference, GC-tracked); otherwise a new object. */
static PyObject *revive_tp_alloc(PyTypeObject *tp, Py_ssize_t nitems)
{
    PyObject *blk = revive_block;
    if (!blk)
        return PyType_GenericAlloc(tp, nitems);
    revive_block = NULL;
    memset((char *)blk + sizeof(PyObject), 0, (size_t)tp->tp_basicsize - sizeof(PyObject));
    PyObject_Init(blk, tp);
    PyObject_GC_Track(blk);
    return blk;
}

/* tp_free: runs after our wrapper_dealloc and before the harness drops the
 * wrapper's native reference, so the slot is still readable. A wrapper
 * marked DYING that is still the slot's settles to DORMANT and keeps its
 * memory; any other (ineligible, or replaced while dying) is freed. */
static void revive_tp_free(void *self)
{
    PyObject *w = self;
    ffi_handle h = host->wrapper_handle(w);
    void **slot = h.addr ? ffi_handle_slot(h) : NULL;   /* a disowned wrapper has no handle */
    if (slot && *slot == tag(w, DYING)) {
        *slot = tag(w, DORMANT);
        return;
    }
    PyObject_GC_Del(self);
}

/* tvm-ffi installs these per registered type; we do it on a class's first
 * wrapper (which came from PyType_GenericAlloc, so either free suits it). */
static void patch_type(ffi_cache *c, uint32_t kind, PyTypeObject *tp)
{
    if (tp->tp_free == revive_tp_free || tp->tp_itemsize != 0)
        return;
    tp->tp_alloc = revive_tp_alloc;
    tp->tp_free = revive_tp_free;
    ST(c)->types[kind] = tp;
    /* The block: the object plus the GC header before it (two words in 3.11). */
    ST(c)->block = (size_t)tp->tp_basicsize + 2 * sizeof(void *);
}

static int has_state(PyObject *w)
{
    Py_ssize_t off = Py_TYPE(w)->tp_dictoffset;
    PyObject *d = off > 0 ? *(PyObject **)((char *)w + off) : NULL;
    return d && PyDict_GET_SIZE(d) > 0;
}

static int eligible(PyObject *w)
{
    PyTypeObject *tp = Py_TYPE(w);
    return tp->tp_free == revive_tp_free && !tp->tp_finalize && !has_state(w);
}

/* Bring a dormant block back through the harness's constructor, which
 * calls our tp_alloc and so gets the same address. */
static PyObject *revive(ffi_cache *c, ffi_handle h, PyObject *blk)
{
    void **slot = ffi_handle_slot(h);
    *slot = tag(blk, REVIVING);
    revive_block = blk;
    revival mine = {slot, ST(c)->under_way};
    ST(c)->under_way = &mine;
    PyObject *w = ffi_cache_new_wrapper(c, h);   /* may release the GIL */
    for (revival **r = &ST(c)->under_way; *r; r = &(*r)->next)
        if (*r == &mine) {
            *r = mine.next;
            break;
        }
    if (!w) {
        /* Failed before tp_alloc: still dormant. After it: freed as not ours. */
        int kept = revive_block == blk;
        revive_block = NULL;
        *slot = kept ? tag(blk, DORMANT) : NULL;
        if (!kept)
            ST(c)->dormant--;
        return NULL;
    }
    *slot = w;   /* w == blk */
    ST(c)->dormant--;
    ST(c)->live++;
    return w;
}

static PyObject *revive_wrap(ffi_cache *c, ffi_handle h)
{
    void **slot = ffi_handle_slot(h);
    for (;;) {
        uintptr_t cur = word(slot);
        if (cur && !(cur & TAGS))
            return Py_NewRef((PyObject *)cur);
        if (cur & DORMANT)
            return revive(c, h, untag(cur));
        if (cur & REVIVING) {   /* another thread released the GIL mid-revival */
            Py_BEGIN_ALLOW_THREADS
            sched_yield();
            Py_END_ALLOW_THREADS
            continue;
        }
        /* Detached, or DYING: a weakref callback or __dict__ teardown of
         * the dying wrapper reads the field again. Its memory is still in
         * use, so a new wrapper takes over and the dying one is freed. */
        PyObject *w = ffi_cache_new_wrapper(c, h);   /* may release the GIL */
        if (!w)
            return NULL;
        if (word(slot) != cur) {   /* changed meanwhile: start over */
            Py_DECREF(w);
            continue;
        }
        /* Only the harness's own class: a constructor called on a Python
         * subclass makes a wrapper of it, and patching that class would
         * make it eligible and revive its instances through the base
         * class's tp_alloc (another type, maybe another size). */
        if (Py_TYPE(w) == c->host->wrapper_class(c, h.kind))
            patch_type(c, h.kind, Py_TYPE(w));
        if (cur & DYING)
            ST(c)->dormant--;
        *slot = w;
        ST(c)->live++;
        return w;
    }
}

static void revive_wrapper_dealloc(ffi_cache *c, PyObject *w, ffi_handle h)
{
    void **slot = ffi_handle_slot(h);
    if (*slot != w)
        return;
    ST(c)->live--;
    /* Alive here is a wrapper being disowned: it stays alive, so it leaves
     * the slot without going dormant. */
    if (Py_REFCNT(w) == 0 && eligible(w)) {
        *slot = tag(w, DYING);
        ST(c)->dormant++;
    } else {
        *slot = NULL;
    }
}

/* The native dies: free its dormant wrapper (nothing else can hold it). The
 * hook runs for every subject, so check the block is one of ours. */
static void revive_native_free(ffi_cache *c, ffi_handle h)
{
    void **slot = ffi_handle_slot(h);
    uintptr_t cur = word(slot);
    if ((cur & TAGS) != DORMANT || Py_TYPE(untag(cur)) != ST(c)->types[h.kind])
        return;
    *slot = NULL;
    ST(c)->dormant--;
    /* After Py_FinalizeEx there is no interpreter to free into: leak, as
     * tvm-ffi does once its atexit hook has run. */
    if (_PyThreadState_UncheckedGet())
        PyObject_GC_Del(untag(cur));
}

/* In a fork child only the forking thread exists: revivals other threads
 * had under way never end there, so their slots are detached. */
static void revive_fork_child(ffi_cache *c)
{
    for (revival *r = ST(c)->under_way; r; r = r->next)
        if (word(r->slot) & REVIVING) {
            *r->slot = NULL;
            ST(c)->dormant--;
        }
    ST(c)->under_way = NULL;
}

/* Dormant wrappers are memory the cache keeps on the wrapper's behalf. */
static size_t revive_bytes(ffi_cache *c) { return ST(c)->dormant * ST(c)->block; }
static size_t revive_entries(ffi_cache *c) { return ST(c)->live + ST(c)->dormant; }

const ffi_strategy ffi_strategy_revive = {
    .abi_version = FFI_STRATEGY_ABI,
    .struct_size = sizeof(ffi_strategy),
    .name = "revive",
    .summary = "intrusive slot keeps the dead wrapper's memory, revived at one address (tvm-ffi 0.1.13)",
    .init = revive_init,
    .fini = revive_fini,
    .wrap = revive_wrap,
    .wrapper_dealloc = revive_wrapper_dealloc,
    .native_free = revive_native_free,
    .fork_child = revive_fork_child,
    .bytes_used = revive_bytes,
    .entries_live = revive_entries,
};

FFI_BUILTIN(ffi_strategy_revive, FFI_BUILTIN_BOTH, 0, 60);
