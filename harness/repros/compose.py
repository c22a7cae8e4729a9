"""Which failing cells of a conformance run get a repro, and writing them.

A repro is a kit (kits.py: the tool's binding, cut to what the property
uses) and a scenario (scenarios/ID.py: the property, written as a short
script against the kit's names), composed into one directory:

    SUBJECT/PROPERTY/README.md   what fails, the measured reason, its class and citation
                     repro.py    the script: exit status 1 when the property fails, 0 when it holds
                     build.sh    compiled tools: the one command that builds the module repro.py imports
                     ...         the sources build.sh compiles
"""
import json
import os
import re
import shutil

import kits
import sections

HERE = os.path.dirname(os.path.abspath(__file__))
SCENARIOS = os.path.join(HERE, "scenarios")
FAILED = ("fail",)
SOURCES = ".sources"   # in a compiled tool's repro: the files build.sh compiles (for the check's cache)   # "unsupported" is a use the tool declares unsupported, not a failure of it


class Scenario:
    """scenarios/ID.py: metadata lines (# title:, # needs:, # uses:, # include:), then the body."""

    def __init__(self, prop):
        self.prop = prop
        self.path = os.path.join(SCENARIOS, f"{prop}.py")
        meta, body = {}, []
        with open(self.path) as f:
            lines = f.read().splitlines(keepends=True)
        for k, line in enumerate(lines):
            m = re.match(r"# (title|needs|uses|include): (.*)$", line)
            if not m:
                body = lines[k:]
                break
            meta[m.group(1)] = m.group(2).strip()
        self.title = meta.get("title", prop)
        self.needs = frozenset(meta.get("needs", "").split())
        self.uses = frozenset(meta.get("uses", "").split())
        self.include = meta.get("include", "").split()
        self.body = "".join(body)


def scenario(prop):
    return Scenario(prop) if os.path.exists(os.path.join(SCENARIOS, f"{prop}.py")) else None


def subject_info(data):
    """name -> the run's record of each real subject (tool, version, variant, ...)."""
    return {s["name"]: s for s in data.get("subjects", [])}


def family(info):
    return info["tool"] + (f"+{info['variant']}" if info.get("variant") else "")


def verdicts(data):
    """(subject, property) -> [records]."""
    out = {}
    for r in data["results"]:
        out.setdefault((r["subject"], r["property"]), []).append(r)
    return out


def passed(records):
    return bool(records) and all(r["status"] == "pass" for r in records)


class Cell:
    """One failing (real subject, property) and what becomes of it."""

    def __init__(self, subject, prop, records, info, kit, scen, why):
        self.subject, self.prop, self.records, self.info = subject, prop, records, info
        self.kit, self.scenario = kit, scen
        self.why = why   # why there is no repro ("" when there is one)
        self.passes_on = []   # other subjects of the tool where the property passes

    @property
    def failed(self):
        return [r for r in self.records if r["status"] in FAILED]

    @property
    def features(self):
        """What the composed repro's sections see: its needs, what it uses of the kit, the kit's flags."""
        if not (self.kit and self.scenario):
            return frozenset()
        have = self.scenario.needs | (self.scenario.uses & self.kit.has) | self.kit.flags
        # contrast(): the helper for another form of the binding, where the scenario shows one
        return have | ({"contrast"} if "contrast(" in sections.select(self.scenario.body, have) else set())

    def dirname(self):
        return os.path.join(self.subject, self.prop)


def kit_and_scenario(info, prop):
    """(kit, scenario, why not) for a subject and property."""
    kit = kits.kit_for(family(info)) if info else None
    scen = scenario(prop)
    if info is None:
        return None, scen, "not a real tool of this run"
    if kit is None:
        return None, scen, f"no repro kit for {family(info)} (harness/repros/kits.py)"
    if scen is None:
        return kit, None, f"no scenario for {prop} (harness/repros/scenarios/)"
    missing = sorted(scen.needs - kit.has)
    if missing:
        return kit, scen, "; ".join(f"the {kit.family} kit has no {f}" +
                                    (f": {kit.why_not[f]}" if f in kit.why_not else "") for f in missing)
    return kit, scen, ""


