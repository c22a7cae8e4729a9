/* Instruction counts of the benchmarks' bodies under callgrind
 * (bench/instructions.c; build/bench --count-instructions FILE). */
#ifndef BENCH_INSTRUCTIONS_H
#define BENCH_INSTRUCTIONS_H

#include "gbench.h"

/* Opens FILE for what is counted and starts callgrind's instrumentation;
 * -1 (with a message) when not under callgrind or FILE cannot be written. */
int bench_instructions_begin(const char *path);
/* Counts one benchmark (`body` as Google Benchmark would call it, `param`
 * its size), or records why it is not counted. */
void bench_instructions_count(const char *name, long param, gb_fn body, void *user);
/* Finishes FILE; -1 if it cannot be written. */
int bench_instructions_end(void);

#endif
