"""Compares two benchmark runs (harness/report bench compare; make compare).

  harness/report bench compare BASE.json NEW.json [--threshold 1.10] [--alpha 0.05]
        [--map 'A=B ...'] [--correction bh|holm] [--test t|u] [--judge-all]

The samples of a benchmark are its per-repetition ratios to the floor
(times where a file has none), independent repetitions of one run. A
benchmark is flagged only when both hold:
  - the effect: the median ratio moved by more than THRESHOLD (new/base
    above THRESHOLD is slower, below 1/THRESHOLD faster);
  - significance: its two-sided p-value, corrected for the number of
    benchmarks compared, is below ALPHA. The test is Welch's t-test on the
    logarithms of the samples (scipy.stats.ttest_ind; --test t, the
    default), or the Mann-Whitney U test (scipy.stats.mannwhitneyu; --test
    u). The U test assumes less of the noise, but with the 5 repetitions
    make bench runs its p cannot go below 0.0079 (below), so after the
    correction it can flag only a change that moves dozens of benchmarks
    together; the t-test's p has no such floor, and the effect threshold
    keeps a difference too small to matter from being flagged whatever
    its p.
A slower one is a REGRESSION, a faster one is said to be faster.

The correction. Each run compares a hundred or more benchmarks, so at
ALPHA = 0.05 uncorrected a rerun of identical code flags about one in
twenty by chance. The default correction is Benjamini-Hochberg (--correction bh): it
bounds the expected share of false flags among the flagged (the false
discovery rate) at ALPHA, and when nothing really changed (the case that
must stay quiet) that is the chance of any false flag at all. Holm
(--correction holm) bounds the chance of any false flag whatever else
changed, at a price the U test cannot pay: its smallest threshold is
ALPHA / m, and the exact U test of 5 against 5 repetitions can give no p
below 2/252 = 0.0079, so with m above 6 Holm over U p-values flags
nothing. BH asks
ALPHA * k / m of the k-th smallest p, so a change that moves many
benchmarks together (a slower wrap path slows cold, churn, converge and
their variants) is found with few repetitions. BH holds for tests that are
independent or positively dependent, as benchmarks sharing one machine
are. When the repetitions are too few for a change confined to a few
benchmarks to be flagged, the report says how few and what would do.

Whole-process benchmarks (PROCESS: fork pool, pickle, memo, footprint)
mostly measure the machine and the process, floors have no code under
test, and scaling runs (hot access over 1e2..1e6 live handles) move with
the shared memory system from one run to the next by more than between
the repetitions of one run, which the U test cannot see: measured, two
back-to-back runs of identical code (10 repetitions each) gave
scaling/toggle+node/10000 0.67x and then 1.36x, at corrected p = 0.04 and
0.03, and scaling/hashmap+node/100000 1.28x against a run whose only
change was in another strategy, while every per-access figure stayed
quiet. All three are reported as a class apart,
with their effect and raw p, and not judged (nor counted in the
correction) unless --judge-all.

Subjects pair by name, and MAP pairs others (harness/subjects/
subject_map.py; a version-level entry maps each variant too), so a run of
tvm-ffi@0.1.13 compares with one of tvm-ffi@0.1.14.post1 only with
--map 'tvm-ffi@0.1.13=tvm-ffi@0.1.14.post1'.

Exit status: 1 on a regression, 2 when nothing matched (no benchmark of a
subject in both runs) or on bad input, 0 otherwise.
"""
import math
import os
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, "..", "subjects", "loader")]
import bench_results as report       # noqa: E402
import subject_map  # noqa: E402

CORRECTIONS = ("bh", "holm")


def holm(ps):
    """Holm's step-down adjusted p-values, in the order given."""
    m = len(ps)
    order = sorted(range(m), key=lambda k: ps[k])
    out, running = [1.0] * m, 0.0
    for rank, k in enumerate(order):
        running = max(running, min(1.0, (m - rank) * ps[k]))
        out[k] = running
    return out


def benjamini_hochberg(ps):
    """Benjamini-Hochberg adjusted p-values (q-values), in the order given."""
    m = len(ps)
    order = sorted(range(m), key=lambda k: ps[k], reverse=True)
    out, running = [1.0] * m, 1.0
    for rank, k in enumerate(order):
        running = min(running, ps[k] * m / (m - rank))
        out[k] = min(1.0, running)
    return out


ADJUST = {"bh": benjamini_hochberg, "holm": holm}
TEST_NAMES = {"t": "two-sided Welch t-test on the logarithms", "u": "two-sided Mann-Whitney U"}


