/* The shared command line; see cli.h. */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "embed.h"
#include "cli.h"
#include "suggest.h"

static const ffi_option common[] = {
    {"--subject", "PATTERN", "only these subjects: a name, a family (hashmap, tvm-ffi, tvm-ffi@0.1.13) "
                             "or a glob ('*+graph'); repeatable, default all", FFI_OPT_STRINGS, NULL},
    {"--except", "PATTERN", "leave out the subjects it takes (a name, family or glob, as --subject); "
                            "repeatable", FFI_OPT_STRINGS, NULL},
    {"--strategy-so", "PATH", "load an out-of-tree strategy .so (repeatable; the same as $STRATEGY_SO)",
     FFI_OPT_STRINGS, NULL},
    {"--list-subjects", NULL, "print the subjects the selection takes, and exit", FFI_OPT_FLAG, NULL},
    {"--skip-unavailable", NULL, "skip a subject named exactly that cannot run here, with the reason "
                                 "(default: fail with exit 2, as for a subject that cannot be "
                                 "installed); families and globs always skip", FFI_OPT_FLAG, NULL},
    {"--help", NULL, "this text", FFI_OPT_FLAG, NULL},
    {NULL, NULL, NULL, 0, NULL},
};

/* Where a common option's value goes in this cli. */
static void *common_value(ffi_cli *cli, const ffi_option *o)
{
    if (!strcmp(o->name, "--subject"))
        return &cli->subjects;
    if (!strcmp(o->name, "--except"))
        return &cli->except;
    if (!strcmp(o->name, "--strategy-so"))
        return &cli->strategy_so;
    if (!strcmp(o->name, "--list-subjects"))
        return &cli->list_subjects;
    if (!strcmp(o->name, "--skip-unavailable"))
        return &cli->skip_unavailable;
    return NULL;
}

static void print_options(const ffi_option *opts, FILE *f)
{
    for (const ffi_option *o = opts; o->name; o++) {
        char head[64];
        snprintf(head, sizeof head, "%s%s%s", o->name, o->metavar ? " " : "", o->metavar ? o->metavar : "");
        fprintf(f, "  %-22s %s\n", head, o->help);
    }
}

void ffi_cli_usage(const ffi_cli *cli, FILE *f)
{
    fprintf(f, "usage: %s [--subject PATTERN]... [--strategy-so PATH]... %s\n\n%s\n", cli->prog,
            cli->args ? cli->args : "", cli->about ? cli->about : "");
    fprintf(f, "\nOptions of every runner:\n");
    print_options(common, f);
    if (cli->options && cli->options->name) {
        fprintf(f, "\nOptions of %s:\n", cli->prog);
        print_options(cli->options, f);
    }
    if (cli->exit_status)
        fprintf(f, "\n%s\n", cli->exit_status);
}

static const ffi_option *find(const ffi_option *opts, const char *name)
{
    for (const ffi_option *o = opts; o && o->name; o++)
        if (!strcmp(o->name, name))
            return o;
    return NULL;
}

static void unknown_option(const ffi_cli *cli, const char *arg)
{
    const char *names[128];
    int n = 0;
    for (const ffi_option *o = common; o->name && n < 128; o++)
        names[n++] = o->name;
    for (const ffi_option *o = cli->options; o && o->name && n < 128; o++)
        names[n++] = o->name;
    ffi_suggest(cli->prog, "option", arg, names, n, "--help");
}

/* Stores one option's value; -1 (after saying why) when it is bad. */
static int store(const ffi_cli *cli, const ffi_option *o, void *value, const char *v)
{
    char *end;
    errno = 0;
    switch (o->kind) {
    case FFI_OPT_FLAG:
        *(int *)value = 1;
        return 0;
    case FFI_OPT_STRING:
        *(const char **)value = v;
        return 0;
    case FFI_OPT_STRINGS: {
        ffi_strings *s = value;
        if (s->n == FFI_CLI_MAX) {
            fprintf(stderr, "%s: more than %d %s options\n", cli->prog, FFI_CLI_MAX, o->name);
            return -1;
        }
        s->v[s->n++] = v;
        return 0;
    }
    case FFI_OPT_SECONDS: {
        double d = strtod(v, &end);
        if (*end || end == v || errno || !(d > 0)) {
            fprintf(stderr, "%s: %s takes a number of seconds > 0, not '%s'\n", cli->prog, o->name, v);
            return -1;
        }
        *(double *)value = d;
        return 0;
    }
    case FFI_OPT_COUNT: {   /* 1000000 or 1e6 */
        double d = strtod(v, &end);
        long l = (long)d;
        if (*end || end == v || errno || d < 0 || d > 9e18 || (double)l != d) {
            fprintf(stderr, "%s: %s takes a whole number >= 0, not '%s'\n", cli->prog, o->name, v);
            return -1;
        }
        *(long *)value = l;
        return 0;
    }
    case FFI_OPT_REST:
        return 0;   /* set by the caller: it needs argv's index */
    }
    return -1;
}

