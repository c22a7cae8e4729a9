"""The real binding tools under test, by subject name (TOOL@VERSION or
TOOL+VARIANT@VERSION), read from subjects.txt beside this file and from
the subjects.txt of each directory in $FFI_ADAPTERS (colon-separated: one's
own bindings, out of the tree; their adapter modules are imported from
there).

load(name) gives the subject's namespace: the surface the suite drives
(README.md in this directory). An adapter module either is that namespace
(protocol 1: module-level Var, Add, ..., available()) or builds one per
version and variant (protocol 2: subject(ns, version, variant) fills a
fresh module registered in sys.modules, so pickle finds its classes by
name). Unavailable subjects still load: available() says why not and what
to run.

Two versions of one importable package cannot share a process; load()
refuses the second with a message saying so (the runners give each
subject its own process)."""
import importlib
import os
import re
import subprocess
import sys
import types

import subject_name

HERE = os.path.dirname(os.path.abspath(__file__))
REGISTRY = os.path.join(HERE, "subjects.txt")


def registries():
    """subjects.txt files: the tree's, then one per $FFI_ADAPTERS directory."""
    extra = [d for d in os.environ.get("FFI_ADAPTERS", "").split(":") if d]
    return [REGISTRY] + [os.path.join(os.path.abspath(d), "subjects.txt") for d in extra]


def subjects_dir():
    """Where pip installs go: $FFI_SUBJECTS_DIR, else build/subjects of this checkout."""
    return os.environ.get("FFI_SUBJECTS_DIR") or os.path.join(HERE, "..", "..", "build", "subjects")


class Subject:
    """One line of subjects.txt, with its version resolved."""

    def __init__(self, tool, version_spec, variant, module, install, flags):
        self.tool, self.version_spec, self.module = tool, version_spec, module
        self.variant = "" if variant == "-" else variant
        self.install = [] if install == "-" else install.split(",")
        self.flags = set() if flags == "-" else set(flags.split(","))
        self.version = resolve_version(version_spec)
        self.name = subject_name.join(tool, self.variant, self.version)

    @property
    def family(self):
        """The name without the version: TOOL or TOOL+VARIANT."""
        return subject_name.join(self.tool, self.variant)

    @property
    def site(self):
        """The pip --target directory of this tool at this version."""
        return os.path.abspath(os.path.join(subjects_dir(), f"{self.tool}@{self.version}"))

    def runtime_packages(self):
        return [item[4:] for item in self.install if item.startswith("pip:")]

    def source(self):
        """Where the tool comes from, for results files."""
        kinds = {"pip": "PyPI", "build": "PyPI (build time)", "deb": "Debian"}
        if not self.install:
            return "Python standard library"
        return ", ".join(f"{kinds.get(i.split(':')[0], '?')} {i.split(':', 1)[1]}" for i in self.install)


_deb_versions = {}


def deb_versions(packages):
    """Looks up the upstream versions of Debian packages, all in one
    dpkg-query (one process per package cost every process that reads the
    registry, each spawned pool worker too, about 15 ms a package)."""
    wanted = sorted(set(packages) - set(_deb_versions))
    if not wanted:
        return
    found = {}
    try:
        out = subprocess.run(["dpkg-query", "-W", "-f", "${Package}|${Status}|${Version}\n", *wanted],
                             capture_output=True, text=True, timeout=20)
        for line in out.stdout.splitlines():   # an unknown package is only named on stderr
            package, status, version = (line.split("|") + ["", ""])[:3]
            if status.endswith(" installed") and version:
                # 2.10.3-1 -> 2.10.3; 1:2.0-3 -> 2.0 (epoch and Debian revision go)
                found[package.split(":")[0]] = re.sub(r"^\d+:|-[^-]*$", "", version)
    except (OSError, subprocess.TimeoutExpired):
        pass
    for package in wanted:
        _deb_versions[package] = found.get(package)


def deb_version(package):
    """The upstream version of an installed Debian package, or None."""
    deb_versions([package])
    return _deb_versions[package]


def resolve_version(spec):
    if spec == "python":
        return ".".join(map(str, sys.version_info[:3]))
    if spec.startswith("deb:"):
        return deb_version(spec[4:]) or "not-installed"
    return spec


_registry = None


