/* One command line for every runner. The options every runner shares mean
 * the same everywhere and are parsed here:
 *   --subject PATTERN   a name, family or glob; repeatable
 *   --except PATTERN    leave out what it takes; repeatable
 *   --strategy-so PATH      load an out-of-tree strategy (as $STRATEGY_SO); repeatable
 *   --list-subjects     the subjects this selection takes, and exit
 *   --skip-unavailable  a subject named exactly that cannot run is skipped,
 *                       not an error (exit 2) as it is by default
 *   --help, -h
 * A runner adds its own options as a table of ffi_option; an unknown
 * option is an error with the near misses ("did you mean --seconds?").
 * Then ffi_cli_start() starts the embedded interpreter and selects the
 * subjects, so a runner's main is: parse, start, run, report. */
#ifndef FFI_CLI_H
#define FFI_CLI_H

#include "subject.h"

#define FFI_CLI_MAX 64

typedef struct ffi_strings { const char *v[FFI_CLI_MAX]; int n; } ffi_strings;

typedef enum ffi_option_kind {
    FFI_OPT_FLAG,      /* int *: set to 1 */
    FFI_OPT_STRING,    /* const char **: the last one given */
    FFI_OPT_STRINGS,   /* ffi_strings *: every one given, in order */
    FFI_OPT_SECONDS,   /* double *: a number > 0 */
    FFI_OPT_COUNT,     /* long *: an integer >= 0 */
    FFI_OPT_REST,      /* int *: argv index of its argument; the rest of argv is its own */
} ffi_option_kind;

typedef struct ffi_option {
    const char *name;      /* "--seconds" */
    const char *metavar;   /* "S"; NULL for a flag */
    const char *help;      /* one line; the default in it */
    ffi_option_kind kind;
    void *value;
} ffi_option;

typedef struct ffi_cli {
    /* Set by the runner. */
    const char *prog;           /* "conformance" */
    const char *args;           /* its own part of the usage line: "[--property ID]..." */
    const char *about;          /* what it does, a paragraph */
    const char *exit_status;    /* "Exit status: ..." */
    const ffi_option *options;  /* its own, ending with {NULL} */
    /* Arguments it hands on untouched (Google Benchmark's --benchmark_*):
     * return 1 to take argv[k] as such. */
    int (*passes_through)(const char *arg);
    /* A directory its multiprocessing workers import from (put first on
     * PYTHONPATH), or NULL. */
    const char *worker_path;
    /* Filled by ffi_cli_parse. */
    ffi_strings subjects, except, strategy_so, passed;
    int list_subjects, skip_unavailable;
    /* Filled by ffi_cli_start. */
    ffi_subject *selected;
    int nselected;
} ffi_cli;

/* Parses argv into cli and the runner's options. Returns 0; prints the
 * usage and exits 0 for --help; returns 2 (after saying why) for bad
 * usage. */
int ffi_cli_parse(ffi_cli *cli, int argc, char **argv);
/* Prints the usage: common options, then the runner's. */
void ffi_cli_usage(const ffi_cli *cli, FILE *f);
/* Puts --strategy-so paths in $STRATEGY_SO and worker_path on $PYTHONPATH, starts the embedded interpreter and
 * selects the subjects (unknown names are errors with suggestions).
 * Handles --list-subjects (prints them and returns 1: exit 0). Returns 0
 * to go on, 1 when done, or 2 on an error already reported. */
int ffi_cli_start(ffi_cli *cli, const char *argv0);

/* Frees the selection (its subjects closed). */
void ffi_cli_free(ffi_cli *cli);

/* Whether pattern (an id, a name, or a glob) takes one of ids[k]/names[k],
 * case-insensitively: selection of properties and the like by id or name. */
int ffi_cli_takes(const char *pattern, const char *id, const char *name);

#endif
