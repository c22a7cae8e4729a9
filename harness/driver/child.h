/* A forked child that reports through a pipe, watched by a deadline: the
 * parent's side, shared by the conformance runner, the fuzzer and the load
 * run, so a crash or a hang in the child is a result, never the parent's. */
#ifndef FFI_CHILD_H
#define FFI_CHILD_H

#include <stddef.h>
#include <sys/types.h>

typedef struct ffi_child { pid_t pid; int fd; } ffi_child;

/* Forks with CPython's fork hooks around it. The child runs body(arg, fd),
 * writing its report to fd, and must _exit. Returns 0, or -1 with errno. */
int ffi_child_start(ffi_child *c, void (*body)(void *arg, int fd), void *arg);
/* Reads up to n bytes: stops at n, at end of file (the child is gone) or
 * when `seconds` have passed (*timed_out = 1). Returns the bytes read. */
size_t ffi_child_read(ffi_child *c, void *buf, size_t n, double seconds, int *timed_out);
/* Closes the pipe, kills the child first if kill_it, reaps it: its wait
 * status. */
int ffi_child_finish(ffi_child *c, int kill_it);
/* Why a child ended without its report: "crashed: signal 11 (Segmentation
 * fault)", "timed out after 3 s (deadlock or hang); killed", ... */
void ffi_child_describe(int status, int timed_out, double seconds, char *out, size_t n);
/* Seconds on the monotonic clock the deadlines use; for callers' own
 * deadlines and durations. */
double ffi_monotonic_seconds(void);

#endif
