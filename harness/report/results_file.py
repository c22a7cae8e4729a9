"""Reading a results file, the same way for every kind: an error that says
which file and what is wrong with it, never a traceback."""
import json


class Error(Exception):
    """A results file that cannot be used; the message says why."""


def read_json(path, what):
    """The parsed JSON of path; Error when it is missing or not JSON
    (what names the kind of file expected: "benchmark JSON", ...)."""
    try:
        with open(path) as f:
            return json.load(f)
    except FileNotFoundError:
        raise Error(f"{path}: no such file") from None
    except (OSError, ValueError) as e:
        raise Error(f"{path}: cannot read it as {what} ({e})") from None
