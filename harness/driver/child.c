/* Forked children with a watchdog; see child.h. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "child.h"

double ffi_monotonic_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int ffi_child_start(ffi_child *c, void (*body)(void *arg, int fd), void *arg)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) < 0)
        return -1;
    fflush(NULL);
    PyOS_BeforeFork();
    pid_t pid = fork();
    if (pid == 0) {
        PyOS_AfterFork_Child();
        close(fds[0]);
        body(arg, fds[1]);
        _exit(3);   /* bodies _exit themselves; this is a body's bug */
    }
    int saved = errno;
    PyOS_AfterFork_Parent();
    close(fds[1]);
    if (pid < 0) {
        close(fds[0]);
        errno = saved;
        return -1;
    }
    *c = (ffi_child){pid, fds[0]};
    return 0;
}

size_t ffi_child_read(ffi_child *c, void *buf, size_t n, double seconds, int *timed_out)
{
    size_t got = 0;
    double deadline = ffi_monotonic_seconds() + seconds;
    *timed_out = 0;
    while (got < n) {
        double left = deadline - ffi_monotonic_seconds();
        if (left <= 0) {
            *timed_out = 1;
            break;
        }
        struct pollfd pfd = {c->fd, POLLIN, 0};
        int r = poll(&pfd, 1, (int)(left * 1000) + 1);
        if (r <= 0)
            continue;   /* EINTR or the deadline: the loop head decides */
        ssize_t k = read(c->fd, (char *)buf + got, n - got);
        if (k <= 0)
            break;   /* end of file: the child is gone */
        got += (size_t)k;
    }
    return got;
}

int ffi_child_finish(ffi_child *c, int kill_it)
{
    close(c->fd);
    if (kill_it)
        kill(c->pid, SIGKILL);
    int status = 0;
    while (waitpid(c->pid, &status, 0) < 0 && errno == EINTR)
        ;
    return status;
}

void ffi_child_describe(int status, int timed_out, double seconds, char *out, size_t n)
{
    if (timed_out)
        snprintf(out, n, "timed out after %.0f s (deadlock or hang); killed", seconds);
    else if (WIFSIGNALED(status))
        snprintf(out, n, "crashed: signal %d (%s)", WTERMSIG(status), strsignal(WTERMSIG(status)));
    else
        snprintf(out, n, "the process exited with status %d before reporting",
                 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}