int ffi_cli_parse(ffi_cli *cli, int argc, char **argv)
{
    for (int k = 1; k < argc; k++) {
        const char *a = argv[k];
        char name[64];
        const char *inline_value = NULL, *eq = strchr(a, '=');
        /* --opt=value as well as --opt value */
        if (eq && !strncmp(a, "--", 2) && (size_t)(eq - a) < sizeof name) {
            snprintf(name, sizeof name, "%.*s", (int)(eq - a), a);
            inline_value = eq + 1;
        } else {
            snprintf(name, sizeof name, "%s", a);
        }
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            ffi_cli_usage(cli, stdout);
            exit(0);
        }
        const ffi_option *o = find(common, name);
        void *value = o ? common_value(cli, o) : NULL;
        if (!o && (o = find(cli->options, name)))
            value = o->value;
        if (!o) {
            if (cli->passes_through && cli->passes_through(a)) {
                if (cli->passed.n == FFI_CLI_MAX) {
                    fprintf(stderr, "%s: too many arguments\n", cli->prog);
                    return 2;
                }
                cli->passed.v[cli->passed.n++] = a;
                continue;
            }
            unknown_option(cli, name);   /* --seedd=3 suggests --seed */
            return 2;
        }
        const char *v = inline_value;
        if (o->metavar && !v) {
            if (k + 1 >= argc) {
                fprintf(stderr, "%s: %s needs %s (see --help)\n", cli->prog, o->name, o->metavar);
                return 2;
            }
            v = argv[++k];
        } else if (!o->metavar && v) {
            fprintf(stderr, "%s: %s takes no value\n", cli->prog, o->name);
            return 2;
        } else if (o->kind == FFI_OPT_REST && inline_value) {
            fprintf(stderr, "%s: %s takes %s as the next argument (the rest are its own)\n", cli->prog, o->name,
                    o->metavar);
            return 2;
        }
        if (store(cli, o, value, v) < 0)
            return 2;
        if (o->kind == FFI_OPT_REST) {
            *(int *)value = k;
            break;
        }
    }
    return 0;
}

int ffi_cli_takes(const char *pattern, const char *id, const char *name)
{
    if (!strcasecmp(pattern, id) || (name && !strcasecmp(pattern, name)))
        return 1;
    if (!strpbrk(pattern, "*?["))
        return 0;
    return !fnmatch(pattern, id, FNM_CASEFOLD) || (name && !fnmatch(pattern, name, FNM_CASEFOLD));
}

/* STRATEGY_SO gains the --strategy-so paths and PYTHONPATH the runner's worker
 * directory, so that every process the run starts (multiprocessing workers
 * included) loads the same strategies and finds the same modules. */
static int export_paths(const ffi_cli *cli)
{
    for (int k = 0; k < cli->strategy_so.n; k++)
        if (ffi_embed_env_path_add("STRATEGY_SO", cli->strategy_so.v[k], 0) < 0)
            return -1;
    return cli->worker_path ? ffi_embed_env_path_add("PYTHONPATH", cli->worker_path, 1) : 0;
}

int ffi_cli_start(ffi_cli *cli, const char *argv0)
{
    if (export_paths(cli) < 0 || ffi_embed_start(argv0) < 0)
        return 2;
    cli->nselected = ffi_subjects_select(cli->prog, cli->subjects.v, cli->subjects.n, &cli->selected);
    if (cli->nselected < 0)
        return 2;
    int kept = 0;   /* --except: what the selection takes, less these */
    for (int k = 0; k < cli->nselected; k++) {
        int out = 0;
        for (int e = 0; e < cli->except.n && !out; e++)
            out = ffi_subject_takes(cli->except.v[e], cli->selected[k].name);
        if (out)
            ffi_subject_close(&cli->selected[k]);
        else
            cli->selected[kept++] = cli->selected[k];
    }
    cli->nselected = kept;
    if (cli->skip_unavailable)   /* a sweep: what cannot run is skipped */
        for (int k = 0; k < cli->nselected; k++)
            cli->selected[k].named = 0;
    if (cli->list_subjects) {
        for (int k = 0; k < cli->nselected; k++)
            printf("%s\n", cli->selected[k].name);
        ffi_cli_free(cli);
        return 1;
    }
    return 0;
}

void ffi_cli_free(ffi_cli *cli)
{
    ffi_subjects_free(cli->selected, cli->nselected);
    cli->selected = NULL;
    cli->nselected = 0;
}
