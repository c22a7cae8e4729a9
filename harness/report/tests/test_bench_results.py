"""bench_results.py's own checks, as TAP (prove --exec python3): the name
cleaning, old names read in today's form, the impossible-value check, the
report of a partial run (no empty table, no empty plot), and compare (its
correction for multiple comparisons, subjects mapped across versions, a
planted slowdown flagged, identical runs not). No benchmark runs; a few
seconds."""
import contextlib
import io
import json
import math
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests"))
from tap import finish, ok  # noqa: E402
import compare  # noqa: E402
import bench_results as report   # noqa: E402

def entry(name, rep, ns, **counters):
    return dict(name=name, run_name=name, run_type="iteration", repetitions=5, repetition_index=rep,
                iterations=1000, real_time=ns, cpu_time=ns, time_unit="ns", **counters)


def run_file(names, scale=1.0):
    b = []
    for rep in range(5):
        b.append(entry("floor_slots", rep, 10.0 + rep * 0.1, floor_ns=10.0))
        for n in names:
            b.append(entry(n, rep, 12.0 * scale + rep * 0.1, floor_ns=10.0, other_cpus=0.1,
                           allocs_per_access=0.0, bytes_per_access=0.0))
    return {"context": {"num_cpus": 2}, "benchmarks": b}


# Names: what Google Benchmark appends for a fixed iteration count goes.
ok(report.clean_name("cold/toggle+node/iterations:25600") == "cold/toggle+node", "name: /iterations:N stripped")
ok(report.clean_name("cold/x/iterations:256_median") == "cold/x_median", "name: aggregate suffix kept")
ok(report.clean_name("footprint/x/30000") == "footprint/x/30000", "name: a size is kept")

# Impossible values.
good = run_file(["hot/a+node"])
ok(report.problems(good) == [], "check: a plausible file passes")
for field, value in (("max_bytes_used", 94907469867152), ("bytes_per_access", 2e9), ("bytes_per_access", -8.0),
                     ("real_time", float("nan")), ("floor_ratio", 0.0), ("other_cpus", float("inf"))):
    bad = json.loads(json.dumps(good))
    bad["benchmarks"][1][field] = value
    ok(report.problems(bad), f"check: {field}={value} is flagged")

# A benchmark that did not run (Google Benchmark's error_occurred, its
# figures zeroed) is not an impossible value.
errored = json.loads(json.dumps(good))
errored["benchmarks"].append(dict(entry("fork_pool/a+none", 0, 0.0), error_occurred=True, iterations=0,
                                  error_message="cannot set up the pool workload"))
ok(report.problems(errored) == [], "check: a benchmark that did not run has no impossible value")

# Ratios and summary: floor_ns per run, stats with spread, names cleaned.
data = run_file(["hot/a+node/iterations:100"])
report.store_floor_ratios(data)
s = report.summary(data)
ok("hot/a+node" in s and abs(s["hot/a+node"]["ratio"] - 1.22) < 1e-9, "ratio: over floor_ns, name cleaned")
ok(s["hot/a+node"]["floor_ratio"]["cv"] > 0 and s["hot/a+node"]["floor_ratio"]["n"] == 5, "summary: CV over 5 repetitions")

# A floor whose time moves: blamed on the host when no other process was
# busy, on the load when one was.
def drifting_floor(other_cpus):
    d = run_file(["hot/a+node"])
    for b in d["benchmarks"]:
        if b["name"] == "floor_slots":
            b["cpu_time"] = b["real_time"] = 10.0 + b["repetition_index"] * 2.0
        b["other_cpus"] = other_cpus
    report.store_floor_ratios(d)
    return " ".join(report.warnings(d))


ok("host's speed drifted" in drifting_floor(0.0) and "loaded" not in drifting_floor(0.0),
   "warnings: a drifting floor on an idle machine is the host's")
ok("probably loaded" in drifting_floor(0.9), "warnings: a drifting floor beside a busy process is the load")

# Counters stand for all repetitions: a number by its median (a table that
# grew in one repetition does not make the figure), a verdict by its worst.
reps = {k: entry("footprint/a+node/1000", k, 5.0, bytes_per_handle=1784.0 if k == 0 else 106.0,
                 correct=0 if k == 3 else 1) for k in range(5)}
typical = report.typical_entry(reps)
ok(typical["bytes_per_handle"] == 106.0, "counters: the median repetition's bytes, not the first's")
ok(typical["correct"] == 0, "counters: one wrong repetition makes the verdict wrong")

