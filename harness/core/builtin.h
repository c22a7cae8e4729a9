/* How a strategy built into the harness registers itself: one line in its
 * own file, so a new built-in strategy or control is one new file (plus its
 * expectations) and no list to edit. Out-of-tree strategies use the plug-in
 * entry point instead (strategy.h). */
#ifndef FFI_BUILTIN_H
#define FFI_BUILTIN_H

#include "strategy.h"

/* Which reduce styles to build it in (subjects NAME+node, ...). */
enum {
    FFI_BUILTIN_NODE = 1,    /* as ffi_style's FFI_STYLE_NODE */
    FFI_BUILTIN_GRAPH = 2,
    FFI_BUILTIN_NONE = 4,    /* no pickle support, like a binding that never wrote one */
    FFI_BUILTIN_BOTH = FFI_BUILTIN_NODE | FFI_BUILTIN_GRAPH,
};

/* Bugs a control may plant in the harness's glue rather than in its cache
 * (the glue is a binding's caster; the strategy its instance map). */
enum {
    FFI_GLUE_NO_DOWNCAST = 1 << 0,     /* a base-typed field wraps the base on its own (U1) */
    FFI_GLUE_CALLBACK_FRESH = 1 << 1,  /* a callback's argument is a new wrapper, not the cache's (CB1) */
};

typedef struct ffi_registered {
    const ffi_strategy *strategy;
    unsigned styles;   /* FFI_BUILTIN_* bits */
    int control;       /* deliberately broken, kept to prove tests can fail */
    int rank;          /* listing order: strategies by design, then controls */
    unsigned glue;     /* FFI_GLUE_* bugs of a control */
} ffi_registered;

/* FFI_BUILTIN(ffi_strategy_hashmap, FFI_BUILTIN_BOTH, 0, 30): a pointer to
 * the record in the ffi_builtins section, which registry.c reads. A control
 * whose bug is in the glue registers with FFI_BUILTIN_GLUE and its bits. */
#define FFI_BUILTIN_GLUE(strategy, styles, control, rank, glue)                              \
    static const ffi_registered ffi_registered_##strategy = {&(strategy), (styles), (control), (rank), (glue)}; \
    static const ffi_registered *const ffi_registered_ptr_##strategy                         \
        __attribute__((used, section("ffi_builtins"))) = &ffi_registered_##strategy
#define FFI_BUILTIN(strategy, styles, control, rank) FFI_BUILTIN_GLUE(strategy, styles, control, rank, 0)

#endif