def subjects():
    """Every subject of every registry, in file order."""
    global _registry
    if _registry is None:
        _registry, taken = [], {}
        for path in registries():
            try:
                f = open(path)
            except OSError as e:
                raise ImportError(f"$FFI_ADAPTERS names {os.path.dirname(path)}, which has no "
                                  f"readable subjects.txt ({e.strerror})") from None
            with f:
                rows = [(line, line.split("#", 1)[0].split()) for line in f]
            rows = [(line, fields) for line, fields in rows if fields]
            deb_versions(fields[1][4:] for _, fields in rows if len(fields) == 6 and fields[1].startswith("deb:"))
            for line, fields in rows:
                if len(fields) != 6:
                    raise ValueError(f"{path}: want 6 columns (tool version variant module install "
                                     f"flags), got {len(fields)}: {line.strip()}")
                s = Subject(*fields)
                if s.name in taken:
                    raise ValueError(f"{path}: subject {s.name} is listed already, in {taken[s.name]}")
                taken[s.name] = path
                _registry.append(s)
            home = os.path.dirname(path)
            if home != HERE and home not in sys.path:
                sys.path.append(home)   # its adapter modules
    return _registry


def names():
    return [s.name for s in subjects()]


def find(name):
    """The Subject called `name` (or the one version of a tool named alone:
    "ctypes"); ImportError listing the names if unknown."""
    name = resolve(name)
    for s in subjects():
        if s.name == name:
            return s
    raise ImportError(f"no adapter named {name!r}; adapters: {', '.join(names())}")


def resolve(name):
    """The full name for a tool with one version and variant ("ctypes" ->
    "ctypes@3.11.2"); any other name unchanged."""
    matches = [s.name for s in subjects() if s.tool == name]
    return matches[0] if len(matches) == 1 else name


def module_name(name):
    """The sys.modules name of a protocol-2 subject's namespace."""
    return "ffi_subject_" + re.sub(r"[^0-9A-Za-z]", "_", name)


_loaded = {}


def _use_site(s):
    """Put the subject's pip site first on sys.path, refusing a second
    version of a package this process has imported already."""
    if not s.runtime_packages():
        return
    for other in subjects():
        if other.tool == s.tool and other.version != s.version and other.site in sys.path:
            raise ImportError(f"{s.name} cannot share a process with {other.tool}@{other.version}, "
                              "loaded already: run each version in its own process")
    if s.site not in sys.path:
        sys.path.insert(0, s.site)


def load(name):
    """The namespace of subject `name` (loaded once per process)."""
    name = resolve(name)
    if name in _loaded:
        return _loaded[name]
    s = find(name)
    _use_site(s)
    mod = importlib.import_module(s.module)
    if hasattr(mod, "subject"):   # protocol 2: one namespace per version and variant
        ns = types.ModuleType(module_name(name), f"{name} through {s.module}")
        ns.tool, ns.version, ns.variant, ns.site = s.tool, s.version, s.variant, s.site
        ns.name = name
        sys.modules[ns.__name__] = ns
        mod.subject(ns, s.version, s.variant)
        ns.name = name
    else:                         # protocol 1: the module is the namespace
        ns = mod
    if s.version == "not-installed" and hasattr(ns, "available"):
        plain = ns.available
        pkgs = " ".join(i[4:] for i in s.install if i.startswith("deb:"))
        ns.available = lambda: (False, f"Debian package not installed: apt-get install {pkgs}") \
            if plain()[0] else plain()
    _loaded[name] = ns
    return ns


def process_group(name):
    """0 if `name` can share a process with every other group-0 subject;
    else k > 0: its tool has k newer versions listed (each imports its own
    copy of one package), so it needs a process of its own."""
    s = find(name)
    if not s.runtime_packages():
        return 0
    versions = []
    for other in subjects():
        if other.tool == s.tool and other.runtime_packages() and other.version not in versions:
            versions.append(other.version)
    return len(versions) - 1 - versions.index(s.version)


def extra_processes():
    """The subjects left out of a default run, one list per extra process."""
    groups = {}
    for s in subjects():
        g = process_group(s.name)
        if g:
            groups.setdefault(g, []).append(s.name)
    return [groups[g] for g in sorted(groups)]


def describe():
    """One dict per subject: name, tool, version, variant, source, flags."""
    return [{"name": s.name, "tool": s.tool, "version": s.version, "variant": s.variant,
             "source": s.source(), "heavy": "heavy" in s.flags} for s in subjects()]


if __name__ == "__main__":
    if sys.argv[1:] == ["--extra-processes"]:   # for make: one line per extra process
        for names_ in extra_processes():
            print(" ".join(names_))
    else:
        for d in describe():
            print(f"{d['name']:32} {d['source']}{'  (heavy)' if d['heavy'] else ''}")
