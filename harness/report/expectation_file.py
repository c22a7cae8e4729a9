"""An expectation file, read as lines that keep their text (the format is
harness/driver/expect.h's, which the runner reads):

    ID  reason            ID fails for every parameter
    ID[param]  reason     for that parameter
    ID?  /  ID[param]?    may fail (a result that depends on chance)
    ID  [CLASS: CITATION]  reason
                          classified: bug, limit or unsupported, and
                          who says so (failure_classes.py)
    # comment, blank lines

Each line is a Line: an entry (key, may, failure_class, citation,
reason) or anything else kept
verbatim, so a file rewritten with its entries changed keeps its comments
and order."""
import re

# What the runner's parser holds (harness/driver/expect.c): longer keys and
# reasons are cut there, so none is written longer.
KEY_MAX = 63
REASON_MAX = 240
_ENTRY = re.compile(r"^\s*(?P<key>[^\s#]+)\s*(?P<reason>.*?)\s*$")
# The optional head of a reason, as harness/driver/expect.c reads it.
_CLASS = re.compile(r"^\[(?P<cls>[a-z]+)(?::(?P<citation>[^\]]*))?\]\s*")


class Line:
    def __init__(self, text, key=None, may=False, reason="", failure_class="", citation=""):
        self.text, self.key, self.may, self.reason = text, key, may, reason
        self.failure_class, self.citation = failure_class, citation
        self._read_may = may   # a line read from a file keeps its text unless this changes

    @property
    def is_entry(self):
        return self.key is not None

    @property
    def prop(self):
        """The property id of an entry: P3 for both P3 and P3[protocol=2]."""
        return self.key.split("[", 1)[0]

    @property
    def param(self):
        """The parameter of an entry, None when it covers every one."""
        return self.key[len(self.prop) + 1:-1] if "[" in self.key else None

    def render(self):
        if self.text is not None and (not self.is_entry or self.may == self._read_may):
            return self.text
        tag = f"{class_tag(self.failure_class, self.citation)}  " if self.failure_class else ""
        return f"{self.key}{'?' if self.may else ''}  {tag}{self.reason}".rstrip()


def class_tag(failure_class, citation):
    """The "[CLASS: CITATION]" that heads a classified entry's reason."""
    return f"[{failure_class}: {citation}]" if citation else f"[{failure_class}]"


def split_class(reason):
    """(failure_class, citation, the rest of the reason); the class and
    citation are "" when the reason has no [CLASS: CITATION] head."""
    m = _CLASS.match(reason)
    if not m:
        return "", "", reason
    return m["cls"], (m["citation"] or "").strip(), reason[m.end():]


def entry(prop, param, may, reason, failure_class="", citation=""):
    key = prop if param is None else f"{prop}[{param}]"
    reason = " ".join(reason.split())
    if len(reason) > REASON_MAX:
        reason = reason[:REASON_MAX - 3].rstrip() + "..."
    if len(key) > KEY_MAX:
        raise ValueError(f"expectation key {key!r} is longer than the runner reads ({KEY_MAX})")
    return Line(None, key, may, reason or "expected to fail", failure_class, citation)


def parse(text):
    lines = []
    for raw in text.splitlines():
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            lines.append(Line(raw))
            continue
        m = _ENTRY.match(raw)
        key = m["key"]
        may = key.endswith("?")
        failure_class, citation, reason = split_class(m["reason"])
        lines.append(Line(raw, key[:-1] if may else key, may, reason, failure_class, citation))
    return lines


def render(lines):
    return "".join(line.render() + "\n" for line in lines)
