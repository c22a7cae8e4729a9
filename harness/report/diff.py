"""What changed between two conformance runs, per subject, property and
parameter (make diff BASE=a.json NEW=b.json MAP='A=B ...').

Pairs each subject of BASE with the subject of the same name in NEW, and
the map pairs others (harness/subjects/loader/subject_map.py: 'tvm-ffi@0.1.13=
tvm-ffi@0.1.15.post2' also maps each variant). BASE and NEW may be one
file: then only the map's pairs are compared. For each pair, every test
point (property, parameter) whose status moved, with the reasons of both
runs:
  newly failing       passed in BASE, fails in NEW; counted whatever the
                      expectations say, and marked expected or not (the
                      NEW record's expected_fail)
  newly passing       failed in BASE, passes in NEW
  failing differently fails in both, for another reason
  now skipped         ran in BASE, skipped in NEW (and "now run", the other
                      way: skipped in BASE, passes or fails in NEW)
  only in BASE/NEW    a test point one run has and the other lacks
Grouped by subject pair, a property's parameters on one line (the bare id
when every parameter of it moved alike, as in expectation files), then a
one-line summary. Addresses (0x...) are left out of the reasons, so two
diffs of the same runs are the same text.

Exit status: 1 when something newly fails, 0 otherwise, 2 on bad input (a
file missing or unreadable, a map naming a subject of neither file, or no
subject paired at all).
"""
import argparse
import collections
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, "..", "subjects", "loader")]
import conformance_results as results      # noqa: E402
import subject_map  # noqa: E402
from failure_classes import FAILED  # noqa: E402  fail, and unsupported (a failure of its own kind)

# The kinds of change, in the order a pair's section lists them.
KINDS = ("newly failing", "newly passing", "failing differently", "now skipped", "now run",
         "only in BASE", "only in NEW")


def plain(reason, *names):
    """A reason without what differs between runs that say the same thing:
    addresses, and the subject's own name (skip reasons quote it)."""
    reason = re.sub(r"0x[0-9a-f]{6,}", "0x...", reason or "")
    for name in names:
        reason = reason.replace(name, "SUBJECT")
    return reason


def kind(old, new):
    """The kind of change from record old to record new (None: either
    absent), or None when nothing a reader needs changed."""
    if old is None:
        return "only in NEW"
    if new is None:
        return "only in BASE"
    a, b = old["status"], new["status"]
    if a == b:
        return "failing differently" if a in FAILED and old["_plain"] != new["_plain"] else None
    if a == "pass" and b in FAILED:
        return "newly failing"
    if a in FAILED and b == "pass":
        return "newly passing"
    if b == "skip":
        return "now skipped"
    if a == "skip":
        return "now run"
    return f"{a} -> {b}"   # a status this tool does not know yet


def points(data):
    """subject -> {(property, param): record}."""
    out = collections.defaultdict(dict)
    for r in data["results"]:
        out[r["subject"]][(r["property"], r["param"])] = r
    return out


def not_run(recs):
    """The reason a subject ran nothing (every record a skip: its tool is
    not installed), else None."""
    if recs and all(r["status"] == "skip" for r in recs.values()):
        return next(iter(recs.values()))["reason"] or "every test point skipped"
    return None


class Change:
    def __init__(self, kind, prop, params, old, new):
        self.kind, self.prop, self.params, self.old, self.new = kind, prop, params, old, new


def changes(base, new, base_name, new_name, order):
    """[Change] between two subjects' test points, one per (kind, property)."""
    for recs in (base, new):
        for r in recs.values():
            r["_plain"] = plain(r["reason"], base_name, new_name)
    grouped = collections.OrderedDict()
    keys = sorted(set(base) | set(new), key=lambda k: (order.get(k[0], len(order)), k[0], k[1]))
    for key in keys:
        o, n = base.get(key), new.get(key)
        k = kind(o, n)
        if k:
            grouped.setdefault((k, key[0]), []).append((key[1], o, n))
    out = []
    for (k, prop), items in grouped.items():
        out.append(Change(k, prop, [p for p, _, _ in items], [o for _, o, _ in items], [n for _, _, n in items]))
    return out


def label(change, base, new):
    """P3, or P3[protocol=2,protocol=4] when not every parameter moved so."""
    every = {p for (prop, p) in list(base) + list(new) if prop == change.prop}
    if set(change.params) == every:
        return change.prop
    return f"{change.prop}[{','.join(change.params)}]"


def reasons(params, recs):
    """The distinct reasons of recs as lines: one bare, several with their params."""
    by = collections.OrderedDict()
    for p, r in zip(params, recs):
        if r is not None and r["status"] != "pass":
            by.setdefault(re.sub(r"0x[0-9a-f]{6,}", "0x...", r["reason"]) or "(no reason given)", []).append(p)
    if len(by) <= 1:
        return list(by)
    return [f"[{','.join(ps)}] {reason}" for reason, ps in by.items()]


