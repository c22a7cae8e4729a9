/* Per-test isolation; see isolate.h. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "isolate.h"

typedef struct wire { int status; char reason[sizeof ((cf_ctx *)0)->reason]; } wire;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void child(const cf_property *p, cf_ctx *ctx, int fd)
{
    PyOS_AfterFork_Child();
    wire w = {0};
    w.status = p->run(ctx);
    /* L4 finalizes the interpreter: ask nothing of it afterwards. */
    if (Py_IsInitialized() && PyErr_Occurred() && w.status == CF_PASS)
        w.status = cf_error(ctx, "the test");   /* a pass with a pending error is not a pass */
    memcpy(w.reason, ctx->reason, sizeof w.reason);
    ssize_t n = write(fd, &w, sizeof w);
    _exit(n == (ssize_t)sizeof w ? 0 : 3);
}

cf_status cf_run_isolated(const cf_property *p, cf_ctx *ctx, double timeout)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) < 0)
        return cf_fail(ctx, "pipe: %s", strerror(errno));
    fflush(NULL);
    PyOS_BeforeFork();
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        child(p, ctx, fds[1]);
    }
    PyOS_AfterFork_Parent();
    close(fds[1]);
    if (pid < 0) {
        close(fds[0]);
        return cf_fail(ctx, "fork: %s", strerror(errno));
    }
    wire w;
    size_t got = 0;
    double deadline = now() + timeout;
    int timed_out = 0;
    while (got < sizeof w) {
        double left = deadline - now();
        if (left <= 0) {
            timed_out = 1;
            break;
        }
        struct pollfd pfd = {fds[0], POLLIN, 0};
        int r = poll(&pfd, 1, (int)(left * 1000) + 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            continue;
        ssize_t n = read(fds[0], (char *)&w + got, sizeof w - got);
        if (n <= 0)
            break;   /* the child is gone */
        got += (size_t)n;
    }
    close(fds[0]);
    if (timed_out)
        kill(pid, SIGKILL);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (got == sizeof w) {
        memcpy(ctx->reason, w.reason, sizeof ctx->reason);
        return (cf_status)w.status;
    }
    if (timed_out)
        return cf_fail(ctx, "timed out after %.0f s (deadlock or hang); killed", timeout);
    if (WIFSIGNALED(status))
        return cf_fail(ctx, "crashed: signal %d (%s)", WTERMSIG(status), strsignal(WTERMSIG(status)));
    return cf_fail(ctx, "the test process exited with status %d before reporting",
                   WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}
