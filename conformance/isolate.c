/* Per-test isolation; see isolate.h. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "driver/child.h"
#include "isolate.h"

typedef struct wire { int status; char reason[sizeof ((cf_ctx *)0)->reason]; } wire;

typedef struct job { const cf_property *p; cf_ctx *ctx; } job;

static void run_test(void *arg, int fd)
{
    job *j = arg;
    wire w = {0};
    w.status = j->p->run(j->ctx);
    /* L4 finalizes the interpreter: ask nothing of it afterwards. */
    if (Py_IsInitialized() && PyErr_Occurred() && w.status == CF_PASS)
        w.status = cf_error(j->ctx, "the test");   /* a pass with a pending error is not a pass */
    memcpy(w.reason, j->ctx->reason, sizeof w.reason);
    _exit(write(fd, &w, sizeof w) == (ssize_t)sizeof w ? 0 : 3);
}

cf_status cf_run_isolated(const cf_property *p, cf_ctx *ctx, double timeout)
{
    job j = {p, ctx};
    ffi_child c;
    if (ffi_child_start(&c, run_test, &j) < 0)
        return cf_fail(ctx, "fork: %s", strerror(errno));
    wire w;
    int timed_out;
    size_t got = ffi_child_read(&c, &w, sizeof w, timeout, &timed_out);
    int status = ffi_child_finish(&c, timed_out);
    if (got == sizeof w) {
        memcpy(ctx->reason, w.reason, sizeof ctx->reason);
        return (cf_status)w.status;
    }
    ffi_child_describe(status, timed_out, timeout, ctx->reason, sizeof ctx->reason);
    return CF_FAIL;
}
