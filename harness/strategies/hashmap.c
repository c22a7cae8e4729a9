/* hashmap: a C map from handle (address, type) to a borrowed wrapper,
 * erased in the wrapper's dealloc. pybind11's registered_instances,
 * nanobind's inst_c2p and PyObjC keep one wrapper per live handle this way;
 * once the last Python reference goes, the next access makes a new one.
 *
 * The table is built the way the best of those maps are, and no smaller in
 * what it keys on:
 *  - One word per slot. The key (address, type) is not copied into the
 *    table: every wrapper already carries its handle (the harness's fixed
 *    wrapper layout, binding.h), and an entry lives exactly as long as its
 *    wrapper, so a slot holds the wrapper pointer alone and a lookup compares
 *    the handle inside the wrapper it found. A hit reads that wrapper anyway
 *    (the new reference), so the comparison costs no extra cache line; that
 *    is nanobind's inst_c2p, which checks the type in the instance it finds,
 *    taken one step further (the address too).
 *  - A few bits of the hash in the pointer's alignment bits (a tag), so a
 *    probe past a colliding entry almost never touches that entry's wrapper.
 *  - Multiply-shift (Fibonacci) hashing of the address: one multiplication;
 *    the top bits pick the slot, bits 29-31 are the tag. The type is
 *    compared, not hashed (see hm_hash).
 *  - Linear probing, load factor between 3/8 and 3/4 (grow to twice the
 *    slots past 3/4; shrink to half below 1/4), so 8 bytes a slot is 10.7
 *    to 21.3 bytes per live handle after any insertion.
 *  - Tables of 4 MiB and more ask for transparent huge pages: at 10^6
 *    handles a random slot then costs a cache miss without a TLB miss.
 *  - Backward-shift deletion: no tombstones, so probe runs stay short under
 *    churn.
 *  - The hit path is inline in wrap(); creating and inserting are out of
 *    line.
 * Each resize and each backward shift recomputes the moved entries' hashes
 * from their wrappers' handles (the cost of not storing keys); both are
 * amortised or bounded by the probe run length. */
#include "core/binding.h"
#include "core/builtin.h"

#include <assert.h>
#ifdef __linux__
#include <sys/mman.h>
#endif

/* The alignment bits of a wrapper pointer carry the tag. */
#define TAG_MASK ((uintptr_t)_Alignof(PyObject) - 1)
_Static_assert(_Alignof(PyObject) >= 2 && (_Alignof(PyObject) & (_Alignof(PyObject) - 1)) == 0,
               "wrapper pointers need spare alignment bits for the tag");

#define MIN_LOG2 6   /* 64 slots, 512 bytes */
#define LINE 64

/* The table is one block: a header, then the slots from a cache-line
 * boundary. The cache's state word is the slots' address with the shift
 * (64 - log2 of the slot count) in its low 6 bits, so the hit path reads
 * one word to find both where to look and how to index: no load of a
 * table header between the state and the slot. */
typedef struct hm_header {
    void *block;   /* what PyMem_RawCalloc returned */
    size_t len;    /* live entries */
} hm_header;

typedef uintptr_t hm_state;

static inline uintptr_t *hm_slots(hm_state st) { return (uintptr_t *)(st & ~(uintptr_t)(LINE - 1)); }
static inline unsigned hm_shift(hm_state st) { return (unsigned)(st & (LINE - 1)); }
static inline size_t hm_mask(hm_state st) { return ((size_t)1 << (64 - hm_shift(st))) - 1; }
static inline hm_header *hm_head(hm_state st) { return (hm_header *)hm_slots(st) - 1; }
static inline size_t hm_block_bytes(unsigned log2) { return (sizeof(uintptr_t) << log2) + sizeof(hm_header) + LINE - 1; }

/* Multiply-shift of the address alone. The type is part of the key (a
 * hit compares the whole handle) but not of the hash, as in nanobind's
 * inst_c2p: a struct and its first member share a home slot, which costs
 * them a probe, never a wrong answer; and the slot's address does not wait
 * for the type, which is read from the native header. */
static inline uint64_t hm_hash(ffi_handle h)
{
    return (uint64_t)(uintptr_t)h.addr * 0x9e3779b97f4a7c15ULL;   /* 2^64 / golden ratio */
}

