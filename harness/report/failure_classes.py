"""Failure classes: what kind of failure an expected failure of a real
tool is, and who says so. An expectation line carries one as the head of
its reason, `ID  [CLASS: CITATION]  reason` (harness/driver/expect.h); the
runner copies both into the result record ("class", "citation") and
reports a failure of class unsupported with the status "unsupported".

A reader of the matrix must be able to tell a tool's bug from a trade-off
its authors chose and from a use they rule out, and check each against its
source; so make conformance refuses a real tool's failure without both."""

CLASSES = {
    "bug": "a bug of the tool: an upstream issue, or our own reproduction (\"repro\")",
    "limit": "a documented limitation or design trade-off: the documentation or source that shows it",
    "unsupported": "a use the tool declares unsupported: does not count against its score",
}

# Record statuses that are failures, and those of them that count against a score.
FAILED = ("fail", "unsupported")


def problem(record):
    """Why a real tool's failing record is not properly classified, or None."""
    cls, citation = record.get("class", ""), record.get("citation", "")
    if record["status"] not in FAILED:
        return None
    if not record.get("expected_fail"):
        return "not in its expectations file at all"
    if not cls:
        return "no [CLASS: CITATION] in its expectations line"
    if cls not in CLASSES:
        return f"class {cls!r} is not one of {', '.join(CLASSES)}"
    if not citation:
        return f"class {cls} without a citation"
    return None


def unclassified(data, real):
    """[(subject, property, param, why)] for the real subjects' failures
    that lack a known class or a citation."""
    out = []
    for r in data["results"]:
        why = problem(r) if r["subject"] in real else None
        if why:
            out.append((r["subject"], r["property"], r["param"], why))
    return out


def label(record):
    """"limit: CITATION" for a classified record, "" otherwise."""
    cls = record.get("class", "")
    return f"{cls}: {record.get('citation') or 'no citation'}" if cls else ""
