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
    FFI_DERIVED, /* an object whose second base sits at an offset */
    FFI_HOLDER,  /* holds a Derived through a pointer to that base */
    FFI_BASE,    /* view: a Derived's base subobject wrapped on its own (no downcast) */
    FFI_KIND_END
} ffi_kind;

/* Header flag bits. The low byte is the strategies': the harness never
 * reads it except FFI_FLAG_OBSERVED. */
enum {
    FFI_FLAG_STRATEGY_MASK = 0x00ff,
    FFI_FLAG_OBSERVED = 0x0100,  /* report refcount changes to the hook */
    FFI_FLAG_INTERNED = 0x0200   /* a Var in the intern table */
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
/* A second base: a base subobject that does not start its object, as the
 * second base of a C++ class with two does not. It records how far it sits
 * from the object's header (a C++ vtable's offset-to-top), so that code
 * holding a base pointer can find the whole object (dynamic_cast<void *>). */
typedef struct ffi_base {
    uint32_t to_top;    /* bytes from the object's header to this base */
    int64_t tag;        /* the base's own data */
    void *slot;         /* intrusive strategies' slot for a Base view */
} ffi_base;
typedef struct ffi_derived {
    ffi_obj hdr;        /* the object and its first base */
    int64_t value;
    ffi_base base;      /* the second base, at a non-zero offset */
} ffi_derived;
/* A base-typed field: it holds the base's address, and a reference to the
 * object that base is part of. */
typedef struct ffi_holder { ffi_obj hdr; ffi_base *base; } ffi_holder;

/* A Derived's second base, and back: the object a base pointer is part of. */
static inline ffi_base *ffi_derived_base(ffi_obj *derived) { return &((ffi_derived *)derived)->base; }
static inline ffi_obj *ffi_base_object(const ffi_base *b)
{
    return (ffi_obj *)(void *)((char *)b - b->to_top);
}

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
/* A Derived's second base as a handle of its own, at the base's address:
 * what a binding that does not downcast a base pointer wraps. */
static inline ffi_handle ffi_base_view(ffi_base *b)
{
    ffi_handle h = { b, FFI_BASE };
    return h;
}
/* Views have no header: their owner keeps them alive. */
static inline int ffi_handle_is_view(ffi_handle h) { return h.kind == FFI_INNER || h.kind == FFI_BASE; }
/* The refcounted object that keeps a handle alive (itself, or a view's owner). */
static inline ffi_obj *ffi_handle_owner(ffi_handle h)
{
    if (h.kind == FFI_BASE)
        return ffi_base_object(h.addr);
    return (ffi_obj *)h.addr;
}
/* The pointer-sized slot intrusive strategies may use for this handle. */
static inline void **ffi_handle_slot(ffi_handle h)
{
    if (h.kind == FFI_INNER)
        return &((ffi_outer *)h.addr)->inner_slot;
    if (h.kind == FFI_BASE)
        return &((ffi_base *)h.addr)->slot;
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
