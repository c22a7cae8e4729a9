"""harness/report/update_expectations.py against made-up runs and files, as
TAP: entries made, kept, narrowed, marked '?' and dropped, comments kept,
a dry run that writes nothing. No conformance run; well under a second."""
import contextlib
import io
import json
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests"))
from tap import finish, ok  # noqa: E402
import expectation_file     # noqa: E402
import update_expectations  # noqa: E402

PROPS = [{"id": i, "name": i, "checks": "", "why": ""} for i in ("I1", "I5", "P3", "F3", "L1", "M2")]
PROTOCOLS = [f"protocol={k}" for k in range(2, 6)]


def run(subject, statuses, old=False):
    """statuses: property -> status, or {param: status} for P3."""
    recs = []
    for prop, st in statuses.items():
        for param, s in (st.items() if isinstance(st, dict) else [("", st)]):
            recs.append({"impl" if old else "subject": subject, "property": prop, "param": param, "status": s,
                         "expected_fail": False, "reason": "" if s == "pass" else f"{prop}{param} failed at 0x7f00abcdef12"})
    return {"python": "3.11.2", "commit": "x", "properties": PROPS, "results": recs}


tmp = tempfile.mkdtemp()


def write_run(name, data):
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        json.dump(data, f)
    return path


def update(*argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = update_expectations.main(list(argv))
        except SystemExit as e:
            code = e.code
    return code, out.getvalue(), err.getvalue()


def read(d, name):
    path = os.path.join(d, name + ".txt")
    return open(path).read() if os.path.exists(path) else None


# A subject with no file: failures in both runs become entries, one that
# differs between the runs a '?', a property failing for some parameters
# only its parameter lines.
d1 = os.path.join(tmp, "fresh")
a = write_run("a.json", run("tool+v@2.0", {"I1": "fail", "I5": "fail", "P3": dict.fromkeys(PROTOCOLS, "fail"),
                                           "F3": "pass", "M2": "skip"}))
b = write_run("b.json", run("tool+v@2.0", {"I1": "fail", "I5": "pass",
                                           "P3": dict(dict.fromkeys(PROTOCOLS, "pass"), **{"protocol=4": "fail"}),
                                           "F3": "pass", "M2": "skip"}))
code, out, err = update(a, b, "--dir", d1)
text = read(d1, "tool+v@2.0") or ""
ok(code == 0 and "\nI1  I1 failed at 0x...\n" in text, "a failure in every run: `ID  reason`, no address", text)
ok("\nI5?  " in text, "a failure in one run of two: `ID?`", text)
ok("\nP3[protocol=4]  " in text and "P3[protocol=2]  " not in text and "\nP3?" not in text,
   "a parameter failing in every run: `ID[param]`; those failing in one run: `ID[param]?`", text)
ok(text.count("P3[protocol=") == 4 and "P3[protocol=2]?" in text, "each parameter of a split property on its own line", text)
ok("F3" not in text and "M2" not in text, "passes and skips make no entry", text)
entries = {line.key: line.may for line in expectation_file.parse(text) if line.is_entry}
ok(entries.get("I1") is False and entries.get("I5") is True, "the file reads back as the runner reads it", text)

# An existing file: comments and reasons kept, a now-passing entry dropped
# and named, a '?' entry kept, an entry no run ran kept, a bare id that now
# fails for one parameter narrowed to it with its reason.
d2 = os.path.join(tmp, "existing")
os.makedirs(d2)
original = ("# Expected failures of tool+v@2.0: why, measured.\n"
            "I1  the cache is keyed wrong (our words)\n"
            "# I5 was a leak once\n"
            "I5  fixed upstream since\n"
            "P3  the reported bug, every protocol\n"
            "F3? a fork under a lock, by chance\n"
            "L1  measured by the load run, which this suite skips\n")
with open(os.path.join(d2, "tool+v@2.0.txt"), "w") as f:
    f.write(original)
c = write_run("c.json", run("tool+v@2.0", {"I1": "fail", "I5": "pass",
                                           "P3": dict(dict.fromkeys(PROTOCOLS, "pass"), **{"protocol=5": "fail"}),
                                           "F3": "pass", "L1": "skip"}))
code, out, err = update(c, "--dir", d2, "--dry-run")
ok(code == 0 and read(d2, "tool+v@2.0") == original, "a dry run writes nothing", out)
ok("-I5  fixed upstream since" in out and "+P3[protocol=5]  the reported bug, every protocol" in out,
   "a dry run prints the change as a unified diff", out)
code, out, err = update(c, "--dir", d2)
text = read(d2, "tool+v@2.0") or ""
ok("I1  the cache is keyed wrong (our words)\n" in text and text.startswith("# Expected failures"),
   "an entry still failing keeps its reason and the comments", text)
ok("I5  fixed" not in text and "dropped I5" in err, "an entry passing in every run is dropped and named on stderr", err)
ok("P3[protocol=5]  the reported bug, every protocol\n" in text and "\nP3  " not in text,
   "a bare id now failing for one parameter narrows to it, reason kept", text)
ok("F3? a fork under a lock, by chance\n" in text, "a `?` entry that passed is kept (chance is not refuted)", text)
ok("L1  measured by the load run" in text, "an entry no run ran is kept", text)
code, out, err = update(c, "--dir", d2, "--drop-flaky")
ok("F3?" not in (read(d2, "tool+v@2.0") or "") and "dropped F3?" in err, "--drop-flaky drops it", err)

# Per-parameter lines of a property that now fails for every parameter
# fold into its bare id, keeping the first line's reason.
d3 = os.path.join(tmp, "fold")
os.makedirs(d3)
with open(os.path.join(d3, "tool+v@2.0.txt"), "w") as f:
    f.write("P3[protocol=2]  split (our words)\nP3[protocol=3]  split\n")
update(a, "--dir", d3, "--subject", "tool+v@2.0")
text = read(d3, "tool+v@2.0") or ""
ok(text.startswith("P3  split (our words)\n") and "P3[" not in text, "parameter lines fold into the bare id", text)
ok("# Measured by make update-expectations" in text and "\nI1  " in text,
   "new entries go at the end under a comment", text)

# Names: a run of the old form (impl, TOOL@VERSION+VARIANT) writes the
# file under today's name; a subject's nearest older file is the start.
d4 = os.path.join(tmp, "names")
os.makedirs(d4)
with open(os.path.join(d4, "tool+v@1.0.txt"), "w") as f:
    f.write("I1  one wrapper per read (from 1.0)\n")
old = write_run("old.json", run("tool@1.5+v", {"I1": "fail", "I5": "fail"}, old=True))
code, out, err = update(old, "--dir", d4)
text = read(d4, "tool+v@1.5") or ""
ok(code == 0 and text.startswith("I1  one wrapper per read (from 1.0)\n") and "\nI5  " in text,
   "an old-form run writes NAME.txt in today's form, starting from the nearest older version's file", text)
ok(read(d4, "tool+v@1.0") == "I1  one wrapper per read (from 1.0)\n", "the older version's file is left as it was")
same = write_run("same.json", run("tool+v@1.0", {"I1": "fail", "I5": "pass"}))
update(same, "--dir", d4)
ok(not os.path.exists(os.path.join(d4, "tool+v@1.0.txt.tmp")) and read(d4, "tool+v@1.0").count("\n") == 1,
   "a file that already agrees is not rewritten")

# Failure classes: a line's [CLASS: CITATION] survives its line being
# split into parameter lines or folded back, and an unsupported record is a
# failure like any other.
d5 = os.path.join(tmp, "classes")
os.makedirs(d5)
with open(os.path.join(d5, "tool+c@1.0.txt"), "w") as f:
    f.write("P3  [bug: tool#12]  splits the Var\nX1  [unsupported: docs/limits.md]  no sub-interpreters\n")
split = dict(run("tool+c@1.0", {"P3": dict(dict.fromkeys(PROTOCOLS, "pass"), **{"protocol=4": "fail"}), "X1": "fail"}))
for r in split["results"]:
    if r["property"] == "X1":
        r["status"] = "unsupported"
code, out, err = update(write_run("classes.json", split), "--dir", d5)
text = read(d5, "tool+c@1.0") or ""
ok(code == 0 and "P3[protocol=4]  [bug: tool#12]  splits the Var\n" in text
   and "X1  [unsupported: docs/limits.md]  no sub-interpreters\n" in text and "dropped" not in err,
   "a class and its citation stay with their line, split or kept; unsupported is still failing", text + err)

code, out, err = update(a, "--dir", d1, "--subject", "tool+v@9")
ok(code == 2 and "no run has subject tool+v@9" in err and "tool+v@2.0" in err, "an unknown subject: exit 2, with a suggestion", err)
code, out, err = update(os.path.join(tmp, "missing.json"), "--dir", d1)
ok(code == 2 and "no such file" in err, "a missing run: exit 2", err)

shutil.rmtree(tmp)
finish()
