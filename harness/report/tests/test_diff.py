"""harness/report/diff.py against made-up runs, as TAP: what it lists, how it
maps subjects across versions and old names, and its exit status. No
conformance run; well under a second."""
import contextlib
import io
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests"))
from tap import finish, ok  # noqa: E402
import diff  # noqa: E402

PROPS = [{"id": i, "name": i, "checks": "", "why": ""} for i in ("I1", "I5", "P3", "X1")]


def rec(subject, prop, status, param="", reason="", expected=False, old=False):
    r = {"property": prop, "param": param, "status": status, "expected_fail": expected,
         "reason": reason if status != "pass" else ""}
    r["impl" if old else "subject"] = subject
    return r


def run(records, subjects=()):
    return {"python": "3.11.2", "commit": "x", "properties": PROPS,
            "subjects": [{"name": s, "source": "test"} for s in subjects], "results": records}


def points(subject, statuses, old=False, expected=False):
    """I1, I5, X1 and P3 for protocols 2..5 with the given statuses."""
    out = []
    for prop, st in statuses.items():
        params = [f"protocol={k}" for k in range(2, 6)] if prop == "P3" else [""]
        for k, param in enumerate(params):
            s = st[k] if isinstance(st, list) else st
            out.append(rec(subject, prop, s, param, f"{prop} broke at 0x7f00{k}abcdef0 ({subject})",
                           expected, old))
    return out


tmp = tempfile.mkdtemp()


def write(name, data):
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        json.dump(data, f)
    return path


def diff_of(*argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = diff.main(list(argv))
        except SystemExit as e:
            code = e.code
    return code, out.getvalue(), err.getvalue()


all_pass = {"I1": "pass", "I5": "pass", "P3": "pass", "X1": "skip"}
# An old file (records keyed "impl", names TOOL@VERSION+VARIANT) of tool 1.0
# and its variant, and a new one of tool 2.0 where things moved.
old = write("old.json", run(points("tool@1.0", all_pass, old=True)
                            + points("tool@1.0+slots", all_pass, old=True)
                            + points("hashmap+node", all_pass, old=True)))
moved = {"I1": "fail", "I5": "pass", "P3": ["pass", "pass", "fail", "pass"], "X1": "pass"}
new = write("new.json", run(points("tool@2.0", moved, expected=True)
                            + points("tool+slots@2.0", moved)
                            + points("hashmap+node", dict(all_pass, I5="skip"))))

code, out, err = diff_of(old, new, "--map", "tool@1.0=tool@2.0")
ok(code == 1, "a test point passing before and failing now: exit 1", out + err)
ok("tool@1.0 -> tool@2.0" in out and "tool+slots@1.0 -> tool+slots@2.0" in out,
   "a version-level map pairs each variant too, old names read in today's form", out)
ok("newly failing        I1  (expected)" in out and "newly failing        I1  (NOT expected)" in out,
   "newly failing says whether the expectations had it", out)
ok("P3[protocol=4]" in out and "P3[protocol=2" not in out, "only the parameter that moved is named", out)
ok("now run              X1" in out, "a skip becoming a pass is listed", out)
ok("hashmap+node\n  now skipped          I5" in out, "an unmapped subject pairs with its own name", out)
ok("0x7f" not in out and "0x..." in out and "tool@2.0)" in out, "addresses left out of the reasons", out)
last = out.strip().splitlines()[-1]
ok(last.startswith("diff: 3 subject pair(s) compared; newly failing: I1 P3 (4 test points, 2 expected)"),
   "a one-line summary at the end, properties in catalogue order", last)

code, out, err = diff_of(new, old, "--map", "tool@2.0=tool@1.0")
ok(code == 0 and "newly passing        I1" in out and "was: I1 broke" in out,
   "the other way round: newly passing with the old reason, exit 0", out + err)

code, out, err = diff_of(old, old)
ok(code == 2 and "only what --map pairs" in err, "a file against itself without a map: nothing matched, exit 2", err)
code, out, err = diff_of(old, old, "--map", "tool@1.0=tool+slots@1.0")
ok(code == 0 and "tool@1.0 -> tool+slots@1.0" in out and "nothing newly failing" in out,
   "a map within one file compares the two subjects", out + err)

code, out, err = diff_of(old, new, "--map", "hashmap+node=hashmap+node", "--map", "tool=tool")
ok(code == 1 and "hashmap+node\n" in out and "tool@1.0 -> tool@2.0" in out and "tool+slots@1.0 -> tool+slots@2.0" in out,
   "a map by name without versions: a model onto itself, a tool's one version in each run (variants too)", out + err)

only_other = write("other.json", run(points("tool@3.0", all_pass)))
code, out, err = diff_of(new, only_other)
ok(code == 2 and "no subject" in err, "two runs with no subject in common and no map: exit 2", err)
code, out, err = diff_of(old, new, "--map", "nosuch@1=tool@2.0")
ok(code == 2 and "nosuch@1 names no subject" in err, "a map naming a subject of neither file: exit 2", err)
code, out, err = diff_of(old, new, "--map", "tool@2.0=tool@1.0")
ok(code == 2 and "swap" in err, "a map written NEW=BASE: exit 2, saying so", err)
code, out, err = diff_of(old, os.path.join(tmp, "missing.json"))
ok(code == 2 and "no such file" in err, "a missing file: exit 2", err)
code, out, err = diff_of(old, write("bad.json", {"results": "no"}))
ok(code == 2 and "not a conformance results file" in err, "a file that is not conformance results: exit 2", err)

not_installed = write("gone.json", run([rec("tool@2.0", p, "skip", reason="tool 2.0 is not installed")
                                         for p in ("I1", "I5")]))
code, out, err = diff_of(old, not_installed, "--map", "tool@1.0=tool@2.0")
ok(code == 0 and "not run in NEW: tool 2.0 is not installed" in out and "now skipped" not in out,
   "a subject that ran nothing is one line, not a skip per property", out)

finish()
