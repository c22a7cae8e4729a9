/* How a strategy built into the harness registers itself: one line in its
 * own file, so a new built-in strategy or control is one new file (plus its
 * expectations) and no list to edit. Out-of-tree strategies use the plug-in
 * entry point instead (strategy.h). */
#ifndef FFI_BUILTIN_H
#define FFI_BUILTIN_H

#include "strategy.h"

/* Which reduce styles to build it in (implementations NAME+node, ...). */
enum {
    FFI_BUILTIN_NODE = 1,    /* as ffi_style's FFI_STYLE_NODE */
    FFI_BUILTIN_GRAPH = 2,
    FFI_BUILTIN_NONE = 4,    /* no pickle support, like a binding that never wrote one */
    FFI_BUILTIN_BOTH = FFI_BUILTIN_NODE | FFI_BUILTIN_GRAPH,
};

typedef struct ffi_registered {
    const ffi_strategy *strategy;
    unsigned styles;   /* FFI_BUILTIN_* bits */
    int control;       /* deliberately broken, kept to prove tests can fail */
    int rank;          /* listing order: strategies by design, then controls */
} ffi_registered;

/* FFI_BUILTIN(ffi_strategy_hashmap, FFI_BUILTIN_BOTH, 0, 30): a pointer to
 * the record in the ffi_builtins section, which registry.c reads. */
#define FFI_BUILTIN(strategy, styles, control, rank)                                        \
    static const ffi_registered ffi_registered_##strategy = {&(strategy), (styles), (control), (rank)}; \
    static const ffi_registered *const ffi_registered_ptr_##strategy                         \
        __attribute__((used, section("ffi_builtins"))) = &ffi_registered_##strategy

#endif
