"""Subject names: TOOL[+VARIANT][@VERSION].

A built-in model is STRATEGY+STYLE ("hashmap+node"); a real tool is
TOOL@VERSION or TOOL+VARIANT@VERSION ("tvm-ffi+slots@0.1.13"). The version
comes last and runs to the end of the name, so it may be any PEP 440
string, a local part included ("tvm-ffi@0.1.16.dev3+gabc1234").

Names written before results files carried a "subject" key put the variant
after the version ("tvm-ffi@0.1.13+slots"); canonical() reads them.

Pure functions, no imports beyond the standard library: the runners, the
results tools and the expectation lookup all use them."""
import os
import re


def split(name):
    """(tool, variant, version); variant and version "" when absent."""
    head, _, version = name.partition("@")
    tool, _, variant = head.partition("+")
    return tool, variant, version


def join(tool, variant="", version=""):
    return tool + (f"+{variant}" if variant else "") + (f"@{version}" if version else "")


def family(name):
    """The name without its version: TOOL or TOOL+VARIANT."""
    return name.partition("@")[0]


def canonical(name):
    """A name of the old form TOOL@VERSION+VARIANT (results files whose
    records say "impl") in today's form TOOL+VARIANT@VERSION; other names
    unchanged. Only for old files: today a '+' after '@' is a local version."""
    head, at, version = name.partition("@")
    if not at or "+" in head or "+" not in version:
        return name
    version, _, variant = version.partition("+")
    return join(head, variant, version)


_PEP440 = re.compile(
    r"^v?(?:(?P<epoch>\d+)!)?(?P<release>\d+(?:\.\d+)*)"
    r"(?:[-_.]?(?P<pre_l>a|b|c|rc|alpha|beta|pre|preview)[-_.]?(?P<pre_n>\d*))?"
    r"(?:-(?P<post_n1>\d+)|[-_.]?(?:post|rev|r)[-_.]?(?P<post_n2>\d*))?"
    r"(?:[-_.]?dev[-_.]?(?P<dev_n>\d*))?"
    r"(?:\+(?P<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?$", re.IGNORECASE)


def version_key(version):
    """A sort key ordering PEP 440 versions as pip does (1.0.dev1 < 1.0a1 <
    1.0 < 1.0.post1 < 1.0+local); None for a string that is not one."""
    m = _PEP440.match(version.strip())
    if not m:
        return None
    release = tuple(int(p) for p in m["release"].split("."))
    while len(release) > 1 and release[-1] == 0:
        release = release[:-1]
    inf = float("inf")
    pre = ({"alpha": "a", "beta": "b", "c": "rc", "pre": "rc", "preview": "rc"}.get(m["pre_l"].lower(), m["pre_l"].lower()),
           int(m["pre_n"] or 0)) if m["pre_l"] else None
    post = m["post_n1"] or m["post_n2"]
    has_post = m["post_n1"] is not None or m["post_n2"] is not None
    dev = int(m["dev_n"] or 0) if m["dev_n"] is not None else None
    # A dev release of a final sorts before its pre-releases.
    pre_key = pre if pre else (("", -1) if dev is not None and not has_post else ("z", inf))
    local = tuple((0, int(p), "") if p.isdigit() else (-1, 0, p)
                  for p in re.split(r"[-_.]", m["local"].lower())) if m["local"] else ()
    return (int(m["epoch"] or 0), release, pre_key, int(post or 0) if has_post else -1,
            dev if dev is not None else inf, local)


def expectation_file(dirs, name):
    """The expectation file for subject `name`, and why that one: the first
    of these found, each looked for in every directory of `dirs` (a list)
    in turn before the next kind:
      NAME.txt                   its own;
      FAMILY@OLDER.txt           the nearest older version's of the same
                                 tool and variant (in the first directory
                                 that has any);
      FAMILY.txt                 the tool's (a Debian release names another
                                 version).
    Returns (path, how) with how one of "own", "older", "family", or
    (None, "none")."""
    fam, version = family(name), split(name)[2]
    for d in dirs:
        if os.path.isfile(os.path.join(d, name + ".txt")):
            return os.path.join(d, name + ".txt"), "own"
    key = version_key(version) if version else None
    for d in dirs if key is not None else []:
        try:
            files = os.listdir(d)
        except OSError:
            files = []
        older = [(k, f) for f in files if f.startswith(fam + "@") and f.endswith(".txt")
                 for k in [version_key(f[len(fam) + 1:-4])] if k is not None and k < key]
        if older:
            return os.path.join(d, max(older)[1]), "older"
    for d in dirs if version else []:
        if os.path.isfile(os.path.join(d, fam + ".txt")):
            return os.path.join(d, fam + ".txt"), "family"
    return None, "none"