def expected_note(recs):
    failed = [r for r in recs if r is not None and r["status"] in FAILED]
    hits = sum(bool(r["expected_fail"]) for r in failed)
    if not failed:
        return ""
    if hits == len(failed):
        return "expected"
    return "NOT expected" if hits == 0 else f"expected for {hits} of {len(failed)}"


def section(base_name, new_name, base, new, order):
    """The lines of one pair, and its changes."""
    head = base_name if base_name == new_name else f"{base_name} -> {new_name}"
    gone, absent = not_run(new), not_run(base)
    if gone and not absent:
        return [head, f"  not run in NEW: {plain(gone)}"], []
    if absent and not gone:
        return [head, f"  not run in BASE: {plain(absent)}"], []
    found = changes(base, new, base_name, new_name, order)
    if not found:   # said only of a mapped pair: a subject unchanged under its own name is the rule
        return ([f"{head}: no change"] if base_name != new_name else []), []
    lines = [head]
    for c in found:
        note = expected_note(c.new) if c.kind in ("newly failing", "failing differently", "now run") else ""
        lines.append(f"  {c.kind:20} {label(c, base, new)}" + (f"  ({note})" if note else ""))
        was, now = reasons(c.params, c.old), reasons(c.params, c.new)
        lines += [f"      was: {w}" for w in was if w not in now or c.kind != "failing differently"]
        lines += [f"      now: {w}" for w in now]
    return lines, found


def parse_args(argv):
    ap = argparse.ArgumentParser(prog="harness/report diff", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("base", metavar="BASE.json", help="the earlier run (build/conformance --json)")
    ap.add_argument("new", metavar="NEW.json", help="the later run; may be BASE itself, with --map")
    ap.add_argument("--map", action="append", default=[], metavar="'A=B ...'",
                    help="pair subject A of BASE with subject B of NEW (repeatable; a version-level "
                         "entry TOOL@V1=TOOL@V2 maps every variant too)")
    return ap.parse_args(argv)


def main(argv):
    args = parse_args(argv)
    try:
        base_data, new_data = results.load(args.base), results.load(args.new)
        same = os.path.samefile(args.base, args.new)
        base, new = points(base_data), points(new_data)
        entries = [e for text in args.map for e in subject_map.parse(text)]
        pairs = subject_map.pairs(list(base), list(new), entries, same_run=same)
        pairs.sort(key=lambda bn: list(base).index(bn[0]))   # as BASE lists its subjects
    except (results.Error, subject_map.MapError, OSError) as e:
        print(f"diff: {e}", file=sys.stderr)
        return 2
    if not pairs:
        print(f"diff: no subject of {args.base} pairs with one of {args.new}"
              + (" (one file against itself compares only what --map pairs)" if same else
                 "; name the pairs with MAP='BASE_SUBJECT=NEW_SUBJECT ...'"), file=sys.stderr)
        return 2
    order = {p["id"]: k for k, p in enumerate(new_data.get("properties") or base_data.get("properties") or [])}
    totals = collections.Counter()
    points_failing, failing_props, expected_points = 0, [], 0
    out = []
    for b, n in pairs:
        lines, found = section(b, n, base[b], new[n], order)
        if lines:
            out += lines + [""]
        for c in found:
            totals[c.kind] += 1
            if c.kind == "newly failing":
                points_failing += len(c.params)
                expected_points += sum(bool(r["expected_fail"]) for r in c.new)
                if c.prop not in failing_props:
                    failing_props.append(c.prop)
    if not same:
        paired_b, paired_n = {b for b, _ in pairs}, {n for _, n in pairs}
        for side, names in (("BASE", [x for x in base if x not in paired_b]),
                            ("NEW", [x for x in new if x not in paired_n])):
            if names:
                out.append(f"subjects only in {side} (not compared): {', '.join(names)}")
    print("\n".join(out).rstrip("\n") + ("\n" if out else ""), end="")
    failing_props.sort(key=lambda p: (order.get(p, len(order)), p))
    expected = ("all expected" if expected_points == points_failing else
                "none expected" if not expected_points else f"{expected_points} expected")
    failing = (f"newly failing: {' '.join(failing_props)} ({points_failing} test points, {expected})"
               if failing_props else "nothing newly failing")
    rest = "".join(f"; {k}: {totals[k]}" for k in KINDS[1:] if totals[k])
    print(f"diff: {len(pairs)} subject pair(s) compared; {failing}{rest} (properties, counted per pair)")
    return 1 if failing_props else 0


if __name__ == "__main__":
    sys.exit(f"{os.path.basename(__file__)} is part of harness/report: run python3 harness/report COMMAND (no COMMAND lists them)")