TESTS = ("t", "u")


def p_value(a, b, test="u"):
    """Two-sided p-value that samples a and b differ: test "u", the
    Mann-Whitney U test (exact where scipy can: no ties, 8 or fewer values a
    side); test "t", Welch's t-test on their logarithms (the ratios move by
    factors), which reaches small p with few repetitions where a rank test
    cannot (see smallest_p)."""
    from scipy import stats   # only compare needs scipy
    if len(a) < 1 or len(b) < 1:
        return 1.0
    if len(set(a) | set(b)) == 1:
        return 1.0   # all equal: no evidence of a shift (scipy would divide by a zero variance)
    if test == "u":
        return float(stats.mannwhitneyu(a, b, alternative="two-sided").pvalue)
    la, lb = [math.log(x) for x in a], [math.log(x) for x in b]
    if len(a) < 2 or len(b) < 2:
        return 1.0
    if len(set(la)) == 1 and len(set(lb)) == 1:
        return 0.0   # no spread on either side, and they differ: a certain shift
    return float(stats.ttest_ind(la, lb, equal_var=False).pvalue)


def smallest_p(n1, n2, test="u"):
    """The smallest two-sided p the test can give n1 against n2 (the exact
    U test's; the t-test has no floor)."""
    if test != "u":
        return 0.0
    return 2 / math.comb(n1 + n2, n1) if n1 and n2 else 1.0


def subjects(s):
    return {report.split(name)[1] for name in s if not report.is_floor(name)}


def with_subject(name, subject):
    parts = name.split("/")
    return "/".join([parts[0], subject] + parts[2:])


def paired_benchmarks(old, new, entries):
    """[(base name, new name)]: floors by name, the rest through the
    subjects' pairs; and the subject pairs the map made."""
    subject_pairs = subject_map.pairs(subjects(old), subjects(new), entries)
    onto = dict(subject_pairs)
    out = []
    for name in sorted(old):
        if report.is_floor(name):
            if name in new:
                out.append((name, name))
            continue
        target = onto.get(report.split(name)[1])
        if target is not None and with_subject(name, target) in new:
            out.append((name, with_subject(name, target)))
    return out, [(b, n) for b, n in subject_pairs if b != n]


def samples(o, n, name):
    """The two sample lists a benchmark is tested on: floor ratios where
    both files have them (times for a floor itself)."""
    if o["floor_ratio"] and n["floor_ratio"] and name != report.FLOOR and not report.is_floor(name):
        return o["floor_ratio"]["samples"], n["floor_ratio"]["samples"], "ratio"
    return o["time"]["samples"], n["time"]["samples"], "time"


# Not judged by default (see the docstring): run-level effects dominate.
APART = report.PROCESS | {"scaling"}


def judged(name, judge_all):
    return judge_all or not (report.is_floor(name) or report.workload(name) in APART)


class Row:
    def __init__(self, base, new, a, b, kind, test="t"):
        self.base, self.new, self.kind = base, new, kind
        self.n = (len(a), len(b))
        ma, mb = statistics.median(a), statistics.median(b)
        self.change = mb / ma if ma else float("inf")
        self.p = p_value(a, b, test)
        self.q = None   # the corrected p, for judged rows


def verdict(row, threshold, alpha):
    """REGRESSION, faster, or what keeps it from being either."""
    slower, faster = row.change > threshold, row.change < 1 / threshold
    if row.q is None:
        return "not judged" + (" (slower)" if slower else " (faster)" if faster else "")
    if row.q < alpha and slower:
        return "REGRESSION"
    if row.q < alpha and faster:
        return "faster"
    if row.q < alpha:
        return "significant, within the threshold"
    if slower or faster:
        return f"{'slower' if slower else 'faster'} by more than the threshold, not significant"
    return ""


