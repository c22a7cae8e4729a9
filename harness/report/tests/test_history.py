"""harness/report/history.py against made-up runs of a made-up tool, as TAP:
releases in PEP 440 order whatever the file order, verdicts compressed into
runs, the release where each changed, releases that did not build or load,
yanked marks, the command line, and the results page's section. No conformance run; well under a second."""
import contextlib
import io
import json
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.join(HERE, ".."), os.path.join(HERE, "..", "..", "tests"),
                os.path.join(HERE, "..", "..", "subjects", "loader")]
from tap import finish, ok  # noqa: E402
import history  # noqa: E402

PROPS = [{"id": i, "name": n, "checks": "", "why": ""}
         for i, n in (("I1", "repeat"), ("I5", "stable-id"), ("P3", "nested"), ("X1", "subinterp"))]
tmp = tempfile.mkdtemp()


def run(version, rows, yanked=False, status=None, error="", variants=("", "slots"), block=True):
    """A run of tool@version (and tool+slots@version): rows maps a variant
    to {property: status or [status per protocol]}, or to a reason string
    (every test skipped: the release does not load)."""
    results, subjects = [], []
    for var, row in rows.items():
        name = ("tool+" + var if var else "tool") + "@" + version
        subjects.append({"name": name, "tool": "tool", "version": version, "variant": var, "source": "test"})
        if isinstance(row, str):
            results += [{"subject": name, "property": p["id"], "param": "", "status": "skip",
                         "expected_fail": False, "reason": row} for p in PROPS]
            continue
        for prop, st in row.items():
            sts = st if isinstance(st, list) else [st]
            for k, s in enumerate(sts):
                results.append({"subject": name, "property": prop, "param": f"protocol={k + 2}" if len(sts) > 1 else "",
                                "status": s, "expected_fail": s == "fail" and version == "1.0",
                                "reason": "" if s == "pass" else f"{prop} at 0x7f0012345678"})
    results.append({"subject": "hashmap+node", "property": "I1", "param": "", "status": "pass",
                    "expected_fail": False, "reason": ""})   # a model alongside: not a release
    data = {"python": "3.11.2 (main)", "commit": "abc1234", "properties": PROPS if status is None else [],
            "subjects": subjects, "results": results if status is None else []}
    if block:
        data["release"] = {"tool": "tool", "version": version, "uploaded": "2026-01-0" + version[-1],
                           "yanked": yanked, "yanked_reason": "broken wheel" if yanked else "",
                           "status": status or "ran", "error": error, "variants": list(variants),
                           "selection": {"rule": "every release of tool", "source": "made up", "fetched": "today",
                                         "left_out": "1 pre-release(s)"}}
    path = os.path.join(tmp, f"tool@{version}.json")
    with open(path, "w") as f:
        json.dump(data, f)
    return path


fresh = {"I1": "fail", "I5": "fail", "P3": ["fail"] * 4, "X1": "skip"}
tied = {"I1": "pass", "I5": "pass", "P3": ["fail", "fail", "pass", "pass"], "X1": "skip"}
paths = [
    run("1.10", {"": tied, "slots": tied}),                       # file order is not release order
    run("1.0", {"": fresh, "slots": fresh}),
    run("1.2", {"": "tool 1.2 cannot define the model: ImportError at /x",
                "slots": "tool 1.2 cannot define the model: ImportError at /x"}),
    run("1.3", {"": "tool 1.3 cannot define the model: ImportError at /x",
                "slots": "tool 1.3 cannot define the model: ImportError at /x"}),
    run("1.4", {"": fresh, "slots": fresh}),   # failing as in 1.0, where the expectations listed it
    run("1.5", {"": tied, "slots": dict(fresh, I1="pass")}, yanked=True),
    run("1.5.post1", {}, status="not built", error=f"{history.ROOT}/build/x.h:3:1: error: no member named 'y'"),
    run("1.9", {}, status="not installed", error="ERROR: No matching distribution found for tool==1.9"),
]
data = history.merge(paths)["tool"]
order = [e["version"] for e in data["releases"]]
ok(order == ["1.0", "1.2", "1.3", "1.4", "1.5", "1.5.post1", "1.9", "1.10"],
   "releases in PEP 440 order (1.9 before 1.10, a post after its release)", order)
ok(data["variants_order"] == ["tool", "tool+slots"], "one timeline per variant, the plain one first",
   data["variants_order"])
i5 = data["variants"]["tool"]["properties"]["I5"]
ok([(r["verdict"], r["first"], r["last"]) for r in i5["runs"]]
   == [("fail", "1.0", "1.0"), (None, "1.2", "1.3"), ("fail", "1.4", "1.4"), ("pass", "1.5", "1.5"),
       (None, "1.5.post1", "1.9"), ("pass", "1.10", "1.10")],
   "verdict runs, with the releases that did not run as gaps", i5["runs"])
ok(i5["changes"] == [{"release": "1.5", "from": "fail", "to": "pass", "after": "1.4"}],
   "the change at the first release with the new verdict; a gap is no change", i5["changes"])
ok(history.compressed(i5) == "✗ 1.0, not run 1.2–1.3, ✗ 1.4, ✓ 1.5, not run 1.5.post1–1.9, ✓ 1.10",
   "the compressed row", history.compressed(i5))