static inline size_t hm_home(hm_state st, uint64_t x) { return (size_t)(x >> hm_shift(st)); }
/* The tag: hash bits 29-31, below the slot index for any table under 2^32
 * slots (so entries of one probe run rarely share it) and high enough to
 * mix the address bits that tell heap objects apart. */
static inline uintptr_t hm_tag(uint64_t x) { return (uintptr_t)(x >> 29) & TAG_MASK; }
static inline ffi_wrapper *hm_wrapper(uintptr_t slot) { return (ffi_wrapper *)(slot & ~TAG_MASK); }

/* The wrapper for h, or NULL. */
static inline PyObject *hm_find(hm_state st, ffi_handle h)
{
    uint64_t x = hm_hash(h);
    uintptr_t *slots = hm_slots(st), tag = hm_tag(x);
    size_t mask = hm_mask(st);
    for (size_t i = hm_home(st, x);; i = (i + 1) & mask) {
        uintptr_t s = slots[i];
        if (!s)
            return NULL;
        if ((s & TAG_MASK) == tag) {
            ffi_wrapper *w = hm_wrapper(s);
            if (w->handle.addr == h.addr && w->handle.kind == h.kind)
                return (PyObject *)w;
        }
    }
}

/* A new empty table of 2^log2 slots, or 0 out of memory. */
static hm_state hm_alloc(unsigned log2)
{
    size_t bytes = hm_block_bytes(log2);
    void *block = PyMem_RawCalloc(1, bytes);
    if (!block)
        return 0;
#if defined(MADV_HUGEPAGE)
    /* A big table is read at random: ask for huge pages, so that a lookup
     * costs a cache miss and not also a TLB miss (a hint; where transparent
     * huge pages are off it does nothing). */
    enum { HUGE = 2 << 20 };
    if (bytes >= 2 * HUGE) {
        uintptr_t from = ((uintptr_t)block + HUGE - 1) & ~(uintptr_t)(HUGE - 1);
        uintptr_t to = ((uintptr_t)block + bytes) & ~(uintptr_t)(HUGE - 1);
        madvise((void *)from, to - from, MADV_HUGEPAGE);
    }
#endif
    uintptr_t at = ((uintptr_t)block + sizeof(hm_header) + LINE - 1) & ~(uintptr_t)(LINE - 1);
    hm_state st = at | (64 - log2);
    hm_head(st)->block = block;
    return st;
}

static void hm_free(hm_state st)
{
    if (st)
        PyMem_RawFree(hm_head(st)->block);
}

/* Places w (not present) in a table with a free slot. */
static void hm_place(hm_state st, PyObject *w)
{
    uint64_t x = hm_hash(((ffi_wrapper *)w)->handle);
    uintptr_t *slots = hm_slots(st);
    size_t mask = hm_mask(st), i = hm_home(st, x);
    assert(!((uintptr_t)w & TAG_MASK));
    while (slots[i])
        i = (i + 1) & mask;
    slots[i] = (uintptr_t)w | hm_tag(x);
}

static unsigned hm_log2(hm_state st) { return 64 - hm_shift(st); }

/* 0, or -1 (the table unchanged) out of memory. */
static int hm_resize(ffi_cache *c, unsigned log2)
{
    hm_state old = (hm_state)c->state, st = hm_alloc(log2);
    if (!st)
        return -1;
    uintptr_t *slots = hm_slots(old);
    for (size_t i = 0, mask = hm_mask(old); i <= mask; i++)
        if (slots[i])
            hm_place(st, (PyObject *)hm_wrapper(slots[i]));
    hm_head(st)->len = hm_head(old)->len;
    hm_free(old);
    c->state = (void *)st;
    return 0;
}

static int hm_insert(ffi_cache *c, PyObject *w)
{
    hm_state st = (hm_state)c->state;
    size_t len = hm_head(st)->len;
    if ((len + 1) * 4 > (hm_mask(st) + 1) * 3) {
        if (hm_resize(c, hm_log2(st) + 1) < 0)
            return -1;
        st = (hm_state)c->state;
    }
    hm_place(st, w);
    hm_head(st)->len = len + 1;
    return 0;
}

