/* The strategies built into the harness, in listing order. A new built-in
 * strategy is one file in strategies/ (or controls/) plus one line here. */
#include "impl.h"

extern const ffi_strategy ffi_strategy_fresh, ffi_strategy_weakdict, ffi_strategy_hashmap,
    ffi_strategy_intrusive, ffi_strategy_toggle, ffi_strategy_leaky;

const ffi_registered ffi_builtin_strategies[] = {
    {&ffi_strategy_fresh, 0},
    {&ffi_strategy_weakdict, 0},
    {&ffi_strategy_hashmap, 0},
    {&ffi_strategy_intrusive, 0},
    {&ffi_strategy_toggle, 0},
    {&ffi_strategy_leaky, 0},
    {NULL, 0}
};
