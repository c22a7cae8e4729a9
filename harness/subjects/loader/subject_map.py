"""Pairing the subjects of two runs, for the tools that compare them
(harness/report/diff.py, harness/report/bench_results.py compare).

A subject pairs with the subject of the same name in the other run, and a
map pairs others: MAP='A=B C=D' puts subject A of the base run against
subject B of the new one (an upgrade, a fork of a tool, one's own build
against the release). A map between two versions of a tool with no variant
named, such as 'tvm-ffi@0.1.13=tvm-ffi@0.1.15.post2', maps each variant too
(tvm-ffi+slots@0.1.13 onto tvm-ffi+slots@0.1.15.post2): the variants are
the same bindings over another build, and comparing one without the others
would be an accident of spelling. A map with no version at all
('mytool=mytool') pairs the one version of the tool in each run.

Pure functions over names; standard library and subject_name only."""
import subject_name


class MapError(ValueError):
    """A map the runs cannot satisfy; the message says which name and why."""


def parse(text):
    """'A=B C=D' (spaces, commas or newlines between entries) -> [(A, B)]."""
    entries = []
    for item in text.replace(",", " ").split():
        base, eq, new = item.partition("=")
        if not eq or not base or not new or "=" in new:
            raise MapError(f"map entry {item!r} is not BASE_SUBJECT=NEW_SUBJECT")
        entries.append((base, new))
    return entries


def _variants(name, names):
    """The subjects among names that a version-level name (TOOL@VERSION,
    no variant) stands for beyond itself: TOOL+VARIANT@VERSION."""
    tool, variant, version = subject_name.split(name)
    if variant or not version:
        return []
    return sorted(n for n in names if (subject_name.split(n)[0], subject_name.split(n)[2]) == (tool, version)
                  and subject_name.split(n)[1])


def _check_side(name, have, other, side, other_side):
    if name in have or _variants(name, have):
        return
    if name in other or _variants(name, other):
        raise MapError(f"{name} is a subject of {other_side}, not of {side}: a map reads BASE=NEW "
                       "(swap the two names?)")
    raise MapError(f"{name} names no subject of {side} (nor of {other_side})")


def _by_family(entries, base_names, new_names):
    """Entries with no version on either side ('mytool=mytool'): the one
    version of that tool (or tool+variant) in BASE against the one in NEW,
    whatever both are, each variant with its own; a binding project's CI
    compares its last accepted build with the new one without knowing
    either version. MapError when a side has none, or several."""
    out = []
    for base, new in entries:
        if subject_name.split(base)[2] or subject_name.split(new)[2] or (base in base_names and new in new_names):
            out.append((base, new))   # versions named, or subjects with no version at all (the models)
            continue
        def versions(fam, names, side):
            tool, variant, _ = subject_name.split(fam)
            found = sorted({subject_name.split(n)[2] for n in names if subject_name.split(n)[0] == tool
                            and (not variant or subject_name.split(n)[1] == variant)
                            and subject_name.split(n)[2]})
            if len(found) != 1:
                raise MapError(f"{base}={new}: {side} has {len(found) or 'no'} version(s) of {fam}"
                               f"{' (' + ', '.join(found) + ')' if found else ''}; a map by tool needs one "
                               "on each side (name the versions: TOOL@OLD=TOOL@NEW)")
            return found[0]
        b_tool, b_variant, _ = subject_name.split(base)
        n_tool, n_variant, _ = subject_name.split(new)
        out.append((subject_name.join(b_tool, b_variant, versions(base, base_names, "BASE")),
                    subject_name.join(n_tool, n_variant, versions(new, new_names, "NEW"))))
    return out


def expand(entries, base_names, new_names):
    """[(base subject, new subject)] the map's entries stand for, each
    subject of the base run at most once (an explicit entry wins over a
    variant another implies). MapError when an entry names a subject that
    is in neither run, sits on the wrong side, or pairs nothing."""
    base_names, new_names = set(base_names), set(new_names)
    entries = _by_family(entries, base_names, new_names)
    explicit, implied = {}, {}
    for base, new in entries:
        _check_side(base, base_names, new_names, "BASE", "NEW")
        _check_side(new, new_names, base_names, "NEW", "BASE")
        if explicit.get(base, new) != new:
            raise MapError(f"{base} is mapped twice (onto {explicit[base]} and {new})")
        explicit[base] = new
        found = [(base, new)] if base in base_names and new in new_names else []
        n_tool, _, n_version = subject_name.split(new)
        if not subject_name.split(new)[1]:
            for b in _variants(base, base_names):
                n = subject_name.join(n_tool, subject_name.split(b)[1], n_version)
                if n in new_names:
                    found.append((b, n))
        if not found:
            raise MapError(f"{base}={new}: nothing of BASE pairs with NEW (no variant in common)")
        for b, n in found[1:]:
            implied.setdefault(b, n)
    pairs = dict(implied)
    pairs.update((b, n) for b, n in explicit.items() if b in base_names and n in new_names)
    return sorted(pairs.items())


def pairs(base_names, new_names, entries=(), same_run=False):
    """[(base subject, new subject)]: the map's pairs, then every name both
    runs have that the map does not already pair from BASE. In a run
    compared with itself (same_run) only the map's pairs: a subject against
    itself cannot differ."""
    mapped = expand(entries, base_names, new_names)
    taken = {b for b, _ in mapped}
    same = [] if same_run else [(n, n) for n in sorted(set(base_names) & set(new_names)) if n not in taken]
    return mapped + same