def plan(data):
    """Every failing cell of a real subject, in the run's order, with its kit
    and scenario or the reason it has no repro, and where it passes."""
    info = subject_info(data)
    by = verdicts(data)
    props = [p["id"] for p in data.get("properties", [])] or list(dict.fromkeys(p for _, p in by))
    cells = []
    for subject in info:
        for prop in props:
            records = by.get((subject, prop), [])
            if not any(r["status"] in FAILED for r in records):
                continue
            kit, scen, why = kit_and_scenario(info[subject], prop)
            cell = Cell(subject, prop, records, info[subject], kit, scen, why)
            for other, oinfo in info.items():
                if other != subject and oinfo["tool"] == info[subject]["tool"] and passed(by.get((other, prop))):
                    cell.passes_on.append(other)
            cells.append(cell)
    return cells


def label(info):
    return f"{info['tool']} {info['version']}" + (f" +{info['variant']}" if info.get("variant") else "")


def failure_class(records):
    """"CLASS: CITATION" of the failing records (first), or ""."""
    for r in records:
        if r.get("class"):
            return f"{r['class']}: {r.get('citation', '')}".rstrip(": ")
    return ""


def without_addresses(text):
    return re.sub(r"0x[0-9a-fA-F]+", "0x…", text)


# ---------------------------------------------------------------- composing

def _read(path, have):
    with open(path) as f:
        return sections.select(f.read(), have, path)


def _split_imports(text):
    """(the import lines text starts with, the rest)."""
    lines = text.splitlines(keepends=True)
    k = 0
    while k < len(lines) and (re.match(r"(import |from \S+ import )", lines[k]) or not lines[k].strip()):
        k += 1
    return [ln.rstrip("\n") for ln in lines[:k] if ln.strip()], "".join(lines[k:])


def _imports_block(lines):
    plain = sorted({ln for ln in lines if ln.startswith("import ")})
    froms = list(dict.fromkeys(ln for ln in lines if ln.startswith("from ")))
    return "\n".join(plain + froms)


def repro_script(cell, data):
    """The text of repro.py."""
    have = cell.features
    kit, scen = cell.kit, cell.scenario
    kit_text = _read(kit.path(kit.python), have)
    kit_imports, kit_body = _split_imports(kit_text)
    helpers = _read(os.path.join(SCENARIOS, "_helpers.py"), have)
    includes = "".join(_read(os.path.join(SCENARIOS, f"_{name}.py"), have) + "\n\n" for name in scen.include)
    body = sections.select(scen.body, have, scen.path)
    body_imports, body = _split_imports(body)
    if includes:
        body_imports.append("import random")
    names = {p["id"]: p for p in data.get("properties", [])}
    p = names.get(cell.prop, {})
    reason = without_addresses(cell.failed[0]["reason"]) if cell.failed else ""
    doc = [f"{label(cell.info)}: {scen.title}.", ""]
    if reason:
        doc.append(f"Measured by the ffi-identity suite ({cell.prop} {p.get('name', '')}): {reason}")
    if failure_class(cell.records):
        doc.append(f"Class: {failure_class(cell.records)}")
    doc += ["", ("sh build.sh && " if kit.build else "") + "python3 repro.py   "
                "(exit status 1: the property fails; 0: it holds)"]
    doc_text = "\n".join(_wrap(line) for line in doc).replace('"""', "'''")
    head = _imports_block(["import os", "import platform", "import sys"] + body_imports + kit_imports)
    return (f'"""{doc_text}\n"""\n{head}\n\n{kit_body.rstrip()}\n\n\n# ---- the check\n'
            f"{helpers.rstrip()}\n\n\n{includes}{body.rstrip()}\n")


