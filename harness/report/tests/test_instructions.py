"""instructions.py's own checks, as TAP (prove --exec python3): callgrind's
dumps read by their trigger name, the figures per access and per node with
their ratios to the floor, estimated cycles from cache events, compare's
verdicts (a 1.2% move either way flagged with both counts and the command
that updates the baseline, 0.5% and identical runs not, pickle held to its
looser bound, a real tool beyond its own listed but not failed, a count with other threads' work in it not judged, a
benchmark that stopped being counted flagged, nothing in
common an error), and the report's
sections. Made-up files; no callgrind run; under a second."""
import contextlib
import io
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests"))
from tap import finish, ok  # noqa: E402
import instructions  # noqa: E402

def dump(path, label, events, totals):
    with open(path, "w") as f:
        f.write(f"# callgrind format\nversion: 1\npart: 1\n\ndesc: Trigger: Client Request: {label}\n\n"
                f"positions: line\nevents: {' '.join(events)}\nsummary: {' '.join(map(str, totals))}\n\n"
                "ob=(1) /x\nfn=(1) f\n0 1\n")


tmp = tempfile.mkdtemp(prefix="test_instructions.")
dump(f"{tmp}/callgrind.out.7.1", "hot/a+node#1000", ["Ir"], [300_000])
dump(f"{tmp}/callgrind.out.7.2", "hot/a+node#2000", ["Ir"], [500_000])
with open(f"{tmp}/callgrind.out.7", "w") as f:   # the dump at exit: no trigger
    f.write("# callgrind format\nevents: Ir\nsummary: 12\n")
d = instructions.read_dumps(tmp)
ok(d == {"hot/a+node#1000": {"Ir": 300_000}, "hot/a+node#2000": {"Ir": 500_000}},
   "dumps: read by trigger name, the exit dump left out", d)


def counted(*benchmarks):
    return {"benchmarks": list(benchmarks)}


def measured(name, n, counters=None):
    return {"name": name, "iterations": [n, 2 * n], "dumps": [f"{name}#{n}", f"{name}#{2 * n}"],
            "counters": counters or {}}


dumps = {"floor_slots#1000": {"Ir": 200_000}, "floor_slots#2000": {"Ir": 400_000},
         "hot/a+node#1000": {"Ir": 300_000}, "hot/a+node#2000": {"Ir": 550_000},
         "converge/a+node#1000": {"Ir": 900_000}, "converge/a+node#2000": {"Ir": 1_800_000},
         "pickle/a+node/100#1": {"Ir": 5_000}, "pickle/a+node/100#2": {"Ir": 9_000},
         "memo/a+node/100#1": {"Ir": 5_000}, "memo/a+node/100#2": {"Ir": 7_000},
         "scaling/a+node/100#1000": {"Ir": 300_000}, "scaling/a+node/100#2000": {"Ir": 600_000},
         "floor_scaled/100#1000": {"Ir": 200_000}, "floor_scaled/100#2000": {"Ir": 450_000}}
figs, skipped, failed = instructions.figures(counted(
    measured("floor_slots", 1000), measured("hot/a+node", 1000, {"allocs_per_access": 0, "structural_ns": 3.0}),
    measured("converge/a+node", 1000), measured("pickle/a+node/100", 1),
    measured("memo/a+node/100", 1, {"visits": 400}), measured("scaling/a+node/100", 1000),
    measured("floor_scaled/100", 1000), measured("cold/a+node", 512),
    {"name": "fork_pool/a+node", "not_counted": "other processes"},
    dict(measured("dispatch/a+node", 1000), error="no int field")), dumps)
ok(figs["hot/a+node"]["per_iteration"] == 250 and figs["hot/a+node"]["floor_ratio"] == 1.25,
   "figures: the difference over N, over the floor's", figs.get("hot/a+node"))
ok(figs["hot/a+node"]["counters"] == {"allocs_per_access": 0}, "figures: a time counter is not kept")
ok(figs["converge/a+node"]["per_unit"] == 300, "figures: converge per access, three an iteration")
ok(figs["pickle/a+node/100"]["per_unit"] == 40 and figs["pickle/a+node/100"]["unit"] == "node",
   "figures: pickle per node of the DAG")
ok(figs["memo/a+node/100"]["per_unit"] == 10, "figures: memo per node visit (visits of the 2-iteration run)")
ok(abs(figs["scaling/a+node/100"]["scaled_floor_ratio"] - 300 / 250) < 1e-12, "figures: scaling over the scaled floor")
ok(skipped == {"fork_pool/a+node": "other processes"}, "figures: not counted, with the reason")
ok(failed.get("dispatch/a+node") == "no int field" and "cold/a+node" in failed,
   "figures: an error, and a run without its dumps, are failures", failed)

ev = {"Ir": 100, "Dr": 50, "Dw": 50, "I1mr": 10, "D1mr": 10, "D1mw": 0, "ILmr": 1, "DLmr": 1, "DLmw": 0}
ok(instructions.estimated_cycles(ev) == 180 + 5 * 18 + 35 * 2, "estimated cycles: L1 hits + 5 LL hits + 35 RAM")
ok(instructions.estimated_cycles({"Ir": 5}) is None, "estimated cycles: none without cache simulation")

ok(instructions.ere_escape("hot/nanobind+intrusive@3.1.0") == r"hot/nanobind\+intrusive@3\.1\.0",
   "filter: a name is a literal in Google Benchmark's regex")


