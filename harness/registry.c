/* The strategies built into the harness, in listing order. A new built-in
 * strategy is one file in strategies/ (or controls/) plus one line here. */
#include "impl.h"

extern const ffi_strategy ffi_strategy_fresh, ffi_strategy_weakdict, ffi_strategy_hashmap,
    ffi_strategy_intrusive, ffi_strategy_toggle, ffi_strategy_revive, ffi_strategy_leaky;
extern const ffi_strategy ffi_control_addronly, ffi_control_noerase, ffi_control_racy,
    ffi_control_forklock, ffi_control_atexit, ffi_control_gcpin, ffi_control_viewkey,
    ffi_control_nodowncast, ffi_control_disown, ffi_control_cbfresh;

#define BOTH (FFI_STYLE_NODE | FFI_STYLE_GRAPH)

const ffi_registered ffi_builtin_strategies[] = {
    {&ffi_strategy_fresh, BOTH, 0},
    {&ffi_strategy_weakdict, BOTH, 0},
    {&ffi_strategy_hashmap, BOTH | FFI_STYLE_NONE, 0},   /* +none: a binding without pickle */
    {&ffi_strategy_intrusive, BOTH, 0},
    {&ffi_strategy_toggle, BOTH, 0},
    {&ffi_strategy_revive, BOTH, 0},
    {&ffi_strategy_leaky, BOTH, 0},   /* negative control, but a real design */
    {&ffi_control_addronly, FFI_STYLE_NODE, 1},
    {&ffi_control_noerase, FFI_STYLE_NODE, 1},
    {&ffi_control_racy, FFI_STYLE_NODE, 1},
    {&ffi_control_forklock, FFI_STYLE_NODE, 1},
    {&ffi_control_atexit, FFI_STYLE_NODE, 1},
    {&ffi_control_gcpin, FFI_STYLE_NODE, 1},
    {&ffi_control_viewkey, FFI_STYLE_NODE, 1},
    /* these two break the glue around a correct map (impl.h, FFI_GLUE_*) */
    {&ffi_control_nodowncast, FFI_STYLE_NODE, 1, FFI_GLUE_NO_DOWNCAST},
    {&ffi_control_disown, FFI_STYLE_NODE, 1},
    {&ffi_control_cbfresh, FFI_STYLE_NODE, 1, FFI_GLUE_CALLBACK_FRESH},
    {NULL, 0, 0}
};
