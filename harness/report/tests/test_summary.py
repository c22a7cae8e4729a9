"""What `make bench` ends with, as TAP (prove --exec python3): summary.py's
lines from a results file made by `harness/report bench context` (each subject's hot
and churn ratios, the count of unstable figures, each warning once, the
failed benchmarks, the file to open last), and page.py's page of a benchmark
run alone (no conformance.json). No benchmark runs; about a second."""
import json
import os
import subprocess
import sys
import tempfile
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests"))
from tap import finish, ok  # noqa: E402

BENCH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
def entry(name, rep, ns, floor_ns=10.0, **counters):
    return dict(name=name, run_name=name, run_type="iteration", repetitions=5, repetition_index=rep,
                iterations=1000, real_time=ns, cpu_time=ns, time_unit="ns", floor_ns=floor_ns, **counters)


def raw_run():
    """Two subjects over a floor of 10 ns: hot/a+node at 1.1x the floor in
    every repetition, hot/b+node between 2x and 3x (unstable), churn/a+node
    at 4x; a footprint; a failed benchmark; a loaded machine."""
    b = []
    for rep in range(5):
        b.append(entry("floor_slots", rep, 10.0, other_cpus=1.5))
        b.append(entry("hot/a+node", rep, 11.0, other_cpus=1.5))
        b.append(entry("hot/b+node", rep, (20.0, 30.0, 25.0, 21.0, 29.0)[rep], other_cpus=1.5))
        b.append(entry("churn/a+node", rep, 40.0, other_cpus=1.5))
        b.append(entry("footprint/a+node/1000", rep, 5000.0, bytes_per_handle=(106, 106, 107, 106, 106)[rep]))
    b.append(dict(name="cold/b+node", run_name="cold/b+node", run_type="iteration", repetitions=5,
                  repetition_index=0, error_occurred=True, error_message="a Python error escaped the benchmark",
                  iterations=0, real_time=0, cpu_time=0, time_unit="ns"))
    return {"context": {"num_cpus": 2, "library_build_type": "debug"}, "benchmarks": b}


def run(*args):
    return subprocess.run([sys.executable, *args], capture_output=True, text=True)


with tempfile.TemporaryDirectory() as d:
    raw, data = os.path.join(d, "bench.json.raw"), os.path.join(d, "bench.json")
    with open(raw, "w") as f:
        json.dump(raw_run(), f)
    made = run(BENCH, "bench", "context", raw, data)
    ok(made.returncode == 0, "harness/report bench context makes the results file", made.stderr)

    out = run(BENCH, "summary", data, d)
    lines = out.stdout.splitlines()
    ok(out.returncode == 0 and lines, "summary.py runs", out.stderr)
    row = {ln.split()[0]: ln.split() for ln in lines if ln.startswith("  ")}
    ok(row.get("a+node", [])[1:2] == ["1.10x"] and row.get("b+node", [])[1:2] == ["2.50x"],
       "each subject's hot access: the median ratio to the floor", out.stdout)
    ok(row.get("a+node", [])[3:4] == ["4.00x"] and row.get("a+node", [])[-1] == "106",
       "churn and bytes per live handle beside it", out.stdout)
    ok("(2.00-3.00)" in row.get("b+node", []), "the range over repetitions", out.stdout)
    unstable = [ln for ln in lines if "figures unstable" in ln]
    ok(len(unstable) == 1 and unstable[0].startswith("bench: 1 of 4 micro-benchmark figures unstable"),
       "the unstable figures counted once (hot/b+node; not the footprint, a whole-process figure)", out.stdout)
    warned = [ln for ln in lines if ln.startswith("bench: warning:")]
    ok(warned and len(warned) == len(set(warned)) and any("CPUs busy" in w for w in warned),
       "each warning once, the loaded machine among them", out.stdout)
    ok(any(ln.startswith("bench: 1 benchmark(s) failed") and "cold/b+node" in ln for ln in lines),
       "a failed benchmark is named", out.stdout)
    ok(lines[-1] == f"bench: open {os.path.join(d, 'README.md')}", "without a page, the last line names the report",
       out.stdout)

    page = os.path.join(d, "index.html")
    made = run(BENCH, "page", data, page)
    text = open(page).read() if os.path.exists(page) else ""
    ok(made.returncode == 0 and 'id="no-conformance"' in text and 'id="matrix"' not in text,
       "page.py without conformance.json: the costs alone, and it says so", made.stderr + made.stdout)
    ok('<tr data-subject="a+node">' in text and '<tr data-subject="b+node">' in text,
       "every benchmarked subject has a cost row", text[:300])
    out = run(BENCH, "summary", data, d)
    ok(out.stdout.splitlines()[-1:] == [f"bench: open {page} (report: {os.path.join(d, 'README.md')})"],
       "with a page, the last line names it first", out.stdout)

finish()
