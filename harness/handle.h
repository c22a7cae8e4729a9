/* Native objects as a strategy sees them: the object header, the handle
 * (address and type), and inline helpers that only read and write memory.
 * Nothing here needs a symbol at link time, so an out-of-tree strategy (a
 * shared object) can use all of it. The harness's own functions on native
 * objects (constructors, refcounting, child walks, live counts) are in
 * native.h, which includes this: a strategy must not call them. */
#ifndef FFI_HANDLE_H
#define FFI_HANDLE_H

#include <stddef.h>
#include <stdint.h>

typedef enum ffi_kind {
    FFI_VAR = 1,
    FFI_ADD,
    FFI_LAYOUT,
    FFI_NODE,
    FFI_OUTER,
    FFI_INNER,   /* view: no header of its own, lives inside an Outer */
    FFI_KIND_END
} ffi_kind;

/* Header flag bits. The low byte is the strategies': the harness never
 * reads it except FFI_FLAG_OBSERVED. */
enum {
    FFI_FLAG_STRATEGY_MASK = 0x00ff,
    FFI_FLAG_OBSERVED = 0x0100   /* report refcount changes to the hook */
};

/* Every refcounted native object starts with this header. A strategy may
 * read refcount and kind, owns the flag bits above and the slot, and
 * leaves destroy alone. */
typedef struct ffi_obj ffi_obj;
struct ffi_obj {
    int32_t refcount;
    uint16_t kind;                 /* ffi_kind */
    uint16_t flags;
    void (*destroy)(ffi_obj *);    /* frees children, then the object */
    void *slot;                    /* one pointer for intrusive strategies */
};

/* A native handle: the address bindings see plus the type. Caches must key
 * on both, since an Outer and its Inner share one address. */
typedef struct ffi_handle {
    void *addr;
    uint32_t kind;
} ffi_handle;

/* The one object layout a strategy needs: an Inner view has no header, so
 * its slot lives in its Outer. */
typedef struct ffi_outer {
    ffi_obj hdr;        /* Inner's view starts here too */
    int64_t value;
    void *inner_slot;   /* the slot intrusive strategies use for the Inner view */
} ffi_outer;

static inline ffi_handle ffi_handle_of(ffi_obj *o)
{
    ffi_handle h = { o, o->kind };
    return h;
}
static inline ffi_handle ffi_inner_of(ffi_obj *outer)
{
    ffi_handle h = { outer, FFI_INNER };
    return h;
}
/* The refcounted object that keeps a handle alive (itself, or a view's owner). */
static inline ffi_obj *ffi_handle_owner(ffi_handle h) { return (ffi_obj *)h.addr; }
/* The pointer-sized slot intrusive strategies may use for this handle. */
static inline void **ffi_handle_slot(ffi_handle h)
{
    if (h.kind == FFI_INNER)
        return &((ffi_outer *)h.addr)->inner_slot;
    return &((ffi_obj *)h.addr)->slot;
}
static inline int ffi_handle_eq(ffi_handle a, ffi_handle b)
{
    return a.addr == b.addr && a.kind == b.kind;
}

/* A 64-bit hash of a handle, shared by the map-based strategies. */
static inline uint64_t ffi_handle_hash(ffi_handle h)
{
    uint64_t x = (uint64_t)(uintptr_t)h.addr ^ ((uint64_t)h.kind << 58);
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return x;
}

#endif