def counts(per, **extra):
    b = {name: {"subject": name.split("/")[1] if "/" in name and not name.startswith("floor") else None,
                "workload": name.split("/")[0], "per_iteration": v, "per_unit": v, "unit": "access",
                "units_per_iteration": 1, "floor_ratio": v / per["floor_slots"], "counters": {}}
         for name, v in per.items()}
    return dict({"context": {"commit": "abc", "python": "3.11.2"}, "benchmarks": b, "floor_counts": [per["floor_slots"]],
                 "not_counted": {"fork_pool/a+node": "other processes"}, "failed": {}}, **extra)


def write(name, data):
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        json.dump(data, f)
    return path


def compare(base, new, threshold=instructions.DEFAULT_THRESHOLD):
    out = io.StringIO()
    rc = instructions.compare(write("base.json", base), write("new.json", new), threshold, out=out)
    return rc, out.getvalue()


per = {"floor_slots": 173.0, "hot/a+node": 200.0, "churn/a+node": 400.0, "hot/b@1": 1800.0}
rc, text = compare(counts(per), counts(per))
ok(rc == 0 and "0 moved" in text, "compare: identical counts flag nothing", text)
rc, text = compare(counts(per), counts(dict(per, **{"hot/a+node": 202.4})))
ok(rc == 1 and "hot/a+node: 200.000 -> 202.400" in text and "+1.20%" in text
   and instructions.BASELINE_COMMAND in text, "compare: +1.2% flagged with both counts and the command", text)
rc, text = compare(counts(per), counts(dict(per, **{"hot/a+node": 197.6})))
ok(rc == 1 and "-1.20%" in text, "compare: -1.2% flagged too (the baseline must move with it)", text)
rc, text = compare(counts(per), counts(dict(per, **{"hot/a+node": 201.0})))
ok(rc == 0, "compare: 0.5% is within the default 1%", text)
rc, text = compare(counts(per), counts(dict(per, **{"hot/a+node": 201.0})), threshold=1.004)
ok(rc == 1, "compare: the threshold is configurable", text)
subset = {k: v for k, v in per.items() if k != "hot/b@1"}
rc, text = compare(counts(per), counts(subset))
ok(rc == 0, "compare: a subject the new run did not count is not missing", text)
rc, text = compare(counts(per), counts({k: v for k, v in subset.items() if k != "churn/a+node"}))
ok(rc == 1 and "churn/a+node: in the baseline, not counted now" in text, "compare: a benchmark that stopped is flagged",
   text)
rc, text = compare(counts(per), dict(counts(per), benchmarks={}))
ok(rc == 2, "compare: nothing in common is an error", text)
loose = dict(per, **{"pickle/a+node/100": 10000.0, "memo/a+node/100": 1000.0, "scaling/a+node/100": 300.0})
rc, text = compare(counts(loose), counts(dict(loose, **{"pickle/a+node/100": 10150.0})))
ok(rc == 0 and "built-in pickle: 2%" in text, "compare: pickle is held to its own bound (1.5% passes, said)", text)
rc, text = compare(counts(per), counts(dict(per, **{"hot/b@1": 1800.0 * 1.04})))
ok(rc == 0 and "real tools: 5%" in text, "compare: a real tool is held to its own bound (4% passes, said)", text)
rc, text = compare(counts(per), counts(dict(per, **{"hot/b@1": 1800.0 * 1.06})))
ok(rc == 0 and "hot/b@1: " in text and "listed, not failed" in text,
   "compare: a real tool beyond its bound is listed, and does not fail the gate", text)
rc, text = compare(counts(loose), counts(dict(loose, **{"pickle/a+node/100": 10250.0, "memo/a+node/100": 1015.0,
                                                          "scaling/a+node/100": 304.5})))
ok(rc == 1 and all(f"{n}: " in text for n in ("pickle/a+node/100", "memo/a+node/100", "scaling/a+node/100")),
   "compare: pickle beyond its bound, memo and scaling beyond the threshold, flagged", text)
threaded = counts(dict(per, **{"hot/b@1": 1800.0 * 1.5}))
threaded["benchmarks"]["hot/b@1"]["varies"] = True
rc, text = compare(counts(per), threaded)
ok(rc == 0 and "1 not judged" in text and "b@1" in text,
   "compare: a count with a runtime's threads in it is not judged, and said", text)
text = "\n".join(instructions.section(threaded))
ok("1,800" not in text and "2,700†" in text and "Not deterministic" in text,
   "report: a count with a runtime's threads in it is marked and explained", text)
rc, text = compare(counts(per), dict(counts(per), context={"commit": "def", "python": "3.12.0"}))
ok(rc == 0 and "python" in text and "3.12.0" in text, "compare: a different interpreter is noted", text)
try:
    instructions.load(write("wall.json", {"benchmarks": []}))
    ok(False, "load: a wall-clock file is refused")
except instructions.Error as e:
    ok("not an instruction-count file" in str(e), "load: a wall-clock file is refused", e)

lines = instructions.section(counts(per, floor_counts=[173.0, 174.0]))
text = "\n".join(lines)
ok("| `a+node` | 200, 1.156x (wall -) |" in text and "| `b@1` | 1,800, 10.405x (wall -) |" in text,
   "report: instructions and the ratio per subject, real tools first", text)
ok("counted differently in different processes" in text, "report: floors that disagree are a warning", text)
ok("other processes" in text, "report: what was not counted, and why", text)
html = instructions.page_section(counts(per))
ok('id="instructions"' in html and "<td>200</td><td>1.156x</td>" in html, "page: the table of counts", html)

with contextlib.redirect_stdout(io.StringIO()):
    instructions.render(write("instr.json", counts(per)), None, tmp)
ok(os.path.getsize(os.path.join(tmp, "instructions.md")) > 0, "render: instructions.md written")

finish()