def _wrap(line, width=100):
    """A docstring line wrapped at spaces."""
    out, cur = [], ""
    for word in line.split(" "):
        if cur and len(cur) + 1 + len(word) > width:
            out.append(cur)
            cur = word
        else:
            cur = f"{cur} {word}" if cur else word
    return "\n".join(out + [cur])


def readme(cell, data):
    info, kit = cell.info, cell.kit
    names = {p["id"]: p for p in data.get("properties", [])}
    p = names.get(cell.prop, {})
    params = [r["param"] for r in cell.failed if r["param"]]
    lines = [f"# {label(info)}: {cell.prop} {p.get('name', '')} fails", "",
             f"{cell.scenario.title[:1].upper()}{cell.scenario.title[1:]}.", "",
             f"- The property: {p.get('checks', '')}.",
             f"- Why it matters: {p.get('why', '')}." if p.get("why") else "",
             f"- Measured by the suite{' (' + ', '.join(params) + ')' if params else ''}: "
             f"{without_addresses(cell.failed[0]['reason'])}" if cell.failed else "",
             f"- Failure class: {failure_class(cell.records) or 'none given'}",
             f"- Passes on: {', '.join(cell.passes_on)} (the same checks, against that version's or variant's binding)."
             if cell.passes_on else "", "", "## Run", "", "```sh"]
    install = kit.install_line(info)
    if install:
        lines.append(install)
    if kit.build:
        lines.append("sh build.sh        # builds the module repro.py imports")
    lines += ["python3 repro.py    # exit status 1: the property fails; 0: it holds", "```", ""]
    files = ["repro.py"] + (["build.sh"] if kit.build else []) + sorted(kit.files)
    lines += [f"Files: {', '.join(files)}. They use only {info['tool']}'s public API and the standard library. "
              "`make repros-check` adds output.txt, what the script printed on the suite's machine."]
    return "\n".join(line for k, line in enumerate(lines) if line or (k and lines[k - 1])) + "\n"


def write(cell, data, root):
    """Writes the cell's repro directory under root; returns its path."""
    out = os.path.join(root, cell.dirname())
    if os.path.isdir(out):
        shutil.rmtree(out)
    os.makedirs(out)
    have = cell.features
    files = {"repro.py": repro_script(cell, data), "README.md": readme(cell, data)}
    if cell.kit.build:
        files["build.sh"] = _read(cell.kit.path(cell.kit.build), have)
    for name, src in cell.kit.files.items():
        files[name] = _read(cell.kit.path(src), have)
    if cell.kit.build:
        files[SOURCES] = "\n".join(["build.sh"] + sorted(cell.kit.files)) + "\n"
    for name, text in files.items():
        with open(os.path.join(out, name), "w") as f:
            f.write(text)
    return out


def write_all(data, root, source=""):
    """Every repro of a run, and an index (README.md, index.json) of them
    and of the failing cells without one. Returns the plan."""
    cells = plan(data)
    os.makedirs(root, exist_ok=True)
    for cell in cells:
        if not cell.why:
            write(cell, data, root)
    index = [{"subject": c.subject, "property": c.prop, "repro": None if c.why else c.dirname(),
              "why_none": c.why, "class": failure_class(c.records), "passes_on": c.passes_on,
              "title": c.scenario.title if c.scenario else ""} for c in cells]
    with open(os.path.join(root, "index.json"), "w") as f:
        json.dump({"source": source, "repros": index}, f, indent=1)
    made = [c for c in cells if not c.why]
    lines = ["# Repros of the failing cells", "",
             f"From {source or 'a conformance run'}: {len(made)} of {len(cells)} failing cells of real tools "
             "have a repro (`make repros`; `make repros-check` runs them).", "",
             "| subject | property | repro | class |", "|---|---|---|---|"]
    for c in cells:
        where = f"[{c.dirname()}]({c.dirname()}/README.md)" if not c.why else f"none: {c.why}"
        lines.append(f"| `{c.subject}` | {c.prop} | {where} | {failure_class(c.records) or '–'} |")
    with open(os.path.join(root, "README.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    return cells