# The scaled floor: scaling ratios over floor_scaled/N's median ratio; the
# dispatch/identity split: hot minus dispatch.
sc = run_file(["hot/a+node"])
for rep in range(5):
    sc["benchmarks"] += [entry("floor_scaled/1000", rep, 20.0, floor_ns=10.0),
                         entry("scaling/a+node/1000", rep, 30.0 + rep, floor_ns=10.0),
                         entry("dispatch/a+node", rep, 9.0, floor_ns=10.0)]
report.store_floor_ratios(sc)
ss = report.summary(sc)
r = report.scaled_ratio(ss, "scaling/a+node/1000")
ok(r and abs(r["median"] - 1.6) < 1e-9 and abs(r["min"] - 1.5) < 1e-9, "scaled floor: ratio over floor_scaled/N")
ok(report.scaled_ratio(ss, "hot/a+node") is None, "scaled floor: none for a non-scaling benchmark")
# Both runs sampled the floor within them: their floor ratios, not their
# times (here the times say 1.6x, the ratios 2.0x).
sampled = json.loads(json.dumps(sc))
for b in sampled["benchmarks"]:
    if b["name"] in ("floor_scaled/1000", "scaling/a+node/1000"):
        b["floor_samples"] = 40
        b["floor_ns"] = 10.0 if b["name"] == "floor_scaled/1000" else 8.0
        b.pop("floor_ratio", None)
report.store_floor_ratios(sampled)
r = report.scaled_ratio(report.summary(sampled), "scaling/a+node/1000")
ok(r and abs(r["median"] - 2.0) < 1e-9, "scaled floor: by floor ratios where both runs sampled the floor")
d = report.dispatch_split(ss).get("a+node")
ok(d and abs(d["identity_ns"] - (ss["hot/a+node"]["ns"] - 9.0)) < 1e-9, "dispatch: identity = hot - dispatch")
ok(report.is_floor("floor_scaled/1000") and report.is_floor("floor_pointer") and not report.is_floor("hot/x"),
   "floors: floor_scaled/N is a floor")
out = tempfile.mkdtemp()
try:
    path = os.path.join(out, "bench.json")
    with open(path, "w") as f:
        json.dump(sc, f)
    report.render(path, out)
    text = open(os.path.join(out, "README.md")).read()
    ok("scaled floor (`__slots__`, N objects)" in text and "### Against the scaled floor" in text
       and "1.60x (1.50-1.70)" in text, "render: scaled floor row and ratios")
    ok("## Dispatch and identity" in text and "| `a+node` |" in text, "render: the dispatch/identity table")
finally:
    shutil.rmtree(out)

# A partial run (only hot) renders without empty tables or plots; stale plots go.
out = tempfile.mkdtemp()
try:
    path = os.path.join(out, "bench.json")
    with open(path, "w") as f:
        json.dump(run_file(["hot/a+node", "hot/tool@1.0"]), f)
    open(os.path.join(out, "scaling.svg"), "w").close()   # stale, empty
    report.render(path, out)
    text = open(os.path.join(out, "README.md")).read()
    ok("## Per access" in text and "## Scaling" not in text and "## Fork pool" not in text
       and "## Memory per live handle" not in text and "## Memo" not in text, "render: only what ran")
    ok(not os.path.exists(os.path.join(out, "scaling.svg")) and not os.path.exists(os.path.join(out, "footprint.svg")),
       "render: no plot for what did not run, a stale one removed")
    svg = os.path.join(out, "access.svg")
    if shutil.which("gnuplot"):
        ok(os.path.exists(svg) and os.path.getsize(svg) > 0 and "floor = 1x" in open(svg).read(),
           "render: access.svg made, with the floor line's label")
    else:
        ok(True, "# SKIP no gnuplot")
    nofloor = run_file(["hot/a+node"])
    nofloor["benchmarks"] = [b for b in nofloor["benchmarks"] if b["name"] != "floor_slots"]
    for b in nofloor["benchmarks"]:
        del b["floor_ns"]
    with open(path, "w") as f:
        json.dump(nofloor, f)
    with contextlib.redirect_stderr(io.StringIO()) as err:   # the warning is expected
        report.render(path, out)
    ok("no floor_slots run" in err.getvalue(), "render: a file without the floor warns on stderr")
    ok("no floor_slots run" in open(os.path.join(out, "README.md")).read(), "render: a file without the floor still renders, with a warning")
finally:
    shutil.rmtree(out)

