/* Plug-ins built against strategy ABI v1 (harness/tests/plugins/v1, with
 * their own frozen copy of the v1 header) in a harness of a later ABI: the
 * previous template loads unchanged and works (it reads ffi_host in v1's
 * layout), the hooks v1 required may be NULL now, its fini is called
 * (it never was under v1), and a table without wrap is refused. Its own process, as its template has the current
 * template's name. */
#include <string.h>

#include "driver/embed.h"
#include "plugin_test.h"
#include "tap.h"

int main(int argc, char **argv)
{
    (void)argc;
    if (ffi_embed_start(argv[0]) < 0)
        return 1;
    tap_plan(7);
    PyObject *ffi = PyImport_ImportModule("ffi_identity");
    PyObject *names = plugin_load(ffi, "v1/my_strategy.so");
    tap_ok(plugin_names_are(names, "direct-mapped"),
           "the ABI v1 template, built against the frozen v1 header, loads as direct-mapped+node and +graph");
    tap_ok(names && plugin_identity_holds(ffi, "direct-mapped+node"),
           "through it, Add(v, v).a is v and is stable (I1, I3): it made wrappers through v1's host table");
    Py_XDECREF(names);
    names = plugin_load(ffi, "v1/case-minimal.so");
    tap_ok(plugin_names_are(names, "case-v1-minimal"),
           "a v1 table with init, fini, wrapper_dealloc, bytes_used and entries_live NULL loads");
    tap_ok(names && plugin_defaults_hold(ffi, "case-v1-minimal+node"),
           "through it, wrapping works and the cache reports 0 entries and 0 bytes (the defaults)");
    Py_XDECREF(names);
    names = plugin_load(ffi, "v1/case-lifecycle.so");
    int *inits = plugin_symbol("v1/case-lifecycle.so", "case_inits");
    tap_ok(names && inits && *inits == 2, "a v1 init runs once per subject: %d", inits ? *inits : -1);
    Py_XDECREF(names);
    char msg[512];
    plugin_load_error(ffi, "v1/case-no-wrap.so", msg, sizeof msg);
    tap_ok(strstr(msg, "lacks wrap") && strstr(msg, "case-no-wrap.so"), "a v1 table without wrap is refused: %s",
           msg[0] ? msg : "(it loaded)");
    Py_XDECREF(ffi);
    ffi_embed_stop();
    int *finis = plugin_symbol("v1/case-lifecycle.so", "case_finis");
    tap_ok(finis && *finis == 2, "after Py_FinalizeEx, a v1 fini has run once per subject: %d",
           finis ? *finis : -1);
    return tap_done();
}
