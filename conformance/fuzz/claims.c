/* What a subject claims. By default, every property its expectations file
 * does not list as failing; claims.txt overrides that for subjects whose
 * expectations describe a planted bug rather than a promise (a control
 * claims what the strategy it breaks claims) and for subjects the fuzzer
 * cannot exercise. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "driver/expect.h"
#include "fuzz.h"

static const struct { fz_claim claim; const char *name; const char *props[3]; } claim_props[] = {
    {FZ_CLAIM_UNIQUE, "unique", {"I1", "I2", "I3"}},
    {FZ_CLAIM_STABLE, "stable", {"I5"}},
    {FZ_CLAIM_STATE, "state", {"I6"}},
    {FZ_CLAIM_WEAKREF, "weakref", {"I7"}},
    {FZ_CLAIM_VIEWS, "views", {"I5", "I6", "I7"}},
    {FZ_CLAIM_VIEW_UNIQUE, "view-unique", {"I1", "I2", "I3"}},
    {FZ_CLAIM_PICKLABLE, "picklable", {"P1"}},
    {FZ_CLAIM_PICKLE, "pickle", {"P2"}},
    {FZ_CLAIM_NESTED, "nested", {"P3"}},
    {FZ_CLAIM_FORK, "fork", {"F1"}},
    {FZ_CLAIM_NO_LEAK, "no-leak", {"L1"}},
    {FZ_CLAIM_SUBCLASS, "subclass", {"S1"}},
    {FZ_CLAIM_COPY, "copy", {"P7"}},
    {FZ_CLAIM_REENTRY, "reentry", {"R1"}},
    {FZ_CLAIM_NO_STALE, "no-stale", {"L1", "V1"}},
    {FZ_CLAIM_INTERP, "interpreters", {"X1"}},
    {FZ_CLAIM_FORK_THREADS, "fork-threads", {"F3"}},
    {FZ_CLAIM_OWNERSHIP, "ownership", {"O1"}},
    {FZ_CLAIM_RESURRECT, "resurrect", {"S2"}},
    {FZ_CLAIM_COLLECT, "collect", {"G1"}},
};
enum { NCLAIMS = sizeof claim_props / sizeof *claim_props };

void fz_claims_format(unsigned claims, char *out, size_t n)
{
    size_t used = 0;
    out[0] = '\0';
    for (int k = 0; k < NCLAIMS && used < n; k++)
        if (claims & claim_props[k].claim)
            used += (size_t)snprintf(out + used, n - used, "%s%s", used ? " " : "", claim_props[k].name);
    if (!used)
        snprintf(out, n, "none (only handle, type and equality)");
}

static unsigned derive(const char *expect_dir, const char *subject)
{
    ffi_expect *e = ffi_expect_load(expect_dir, subject);
    unsigned claims = 0;
    for (int k = 0; k < NCLAIMS; k++) {
        int listed = 0;
        for (int p = 0; p < 3 && claim_props[k].props[p]; p++)
            listed |= ffi_expect_mentions(e, claim_props[k].props[p]);
        if (!listed)
            claims |= claim_props[k].claim;
    }
    ffi_expect_free(e);
    return claims;
}

/* The claims.txt line for subject, if any: "NAME like OTHER [without
 * CLAIM...] [planted] # why" or "NAME skip REASON". */
static int find_line(const char *claims_file, const char *subject, char *line, size_t n)
{
    FILE *f = fopen(claims_file, "r");
    if (!f)
        return 0;
    int found = 0;
    while (!found && fgets(line, (int)n, f)) {
        char *s = line;
        while (isspace((unsigned char)*s))
            s++;
        size_t k = strcspn(s, " \t\n");
        found = *s != '#' && k == strlen(subject) && strncmp(s, subject, k) == 0;
        if (found)
            memmove(line, s + k, strlen(s + k) + 1);
    }
    fclose(f);
    line[strcspn(line, "\n")] = '\0';
    return found;
}

int fz_claims_for(const char *claims_file, const char *expect_dir, const char *subject, fz_subject_claims *out)
{
    static char source[300];
    char line[300], like[100] = "";
    *out = (fz_subject_claims){0};
    if (find_line(claims_file, subject, line, sizeof line)) {
        char word[32] = "";
        int used = 0;
        if (sscanf(line, " %31s %n", word, &used) == 1 && strcmp(word, "skip") == 0) {
            out->skip = 1;
            snprintf(out->note, sizeof out->note, "%s", line + used);
            out->source = "claims.txt";
            return 0;
        }
        if (strcmp(word, "like") != 0 || sscanf(line + used, "%99s", like) != 1) {
            fprintf(stderr, "fuzz: %s: cannot read the line for %s: '%s' (expected 'like OTHER [without CLAIM...] "
                            "[planted] # why' or 'skip REASON')\n", claims_file, subject, line);
            return -1;
        }
        char *why = strchr(line, '#');
        if (why) {
            snprintf(out->note, sizeof out->note, "%s", why + 1 + strspn(why + 1, " "));
            *why = '\0';
        }
        out->claims = derive(expect_dir, like);
        out->planted = strstr(line + used, " planted") != NULL;
        char *without = strstr(line + used, " without ");
        for (char *w = without ? strtok(without + 9, " \t") : NULL; w && strcmp(w, "planted"); w = strtok(NULL, " \t")) {
            int k = 0;
            while (k < NCLAIMS && strcmp(claim_props[k].name, w))
                k++;
            if (k == NCLAIMS) {
                fprintf(stderr, "fuzz: %s: %s: unknown claim '%s' after 'without'\n", claims_file, subject, w);
                return -1;
            }
            out->claims &= ~(unsigned)claim_props[k].claim;
        }
        snprintf(source, sizeof source, "claims.txt: like %s%s", like, without ? ", less what it says" : "");
    } else {
        out->claims = derive(expect_dir, subject);
        snprintf(source, sizeof source, "expectations/%s.txt: the properties it does not list", subject);
    }
    out->source = source;
    return 0;
}
