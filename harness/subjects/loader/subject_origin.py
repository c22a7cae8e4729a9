"""How the results pages show where a real tool came from, from the
"subjects" entries of a results file (ffi_adapters.describe()): origin
("pypi", "wheel", "directory", "interpreter", "debian", "stdlib", "build"),
yanked and yanked_reason, sha256 (a wheel), commit (a source directory),
path. Every field is optional: files written before provenance was
recorded have none, and then nothing is shown.

A yanked release is one its maintainers withdrew from PyPI (pip installs
it only when pinned): results from it hold for that exact release, which
a reader may want to weigh, so every page marks it where the name shows."""

ORIGIN_WORDS = {"pypi": "PyPI", "build": "PyPI (build time)", "debian": "Debian",
                "stdlib": "standard library", "interpreter": "the interpreter's own"}


def origin(s):
    """A short line saying what was installed: 'wheel sha256 1a2b3c4d5e6f',
    'directory at 0abc123', 'PyPI', ...; '' when the entry does not say."""
    kind = s.get("origin")
    if kind == "wheel":
        return "wheel" + (f" sha256 {s['sha256'][:12]}" if s.get("sha256") else "")
    if kind == "directory":
        return "directory" + (f" at {s['commit'][:12]}" if s.get("commit") else " (no git commit)")
    return ORIGIN_WORDS.get(kind, kind or "")


def is_yanked(s):
    return bool(s.get("yanked"))


def yanked_reason(s):
    """Why the release was yanked, in the maintainers' words when pip gave them."""
    return s.get("yanked_reason") or "yanked on PyPI (no reason given)"