def compare(old_path, new_path, threshold=1.10, alpha=0.05, map_text=(), correction="bh", judge_all=False,
            test="t"):
    """Prints the comparison; returns the exit status."""
    if correction not in ADJUST:
        raise report.Error(f"--correction must be one of {', '.join(CORRECTIONS)}, not {correction!r}")
    if test not in TESTS:
        raise report.Error(f"--test must be one of {', '.join(TESTS)}, not {test!r}")
    for path, what in ((old_path, "BASE"), (new_path, "NEW")):
        if not os.path.exists(path):
            raise report.Error(f"{what} file {path} does not exist (make bench writes $BUILD/results/bench.json, "
                               "make publish results/bench.json; keep a copy of one as the base)")
    if os.path.samefile(old_path, new_path):
        print(f"compare: warning: BASE and NEW are the same file ({old_path}): nothing can differ", file=sys.stderr)
    old_data, new_data = report.load_results(old_path), report.load_results(new_path)
    old, new = report.summary(old_data), report.summary(new_data)
    for path, d, s in ((old_path, old_data, old), (new_path, new_data, new)):
        for w in report.warnings(d, s):
            print(f"compare: warning: {path}: {w}", file=sys.stderr)
    try:
        entries = [e for text in map_text for e in subject_map.parse(text)]
        pairs, mapped = paired_benchmarks(old, new, entries)
    except subject_map.MapError as e:
        raise report.Error(f"MAP: {e}")
    if not any(not report.is_floor(b) for b, _ in pairs):
        only = lambda s: ", ".join(sorted(subjects(s))) or "none"
        print(f"compare: nothing matched: no benchmark of a subject is in both runs (BASE has {only(old)}; "
              f"NEW has {only(new)}). Pair subjects with MAP='BASE_SUBJECT=NEW_SUBJECT ...'.", file=sys.stderr)
        return 2
    rows = [Row(b, n, *samples(old[b], new[n], b), test=test) for b, n in pairs]
    family = [r for r in rows if judged(r.base, judge_all)]
    for r, q in zip(family, ADJUST[correction]([r.p for r in family])):
        r.q = q
    name = {"bh": "Benjamini-Hochberg", "holm": "Holm"}[correction]
    print(f"Samples: per-repetition ratios to the floor (times where a file has none). Flagged: moved by more "
          f"than {threshold:.2f}x (median) with p < {alpha} ({TEST_NAMES[test]}) after {name}'s "
          f"correction over the {len(family)} benchmarks judged.")
    if mapped:
        print("Subjects mapped: " + ", ".join(f"{b} -> {n}" for b, n in mapped))
    head = f"{'benchmark':46} {'base':>10} {'new':>10} {'base x':>7} {'new x':>7} {'new/base':>8} {'p':>7} {'p adj':>7}"
    apart = [r for r in rows if r.q is None]
    for title, group in ((f"Judged: micro benchmarks ({len(family)})", family),
                         (f"Apart, not judged: whole-process, scaling and floors ({len(apart)})", apart)):
        if not group:
            continue
        print(f"\n{title}\n{head}")
        for r in group:
            o, n = old[r.base], new[r.new]
            ratio = lambda s: f"{s['ratio']:.3g}" if s["ratio"] is not None and r.kind == "ratio" else "-"
            shown = r.base if r.base == r.new else f"{r.base} -> {report.split(r.new)[1]}"
            v = verdict(r, threshold, alpha)
            print(f"{shown:46} {report.fmt_ns(o['ns']):>10} {report.fmt_ns(n['ns']):>10} {ratio(o):>7} "
                  f"{ratio(n):>7} {r.change:8.2f} {r.p:7.3f} {('-' if r.q is None else f'{r.q:.3f}'):>7}"
                  + (f"  {v}" if v else ""))
    compared = {b for b, _ in pairs} | {n for _, n in pairs}
    only = sorted((set(old) | set(new)) - compared)
    if only:
        print(f"\n(in one run only, or unpaired: {', '.join(only)})")
    worse = [r for r in family if verdict(r, threshold, alpha) == "REGRESSION"]
    better = [r for r in family if verdict(r, threshold, alpha) == "faster"]
    reach = min((smallest_p(*r.n, test) for r in family), default=1.0)
    if family and reach * len(family) >= alpha:
        need = math.ceil(reach * len(family) / alpha) if correction == "bh" else None
        what = (f"a change must move at least {need} of them together to be flagged" if need and need <= len(family)
                else "no benchmark can be flagged")
        print(f"compare: warning: with {family[0].n[0]} against {family[0].n[1]} repetitions the smallest p the "
              f"test can give is {reach:.4f}; over {len(family)} benchmarks judged with {name}'s correction, {what}. "
              "More repetitions (make bench REPETITIONS=10) or fewer benchmarks (SUBJECT=, FILTER=) lift that.",
              file=sys.stderr)
    if better:
        print(f"compare: {len(better)} benchmark(s) faster by more than 1/{threshold:.2f}: "
              + ", ".join(r.base for r in better))
    if worse:
        print(f"compare: {len(worse)} REGRESSION(s), slower by more than {threshold:.2f}x: "
              + ", ".join(r.base for r in worse))
        return 1
    print(f"compare: no benchmark significantly slower by more than {threshold:.2f}x "
          f"({name}-corrected p < {alpha}, {len(family)} judged)")
    return 0
