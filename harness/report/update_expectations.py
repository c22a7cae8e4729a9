"""Writes or updates subjects' expectation files from conformance runs, as
web-platform-tests' update-expectations does (make update-expectations).

usage: harness/report update-expectations RUN.json [RUN.json...] [--subject NAME]...
           [--dir DIR] [--dry-run] [--drop-flaky]

For each subject of the runs (or each --subject), DIR/NAME.txt (DIR:
conformance/expectations) is made to say what the runs measured:
  - a test point that failed in every run that ran it becomes an entry,
    `ID  reason` when it failed for every parameter of the property, else
    `ID[param]  reason`;
  - one that failed in some runs and passed in others becomes `ID?` or
    `ID[param]?` (may fail);
  - an existing entry still failing keeps its line, reason, failure class
    and citation and place, and the comments around it; a definite entry
    that now sometimes passes gains its '?';
  - an entry whose test points passed in every run that ran them is
    dropped and listed on stderr; a `?` entry is kept (a pass does not
    refute a result that depends on chance) unless --drop-flaky;
  - an entry none of the runs ran (a property skipped, or left out with
    --property) is kept as it is.
New entries go at the end under a comment saying they were measured and
still need their why, and no failure class: make conformance refuses a
real tool's until one is given. A subject without its own file starts from the file
the runner would have read for it (the nearest older version's, or the
tool's); when that file needs a change, the subject gets a file of its own
and the shared one stays as it is. Skipped test points never make entries.

--dry-run prints what would change as a unified diff and writes nothing.
Exit status: 0, or 2 on bad input (a run unreadable, a subject in no run).
"""
import argparse
import collections
import difflib
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, "..", "subjects", "loader")]
import expectation_file  # noqa: E402
import failure_classes   # noqa: E402
import conformance_results as results           # noqa: E402
import subject_name      # noqa: E402

TREE_DIR = os.path.relpath(os.path.join(HERE, "expectations"))


def verdicts(runs, subject):
    """(property, param) -> "fail" (failed in every run that ran it),
    "flaky" (failed in some, passed in others) or "pass", with the first
    failure's reason; points no run ran are absent."""
    seen = collections.OrderedDict()
    for data in runs:
        for r in data["results"]:
            if r["subject"] == subject and r["status"] in ("pass",) + failure_classes.FAILED:
                seen.setdefault((r["property"], r["param"]), []).append(r)
    out = collections.OrderedDict()
    for key, recs in seen.items():
        failed = [r for r in recs if r["status"] in failure_classes.FAILED]
        v = "pass" if not failed else "fail" if len(failed) == len(recs) else "flaky"
        out[key] = (v, re.sub(r"0x[0-9a-f]{6,}", "0x...", failed[0]["reason"]) if failed else "")
    return out


def wanted(points, order):
    """key -> (prop, param or None, may, reason): the entries the runs call
    for, a property's parameters folded into its bare id when every one
    that ran failed alike."""
    by_prop = collections.OrderedDict()
    for (prop, param), v in points.items():
        by_prop.setdefault(prop, []).append((param, v))
    out = collections.OrderedDict()
    for prop in sorted(by_prop, key=lambda p: order.get(p, len(order))):
        params = by_prop[prop]
        failing = [(param, v) for param, v in params if v[0] != "pass"]
        if not failing:
            continue
        kinds = {v[0] for _, v in failing}
        if len(failing) == len(params) and len(kinds) == 1:
            out[prop] = (prop, None, kinds == {"flaky"}, failing[0][1][1])
            continue
        for param, (v, reason) in failing:
            out[f"{prop}[{param}]"] = (prop, param, v == "flaky", reason)
    return out