/* Removes w if it is the entry for h. */
static void hm_erase(ffi_cache *c, PyObject *w, ffi_handle h)
{
    hm_state st = (hm_state)c->state;
    uint64_t x = hm_hash(h);
    uintptr_t *slots = hm_slots(st), want = (uintptr_t)w | hm_tag(x);
    size_t mask = hm_mask(st), hole = hm_home(st, x);
    for (;; hole = (hole + 1) & mask) {
        if (!slots[hole])
            return;
        if (slots[hole] == want)
            break;
    }
    /* Backward shift: pull later entries of the run into the hole when
     * their home position allows it. */
    for (size_t i = (hole + 1) & mask; slots[i]; i = (i + 1) & mask) {
        size_t home = hm_home(st, hm_hash(hm_wrapper(slots[i])->handle));
        if (((i - home) & mask) >= ((i - hole) & mask)) {
            slots[hole] = slots[i];
            hole = i;
        }
    }
    slots[hole] = 0;
    size_t len = --hm_head(st)->len;
    if (hm_log2(st) > MIN_LOG2 && len * 4 < mask + 1)
        hm_resize(c, hm_log2(st) - 1);   /* on failure keep the bigger table */
}

static int hashmap_init(ffi_cache *c)
{
    hm_state st = hm_alloc(MIN_LOG2);
    if (!st) {
        PyErr_NoMemory();
        return -1;
    }
    c->state = (void *)st;
    return 0;
}

static void hashmap_fini(ffi_cache *c)
{
    hm_free((hm_state)c->state);
    c->state = NULL;
}

/* Everything but a hit in the home slot: the rest of the probe run, then
 * on a miss a new wrapper, inserted unless another thread inserted one
 * while creation let the GIL go. */
static __attribute__((noinline)) PyObject *hashmap_wrap_slow(ffi_cache *c, ffi_handle h)
{
    PyObject *w = hm_find((hm_state)c->state, h);
    if (w)
        return Py_NewRef(w);
    w = ffi_cache_new_wrapper(c, h);
    if (!w)
        return NULL;
    /* Creation may have resized the table (c->state is read again). */
    PyObject *raced = hm_find((hm_state)c->state, h);
    if (raced) {
        Py_DECREF(w);
        return Py_NewRef(raced);
    }
    if (hm_insert(c, w) < 0) {
        Py_DECREF(w);
        return PyErr_NoMemory();
    }
    return w;
}

/* The hit in the home slot, inline: one multiplication, the state word,
 * the slot, and the handle in the wrapper the new reference touches anyway
 * (no register spills, no probe loop). */
static PyObject *hashmap_wrap(ffi_cache *c, ffi_handle h)
{
    hm_state st = (hm_state)c->state;
    uint64_t x = hm_hash(h);
    uintptr_t s = hm_slots(st)[hm_home(st, x)];
    if (s && !((s ^ hm_tag(x)) & TAG_MASK)) {
        ffi_wrapper *w = hm_wrapper(s);
        if (w->handle.addr == h.addr && w->handle.kind == h.kind)
            return Py_NewRef((PyObject *)w);
    }
    return hashmap_wrap_slow(c, h);
}

static void hashmap_wrapper_dealloc(ffi_cache *c, PyObject *w, ffi_handle h)
{
    hm_erase(c, w, h);
}

/* The whole block: header, alignment slack and slots. */
static size_t hashmap_bytes(ffi_cache *c) { return hm_block_bytes(hm_log2((hm_state)c->state)); }

static size_t hashmap_entries(ffi_cache *c) { return hm_head((hm_state)c->state)->len; }

const ffi_strategy ffi_strategy_hashmap = {
    .abi_version = FFI_STRATEGY_ABI,
    .struct_size = sizeof(ffi_strategy),
    .name = "hashmap",
    .summary = "C map handle->borrowed wrapper, erased on dealloc (pybind11, nanobind)",
    .init = hashmap_init,
    .fini = hashmap_fini,
    .wrap = hashmap_wrap,
    .wrapper_dealloc = hashmap_wrapper_dealloc,
    .bytes_used = hashmap_bytes,
    .entries_live = hashmap_entries,
};

FFI_BUILTIN(ffi_strategy_hashmap, FFI_BUILTIN_BOTH | FFI_BUILTIN_NONE, 0, 30);   /* +none: a binding without pickle */
