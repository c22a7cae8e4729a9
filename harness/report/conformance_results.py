"""Reading a conformance results file (build/conformance --json) of either
generation, for every tool that reads one (matrix, diff, update
expectations, the results page).

Files written before subject names put the variant first carry records
keyed "impl" with names TOOL@VERSION+VARIANT; today's carry "subject" with
TOOL+VARIANT@VERSION. load() gives every record a "subject" in today's
form (and the header's subjects their names in it), so readers look at one
key and one spelling. canonical() is applied to old files only: in a new
one, a '+' after '@' is a PEP 440 local version, not a variant."""
import json
import os
import sys

from results_file import Error, read_json

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "subjects", "loader"))
import subject_name  # noqa: E402




def normalise(data, where="results"):
    """data with every record's "subject" in today's form; in place."""
    if not isinstance(data, dict) or not isinstance(data.get("results"), list):
        raise Error(f"{where}: not a conformance results file (no \"results\" list)")
    old = any("impl" in r and "subject" not in r for r in data["results"])
    rename = subject_name.canonical if old else (lambda name: name)
    for r in data["results"]:
        if "subject" not in r:
            if "impl" not in r:
                raise Error(f"{where}: a record names no subject: {json.dumps(r)[:120]}")
            r["subject"] = rename(r.pop("impl"))
        for key in ("property", "status"):
            if key not in r:
                raise Error(f"{where}: a record has no {key!r}: {json.dumps(r)[:120]}")
        r.setdefault("param", "")
        r.setdefault("reason", "")
        r.setdefault("expected_fail", False)
    data["subjects"] = [dict(s, name=rename(s["name"])) for s in data.get("subjects", [])]
    data["controls"] = [rename(c) for c in data.get("controls", [])]
    return data


def load(path):
    data = read_json(path, "conformance JSON")
    return normalise(data, path)


def subjects(data):
    """The subjects that have records, in the order the run wrote them."""
    return list(dict.fromkeys(r["subject"] for r in data["results"]))
