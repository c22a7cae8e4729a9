"""report.py's own checks, as TAP (prove --exec python3): the U test, the
name cleaning, the impossible-value check, and the report of a partial run
(no empty table, no empty plot). No benchmark runs; a few seconds."""
import contextlib
import io
import json
import math
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import report  # noqa: E402

results = []


def ok(cond, what):
    results.append((bool(cond), what))


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


# The U test: exact p-values known by hand.
ok(abs(report.mann_whitney([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]) - 2 / 252) < 1e-12, "U test: separated 5 v 5, p = 2/252")
ok(report.mann_whitney([1, 2, 3], [4, 5, 6]) == 0.1, "U test: separated 3 v 3, p = 0.1")
ok(report.mann_whitney([1, 2, 3, 4, 5], [1, 2, 3, 4, 5]) == 1.0, "U test: identical samples, p = 1")
ok(0 < report.mann_whitney(list(range(40)), [x + 10 for x in range(40)]) < 0.05, "U test: normal approximation, shifted")

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

print(f"1..{len(results)}")
for k, (good_, what) in enumerate(results, 1):
    print(f"{'ok' if good_ else 'not ok'} {k} - {what}")
sys.exit(0 if all(g for g, _ in results) else 1)