def update(lines, points, want, drop_flaky):
    """The file's lines made to agree with the runs; returns (lines,
    dropped keys, added keys)."""
    want = collections.OrderedDict(want)
    folded = set()   # properties whose per-parameter lines became one bare id
    out, dropped = [], []

    def ran(line):
        return [v for (prop, param), (v, _) in points.items()
                if prop == line.prop and (line.param is None or param == line.param)]

    for line in lines:
        if not line.is_entry:
            out.append(line)
            continue
        if line.key in want:
            may = want.pop(line.key)[2]
            line.may = line.may or may
            out.append(line)
        elif line.param is None and any(w[0] == line.prop for w in want.values()):
            # Fails now for some parameters only: one line each, the reason kept.
            for key in [k for k, w in want.items() if w[0] == line.prop]:
                _, param, may, _ = want.pop(key)
                out.append(expectation_file.entry(line.prop, param, may or line.may, line.reason,
                                                  line.failure_class, line.citation))
        elif line.param is not None and line.prop in want:
            # Fails now for every parameter: the first of its lines becomes the bare id.
            _, _, may, _ = want.pop(line.prop)
            out.append(expectation_file.entry(line.prop, None, may or line.may, line.reason,
                                              line.failure_class, line.citation))
            folded.add(line.prop)
        elif line.param is not None and line.prop in folded:
            continue   # folded into the bare id above
        elif not ran(line) or (line.may and not drop_flaky):
            out.append(line)
        else:
            dropped.append(line.key + ("?" if line.may else ""))
    added = list(want)
    if want:
        if out and out[-1].render().strip():
            out.append(expectation_file.Line(""))
        out.append(expectation_file.Line("# Measured by make update-expectations; still to be explained:"))
        out += [expectation_file.entry(prop, param, may, reason) for prop, param, may, reason in want.values()]
    return out, dropped, added


def existing(dirs, subject):
    """(path of the file to start from, how it was found, its lines)."""
    path, how = subject_name.expectation_file(dirs, subject)
    if not path:
        return None, "none", []
    with open(path) as f:
        return path, how, expectation_file.parse(f.read())


def parse_args(argv):
    ap = argparse.ArgumentParser(prog="harness/report update-expectations", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("runs", nargs="+", metavar="RUN.json", help="conformance runs (build/conformance --json)")
    ap.add_argument("--subject", action="append", default=[], metavar="NAME",
                    help="update this subject's file only (repeatable; default: every subject of the runs)")
    ap.add_argument("--dir", default=TREE_DIR, help="where the files are written (default: the tree's)")
    ap.add_argument("--dry-run", action="store_true", help="print the changes as a diff, write nothing")
    ap.add_argument("--drop-flaky", action="store_true", help="drop `?` entries that passed in every run too")
    return ap.parse_args(argv)


def main(argv):
    args = parse_args(argv)
    try:
        runs = [results.load(p) for p in args.runs]
    except results.Error as e:
        print(f"update-expectations: {e}", file=sys.stderr)
        return 2
    every = list(dict.fromkeys(s for data in runs for s in results.subjects(data)))
    unknown = [s for s in args.subject if s not in every]
    if unknown:
        for s in unknown:
            near = difflib.get_close_matches(s, every, n=3)
            print(f"update-expectations: no run has subject {s}"
                  + (f" (did you mean {', '.join(near)}?)" if near else ""), file=sys.stderr)
        return 2
    order = {p["id"]: k for k, p in enumerate(runs[-1].get("properties", []))}
    dirs = [args.dir] + ([TREE_DIR] if os.path.abspath(args.dir) != os.path.abspath(TREE_DIR) else [])
    changed = 0
    for subject in args.subject or every:
        points = verdicts(runs, subject)
        src, how, lines = existing(dirs, subject)
        want = wanted(points, order)
        if not lines and not want:
            continue   # passes everything and has no file: nothing to write
        if not lines:
            lines = [expectation_file.Line(f"# Expected failures of {subject}: property id, then why. "
                                           "Measured, then explained.")]
        source = expectation_file.render(lines)
        new_lines, dropped, added = update(lines, points, want, args.drop_flaky)
        after = expectation_file.render(new_lines)
        for key in dropped:
            print(f"update-expectations: {subject}: dropped {key} (passed in every run that ran it)",
                  file=sys.stderr)
        if after == source and how != "none":
            continue   # the file the runner reads for it already agrees, wherever it is
        before = source if how == "own" else ""
        changed += 1
        target = os.path.join(args.dir, subject + ".txt")
        origin = "" if how in ("own", "none") else f" (starting from {os.path.basename(src)}, the {how} file)"
        if args.dry_run:
            sys.stdout.writelines(difflib.unified_diff(before.splitlines(True), after.splitlines(True),
                                                       target if before else "/dev/null", target))
            if origin:
                print(f"# {target}{origin}")
            continue
        os.makedirs(args.dir, exist_ok=True)
        with open(target + ".tmp", "w") as f:
            f.write(after)
        os.replace(target + ".tmp", target)
        print(f"update-expectations: wrote {target}{origin}: {len(added)} added, {len(dropped)} dropped")
    if not changed:
        print("update-expectations: every expectation file already says what the runs measured")
    return 0


if __name__ == "__main__":
    sys.exit(f"{os.path.basename(__file__)} is part of harness/report: run python3 harness/report COMMAND (no COMMAND lists them)")