# Old names: a file without context.subject_names has TOOL@VERSION+VARIANT,
# read in today's form (aggregate suffixes kept); a new one is left alone.
old_names = run_file(["hot/tool@1.0+slots", "hot/tool@1.0.dev3+gabc"])
old_names["benchmarks"].append(dict(entry("hot/tool@1.0+slots_median", 0, 12.0), run_type="aggregate"))
report.canonical_names(old_names)
names = {b["name"] for b in old_names["benchmarks"]}
ok({"hot/tool+slots@1.0", "hot/tool+slots@1.0_median"} <= names, "old names: TOOL@VERSION+VARIANT read as TOOL+VARIANT@VERSION")
new_names = run_file(["hot/tool@1.0.dev3+gabc"])
new_names["context"]["subject_names"] = report.SUBJECT_NAMES
report.canonical_names(new_names)
ok("hot/tool@1.0.dev3+gabc" in {b["name"] for b in new_names["benchmarks"]},
   "new names: a local version (+gabc) is not taken for a variant")

# compare's corrections, against values worked by hand.
ps = [0.01, 0.04, 0.03, 0.005]
ok(all(abs(x - y) < 1e-12 for x, y in zip(compare.holm(ps), [0.03, 0.06, 0.06, 0.02])),
   "Holm: sorted p times (m - rank), kept monotone")
ok(all(abs(x - y) < 1e-12 for x, y in zip(compare.benjamini_hochberg(ps), [0.02, 0.04, 0.04, 0.02])),
   "Benjamini-Hochberg: p times m / rank, kept monotone from the top")
ok(abs(compare.p_value([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]) - 2 / 252) < 1e-12
   and compare.p_value([1.0] * 5, [1.0] * 5) == 1.0, "U test (scipy): separated 5 v 5 p = 2/252; identical p = 1")


def noisy_run(benchmarks, reps, seed, slower=(), factor=1.0, faster=()):
    """A run whose benchmarks have per-repetition ratios 1.2 x (1 +- 3%),
    those in `slower` times factor, those in `faster` over it."""
    import random
    rnd = random.Random(seed)
    b = []
    for rep in range(reps):
        b.append(entry("floor_slots", rep, 10.0, floor_ns=10.0))
        for n in benchmarks:
            k = factor if n in slower else 1 / factor if n in faster else 1.0
            b.append(entry(n, rep, 12.0 * k * (1 + rnd.uniform(-0.03, 0.03)), floor_ns=10.0))
    return {"context": {"num_cpus": 2, "subject_names": report.SUBJECT_NAMES}, "benchmarks": b}


def compared(base, new, *args, **kw):
    d = tempfile.mkdtemp()
    try:
        paths = []
        for name, data in (("base.json", base), ("new.json", new)):
            paths.append(os.path.join(d, name))
            with open(paths[-1], "w") as f:
                json.dump(data, f)
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = compare.compare(*paths, *args, **kw)
        return code, out.getvalue(), err.getvalue()
    finally:
        shutil.rmtree(d)


def row(out, name):
    return next((line for line in out.splitlines() if line.startswith(name + " ")), "")


micro = [f"{w}/{s}" for w in ("hot", "cold", "churn", "converge") for s in ("a+node", "b+node", "c+node")]
process = ["pickle/a+node/1000", "fork_pool/a+node"]
code, out, err = compared(noisy_run(micro + process, 10, 1), noisy_run(micro + process, 10, 2))
ok(code == 0 and "REGRESSION" not in out and "faster by" not in out, "two runs of the same code flag nothing", out)
code, out, err = compared(noisy_run(micro, 10, 1), noisy_run(micro, 10, 2, slower={"cold/b+node", "churn/b+node"},
                                                               factor=1.2, faster={"hot/c+node"}))
ok(code == 1 and "REGRESSION" in row(out, "cold/b+node") and "REGRESSION" in row(out, "churn/b+node"),
   "a planted 20% slowdown in two of 12 benchmarks is flagged, exit 1", out)
ok(row(out, "hot/c+node").endswith("faster") and "REGRESSION" not in row(out, "hot/c+node"),
   "a faster benchmark says faster, never REGRESSION", out)
ok(sum("REGRESSION" in line for line in out.splitlines() if not line.startswith("compare:")) == 2,
   "only the planted ones are flagged", out)

# The correction matters: 40 benchmarks, one 4% slower with an uncorrected
# p just under ALPHA. Alone it would pass the test; among 40 it must not.
many = [f"hot/s{k}+node" for k in range(40)]
base, new = noisy_run(many, 5, 3), noisy_run(many, 5, 4)
for b in new["benchmarks"]:
    if b["name"] == "hot/s7+node":
        b["cpu_time"] = b["real_time"] = b["cpu_time"] * 1.2
code, out, err = compared(base, new, threshold=1.10, test="u")
line = row(out, "hot/s7+node")
p_raw, p_adj = (float(x) for x in line.split()[8:10]) if line else (1, 1)   # name, 2 times, 2 ratios, change, p, p adj
ok(code == 0 and p_raw < 0.05 <= p_adj and "REGRESSION" not in line,
   "a lone shift with raw p < alpha is not flagged once corrected over 40 (BH, U test)", out)