p3 = data["variants"]["tool"]["properties"]["P3"]
ok(p3["verdicts"]["1.0"] == "fail" and p3["verdicts"]["1.5"] == "fail 2/4"
   and p3["changes"][0]["to"] == "fail 2/4" and history.symbol("fail 2/4") == "✗ 2/4",
   "a failure for some parameters is its own verdict (✗ 2/4)", p3)
slots_i5 = data["variants"]["tool+slots"]["properties"]["I5"]
ok(slots_i5["verdicts"]["1.0"] == slots_i5["verdicts"]["1.4"] == "fail"
   and [c["release"] for c in slots_i5["changes"]] == ["1.10"],
   "a failure the expectations do not list is a failure like any other", slots_i5)
ok(history.verdict_of([{"status": "unsupported", "expected_fail": True}]) == "fail"
   and history.verdict_of([{"status": "fail", "expected_fail": False}]) == "fail",
   "a failure classed unsupported by an (inherited) expectation file is a failure too")
ok(data["variants"]["tool"]["properties"]["X1"]["runs"][0]["verdict"] == "skip"
   and not data["variants"]["tool"]["properties"]["X1"]["changes"], "a property skipped throughout: no change")
rel = {e["version"]: e for e in data["releases"]}
ok(rel["1.5.post1"]["status"] == "not built" and rel["1.5.post1"]["error"] == "build/x.h:3:1: error: no member named 'y'",
   "a release that does not build keeps its first error line, this checkout's path made relative",
   rel["1.5.post1"])
ok(rel["1.5"]["yanked"] and rel["1.5"]["yanked_reason"] == "broken wheel" and not rel["1.4"]["yanked"],
   "yanked releases marked, with the reason", rel["1.5"])
ok(rel["1.2"]["variants"]["tool"]["status"] == "not run" and "0x" not in json.dumps(rel),
   "a release whose every test skipped did not run; addresses dropped", rel["1.2"])
ok(rel["1.10"]["variants"]["tool"] == {"status": "ran", "passed": 2, "ran": 3},
   "each release's score: passed / ran, skips not counted", rel["1.10"])

md = history.render(data)
ok("- `tool`: ✗ → ✓ at 1.5 (yanked): **I1** repeat, **I5** stable-id" in md,
   "what changed, properties moving together grouped, the yanked release marked", md)
ok("| I5 stable-id | ✗ → ✓ at 1.5 (yanked) | ✗ 1.0, not run 1.2–1.3, ✗ 1.4, ✓ 1.5, not run 1.5.post1–1.9, ✓ 1.10 |"
   in md, "one row per property: its change and its compressed verdicts", md)
ok("- 1.2–1.3 (2 releases), every variant: not run: tool <version> cannot define the model" in md,
   "releases that did not load grouped by reason, the version written as <version>", md)
ok("- 1.5.post1, every variant: does not build: build/x.h:3:1: error: no member named 'y'" in md
   and "- 1.9, every variant: does not install: ERROR: No matching distribution" in md,
   "releases that did not build or install, and why", md)
ok("| 1.5 **yanked** | 2026-01-05 | 2/3 | 1/3 |" in md, "the releases table: upload date, yanked mark, scores", md)
ok("every release of tool: 8 release(s), 1 of them yanked" in md and "left out: 1 pre-release(s)" in md,
   "the selection as the runs recorded it", md)

# A plain conformance run (no release block) counts too.
plain = run("2.0", {"": tied}, block=False, variants=("",))
merged = history.merge([plain])
ok(list(merged) == ["tool"] and merged["tool"]["releases"][0]["version"] == "2.0",
   "a run without a release block: its real subjects give the release", merged)


def cli(*argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = history.main(list(argv))
        except SystemExit as e:
            code = e.code
    return code, out.getvalue(), err.getvalue()


out_dir = os.path.join(tmp, "out")
code, out, err = cli(out_dir, *paths)
written = sorted(os.listdir(out_dir)) if os.path.isdir(out_dir) else []
ok(code == 0 and written == ["history-tool.json", "history-tool.md"],
   "the command writes history-TOOL.{json,md}", f"{code} {written} {out} {err}")
with open(os.path.join(out_dir, "history-tool.json")) as f:
    ok(json.load(f)["variants"]["tool"]["properties"]["I5"]["changes"][0]["release"] == "1.5",
       "the JSON has the same timeline")
code, out, err = cli(out_dir, paths[0], paths[0])
ok(code not in (0, None) and "two runs of tool 1.10" in str(code), "two runs of one release refused", code)
code, out, err = cli(out_dir, "--tool", "other", *paths)
ok(code not in (0, None) and "no run of other" in str(code), "--tool naming a tool no run has: refused", code)

# The results page's section (page.py), from the same timeline.
import page  # noqa: E402
html = page.history_section([data])
ok('id="history-tool"' in html and 'data-variant="tool"' in html
   and 'data-release="1.5" data-from="fail" data-to="pass"' in html and 'title="broken wheel">yanked</abbr>' in html,
   "the page names each change's release, with the yanked mark and its reason", html)
ok("<b>1.5.post1</b> does not build: <code>build/x.h:3:1: error: no member named &#x27;y&#x27;</code>" in html,
   "the page says which releases are not in the timeline, and why", html)
finish()