ok("a change must move at least" in err, "too few repetitions for a lone change: the report says so", err)
code, out, err = compared(base, new, correction="holm", test="u")
ok("no benchmark can be flagged" in err, "Holm over 40 with 5 repetitions: the report says nothing can be flagged", err)
# The default t-test on the logarithms has no floor on p: the same lone 20%
# shift, five repetitions a side, survives the correction over 40.
code, out, err = compared(base, new, threshold=1.10)
ok(code == 1 and "REGRESSION" in row(out, "hot/s7+node")
   and sum("REGRESSION" in line for line in out.splitlines() if not line.startswith("compare:")) == 1,
   "the t-test finds a lone 20% shift among 40 at five repetitions, and only it", out)

# Whole-process benchmarks and floors: a class apart, not judged by default.
base, new = noisy_run(micro + process, 10, 5), noisy_run(micro + process, 10, 6, slower=set(process), factor=1.5)
code, out, err = compared(base, new)
ok(code == 0 and "not judged (slower)" in row(out, "pickle/a+node/1000") and "Apart, not judged" in out,
   "a slower whole-process benchmark is shown apart, not judged", out)
code, out, err = compared(base, new, judge_all=True)
ok(code == 1 and "REGRESSION" in row(out, "pickle/a+node/1000"), "--judge-all judges it", out)
scaled = micro + ["scaling/a+node/10000"]
code, out, err = compared(noisy_run(scaled, 10, 9), noisy_run(scaled, 10, 10, slower={"scaling/a+node/10000"}, factor=1.4))
ok(code == 0 and "not judged (slower)" in row(out, "scaling/a+node/10000"),
   "a scaling run (run-level drift) is shown apart, not judged", out)

# Subjects across versions: nothing in common without a map (exit 2), the
# map pairs each variant too.
tool = ["hot/tool@0.1.13", "cold/tool@0.1.13", "hot/tool+slots@0.1.13"]
other = [n.replace("0.1.13", "0.1.14.post1") for n in tool]
code, out, err = compared(noisy_run(tool, 10, 7), noisy_run(other, 10, 8))
ok(code == 2 and "nothing matched" in err, "runs of two versions without a map: nothing matched, exit 2", err)
code, out, err = compared(noisy_run(tool, 10, 7), noisy_run(other, 10, 8, slower={"hot/tool+slots@0.1.14.post1"},
                                                                 factor=1.3), map_text=["tool@0.1.13=tool@0.1.14.post1"])
ok(code == 1 and "hot/tool@0.1.13 -> tool@0.1.14.post1" in out
   and "REGRESSION" in row(out, "hot/tool+slots@0.1.13 -> tool+slots@0.1.14.post1"),
   "MAP pairs the versions and each variant; the variant's slowdown is flagged", out)
try:
    compared(noisy_run(tool, 10, 7), noisy_run(other, 10, 8), map_text=["nosuch@1=tool@0.1.14.post1"])
    ok(False, "a map naming no subject is an error")
except report.Error as e:
    ok("nosuch@1" in str(e), "a map naming no subject is an error (exit 2)", str(e))

# The real tools' provenance in the report: origin and a yanked mark with
# the reason; an old file (no provenance) renders without them.
out = tempfile.mkdtemp()
try:
    path = os.path.join(out, "bench.json")
    prov = run_file(["hot/tool@1.0", "hot/tool+slots@1.0", "hot/other@2.0"])
    prov["context"]["subjects"] = [
        {"name": "tool@1.0", "source": "PyPI tool==1.0", "origin": "pypi", "yanked": True,
         "yanked_reason": "frees wrappers twice"},
        {"name": "tool+slots@1.0", "source": "wheel", "origin": "wheel", "sha256": "0123456789abcdef" * 4},
        {"name": "other@2.0", "source": "a tree", "origin": "directory", "commit": "fedcba9876543210"}]
    with open(path, "w") as f:
        json.dump(prov, f)
    with contextlib.redirect_stdout(io.StringIO()):
        report.render(path, out)
    text = open(os.path.join(out, "README.md")).read()
    ok("| `tool@1.0` | PyPI tool==1.0 | PyPI | **yanked**: frees wrappers twice |" in text
       and "| `tool@1.0` **yanked** |" in text, "render: a yanked release is marked, with the reason", text)
    ok("wheel sha256 0123456789ab |" in text and "directory at fedcba987654 |" in text,
       "render: a wheel's sha256 and a directory's commit", text)
    ok(text.count("**yanked**") == 2, "render: nothing else is marked yanked (the table and tool@1.0's row)", text)
finally:
    shutil.rmtree(out)

finish()
