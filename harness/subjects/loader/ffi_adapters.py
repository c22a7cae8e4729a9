"""The real binding tools under test, by subject name (TOOL@VERSION or
TOOL+VARIANT@VERSION), read from harness/subjects/subjects.txt and from
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
import functools
import importlib
import glob
import os
import re
import shutil
import subprocess
import sys
import types

import subject_install
import subject_name

HERE = os.path.dirname(os.path.abspath(__file__))
# harness/subjects: the registry, and one folder per tool.
SUBJECTS = os.path.dirname(HERE)
REGISTRY = os.path.join(SUBJECTS, "subjects.txt")


def registries():
    """subjects.txt files: the tree's, then one per $FFI_ADAPTERS directory."""
    extra = [d for d in os.environ.get("FFI_ADAPTERS", "").split(":") if d]
    return [REGISTRY] + [os.path.join(os.path.abspath(d), "subjects.txt") for d in extra]


def subjects_dir():
    """Where pip installs go: $FFI_SUBJECTS_DIR, else build/subjects of this checkout."""
    return os.environ.get("FFI_SUBJECTS_DIR") or os.path.join(SUBJECTS, "..", "..", "build", "subjects")


# subjects.txt's style column: how the binding is written.
BINDING_STYLES = ("",
                  "cpp",      # a C++ object model whose children the tool's smart pointer holds
                  "clib",     # a C library with reference counts of its own, bound as C
                  "native")   # the tool's own object system (its classes, tensors, GObjects)
# Its made column: where the natives the suite reads are made.
NATIVES_MADE = ("",
                "python",     # constructed, and linked to their children, from Python
                "native")     # made and linked by native code; the binding wraps what it returns


class Unavailable(ImportError):
    """A subject that cannot be installed or loaded here: the message says
    why, and what to run."""


class Subject:
    """One line of subjects.txt, with its version resolved; or a subject
    made by a tool's rule (version *) for a release, wheel, source
    directory or the interpreter's own copy (origin says which)."""

    def __init__(self, tool, version_spec, variant, module, install, flags, style="-", made="-",
                 origin=None, path=None):
        self.tool, self.version_spec, self.module = tool, version_spec, module
        # How the binding is written (cpp, clib, native) and where the
        # natives the suite reads are made (python, native); "" if unsaid.
        self.style, self.made = ("" if style == "-" else style), ("" if made == "-" else made)
        if self.style not in BINDING_STYLES or self.made not in NATIVES_MADE:
            raise ValueError(f"{tool} {version_spec} {variant}: style {style!r} or made {made!r} is not "
                             f"one of {', '.join(BINDING_STYLES[1:])} and {', '.join(NATIVES_MADE[1:])} (or -)")
        self.variant = "" if variant == "-" else variant
        self.install = [] if install == "-" else install.split(",")
        self.flags = set() if flags == "-" else set(flags.split(","))
        self.version = resolve_version(version_spec)
        self.name = subject_name.join(tool, self.variant, self.version)
        self.origin = origin or self.default_origin()
        self.path = path   # the wheel or source directory (origin wheel, directory)

    def default_origin(self):
        kinds = [i.split(":")[0] for i in self.install]
        return "pypi" if "pip" in kinds else "build" if "build" in kinds else \
            "debian" if "deb" in kinds else "stdlib"

    @property
    def family(self):
        """The name without the version: TOOL or TOOL+VARIANT."""
        return subject_name.join(self.tool, self.variant)

    @property
    def site(self):
        """The pip --target directory of this tool at this version."""
        return os.path.abspath(os.path.join(subjects_dir(), f"{self.tool}@{self.version}"))

    def runtime_packages(self):
        """What pip installs into the site for run time; [] when the
        subject imports the interpreter's own copy."""
        if self.origin == "interpreter":
            return []
        return [item[4:] for item in self.install if item.startswith("pip:")]

    def requirements(self):
        """What pip installs into the site (run time and build time)."""
        return [item.split(":", 1)[1] for item in self.install if item.split(":")[0] in ("pip", "build")]

    def provenance(self):
        """Where the tool comes from: subject_install's record of its site,
        or what the registry line says (Debian, the standard library)."""
        if self.origin in ("debian", "stdlib"):
            pkgs = [i[4:] for i in self.install if i.startswith("deb:")]
            return {"origin": self.origin, "requirements": " ".join(pkgs)}
        return subject_install.read_provenance(self.site) or {"origin": self.origin, "installed": False}

    def source(self):
        """Where the tool comes from, in words, for listings and results."""
        p = self.provenance()
        kinds = {"pip": "PyPI", "build": "PyPI (build time)", "deb": "Debian"}
        if p["origin"] == "wheel":
            text = f"wheel {p['path']} (sha256 {p['sha256'][:12]})"
        elif p["origin"] == "directory":
            text = f"source directory {p['path']}" + (f" at {p['commit']}" if p.get("commit") else "")
        elif p["origin"] == "interpreter":
            text = f"the interpreter's own ({p.get('path', '?')}), not installed by ffi-identity"
        elif not self.install:
            text = "Python standard library"
        else:
            text = ", ".join(f"{kinds.get(i.split(':')[0], '?')} {i.split(':', 1)[1]}" for i in self.install)
        return text + (" (yanked on PyPI)" if p.get("yanked") else "")

    def for_version(self, version, origin=None, path=None):
        """This rule's subject at a version."""
        install = ",".join(self.install).replace("{version}", version) or "-"
        return Subject(self.tool, version, self.variant or "-", self.module, install,
                       ",".join(sorted(self.flags)) or "-", self.style or "-", self.made or "-", origin, path)

    def not_here(self):
        """Why this subject cannot run on the running interpreter (pythons.txt),
        or ""."""
        rule = python_rules().get(self.tool)
        if not rule or _python_fits(rule[0]):
            return ""
        where = "Debian's own python3" if rule[0] == "debian" else "Python " + rule[0].replace(",", " or ")
        return f"runs on {where} only here, not on Python {sys.version.split()[0]} ({sys.executable}): {rule[1]}"

    def distribution(self):
        """The PyPI distribution this rule installs ("apache-tvm-ffi")."""
        for req in self.runtime_packages() or self.requirements():
            return re.split(r"[=<>!~ \[;]", req, 1)[0]
        return None


def python_rules():
    """tool -> (pythons, why) from pythons.txt beside each subjects.txt."""
    rules = {}
    for registry in registries():
        path = os.path.join(os.path.dirname(registry), "pythons.txt")
        if os.path.exists(path):
            with open(path) as f:
                for line in f:
                    fields = line.split(None, 2)
                    if fields and not fields[0].startswith("#") and len(fields) == 3:
                        rules[fields[0]] = (fields[1], fields[2].strip())
    return rules


def is_debian_python():
    """Whether this is Debian's own interpreter, the one its python3-* packages are built for."""
    return os.path.realpath(sys.executable).startswith("/usr/bin/") and sys.prefix == "/usr"


def _python_fits(pythons):
    if pythons == "debian":
        return is_debian_python()
    return "%d.%d" % sys.version_info[:2] in pythons.split(",")


_deb_versions = {}


def deb_versions(packages):
    """Looks up the upstream versions of Debian packages, all in one
    dpkg-query (one process per package cost every process that reads the
    registry, each spawned pool worker too, about 15 ms a package)."""
    wanted = sorted(set(packages) - set(_deb_versions))
    if not wanted:
        return
    found = {}
    # One pipe and no timeout: Popen then reads the output in one blocking
    # read. Two pipes or a timeout read it in a select loop whose turns
    # (each with its own objects) follow when the child writes, which left
    # this process's heap, and the instruction counts measured in it,
    # different from run to run (docs/instructions.md).
    try:
        out = subprocess.run(["dpkg-query", "-W", "-f", "${Package}|${Status}|${Version}\n", *wanted],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        for line in out.stdout.splitlines():   # an unknown package is only named on stderr
            package, status, version = (line.split("|") + ["", ""])[:3]
            if status.endswith(" installed") and version:
                # 2.10.3-1 -> 2.10.3; 1:2.0-3 -> 2.0 (epoch and Debian revision go)
                found[package.split(":")[0]] = re.sub(r"^\d+:|-[^-]*$", "", version)
    except OSError:
        pass
    for package in wanted:
        _deb_versions[package] = found.get(package)


def forget_deb_versions():
    """After installing Debian packages: look their versions up again, and
    read the registry again (its subjects are named by those versions)."""
    global _registry
    _deb_versions.clear()
    _registry = None
    _rules.clear()


def deb_version(package):
    """The upstream version of an installed Debian package, or None."""
    deb_versions([package])
    return _deb_versions[package]


def resolve_version(spec):
    if spec == "*":
        return spec
    if spec == "python":
        return ".".join(map(str, sys.version_info[:3]))
    if spec.startswith("deb:"):
        return deb_version(spec[4:]) or "not-installed"
    return spec


_registry = None
_rules = {}      # family -> the Subject of its rule (version *)
_admitted = {}   # name -> Subject, made from a rule in this process


def subjects():
    """Every subject of every registry, in file order (rules apart)."""
    global _registry
    if _registry is None:
        _registry, taken = [], {}
        for path in registries():
            try:
                f = open(path)
            except OSError as e:
                raise Unavailable(f"$FFI_ADAPTERS names {os.path.dirname(path)}, which has no "
                                  f"readable subjects.txt ({e.strerror})") from None
            with f:
                rows = [(line, line.split("#", 1)[0].split()) for line in f]
            rows = [(line, fields) for line, fields in rows if fields]
            deb_versions(fields[1][4:] for _, fields in rows if len(fields) in (6, 8) and fields[1].startswith("deb:"))
            for line, fields in rows:
                if len(fields) not in (6, 8):
                    raise ValueError(f"{path}: want 6 columns (tool version variant module install "
                                     f"flags) or 8 (and style made), got {len(fields)}: {line.strip()}")
                s = Subject(*fields)
                if s.version == "*":
                    _rules.setdefault(s.family, s)
                    continue
                if s.name in taken:
                    raise ValueError(f"{path}: subject {s.name} is listed already, in {taken[s.name]}")
                taken[s.name] = path
                _registry.append(s)
            home = os.path.dirname(path)
            if home != SUBJECTS and home not in sys.path:
                sys.path.append(home)   # its adapter modules
    return _registry


def names():
    """The listed subjects and those admitted in this process."""
    return [s.name for s in subjects()] + [n for n in _admitted if n not in taken_names()]


def taken_names():
    return {s.name for s in subjects()}


def rule(fam):
    """The rule (version *) of a family, or None."""
    subjects()
    return _rules.get(fam)


def find(name):
    """The Subject called `name` (or the one version of a tool named alone:
    "ctypes"): listed, admitted in this process, or made by its tool's rule
    for a site installed earlier (by any process); Unavailable if none."""
    name = resolve(name)
    for s in subjects():
        if s.name == name:
            return s
    if name in _admitted:
        return _admitted[name]
    tool, variant, version = subject_name.split(name)
    r = rule(subject_name.join(tool, variant))
    if r and version and subject_name.version_key(version) is not None:
        s = r.for_version(version)
        record = subject_install.read_provenance(s.site)
        if record and record.get("origin") in ("wheel", "directory", "interpreter"):
            s = r.for_version(version, record["origin"], record.get("path"))
        return s
    raise Unavailable(f"no adapter named {name!r}; adapters: {', '.join(names())}")


def resolve(name):
    """The full name for a tool with one version and variant ("ctypes" ->
    "ctypes@3.11.2"); any other name unchanged."""
    matches = [s.name for s in subjects() if s.tool == name]
    return matches[0] if len(matches) == 1 else name


def admit(pattern):
    """A subject named by TOOL[+VARIANT]@SOURCE that is not listed, made by
    its tool's rule and installed if it is not yet:
      @VERSION      that release from PyPI (pre-releases and yanked ones too)
      @PATH.whl     a wheel file
      @DIRECTORY    a source tree (pip builds a wheel of it)
      @installed    what the interpreter already imports (not installed by us)
    Returns its name (TOOL[+VARIANT]@VERSION: the version of the wheel or of
    what is installed), or None when `pattern` is not of that form or names
    no tool with a rule. Unavailable when it cannot be installed."""
    if "@" not in pattern or any(c in pattern for c in "*?["):
        return None
    head, _, spec = pattern.partition("@")
    r = rule(head)
    if r is None:
        tool = subject_name.split(head)[0]
        if any(s.tool == tool for s in subjects()) and subject_name.version_key(spec) is not None:
            listed = ", ".join(s.name for s in subjects() if s.family == head) or "none"
            raise Unavailable(f"{pattern}: {head} has no install rule for other versions (its adapter "
                              f"is compiled per version: add a line to subjects.txt, or to the subjects.txt of an "
                              f"$FFI_ADAPTERS directory, and run make adapters); "
                              f"listed: {listed}")
        return None
    if spec == "installed":
        dist = r.distribution()
        try:
            where, version = subject_install.interpreter_location(dist)
        except subject_install.InstallError as e:
            raise Unavailable(f"{pattern}: {e}") from None
        s = r.for_version(version, "interpreter", where)
        _refuse_listed(pattern, s)
        subject_install.record_interpreter(s.site, dist, where)
    elif os.sep in spec or spec.endswith(".whl") or os.path.exists(spec):
        path = os.path.abspath(os.path.expanduser(spec))
        if not (os.path.isdir(path) or (os.path.isfile(path) and path.endswith(".whl"))):
            raise Unavailable(f"{pattern}: {path} is neither a wheel file (.whl) nor a source directory")
        try:
            if os.path.isdir(path):   # a wheel of the tree, installed, then dropped
                commit = subject_install.git_commit(path)   # before the build touches the tree
                wheel = subject_install.build_wheel(sys.executable, path)
                try:
                    s = _install_wheel(pattern, r, wheel, path, {"origin": "directory", "path": path,
                                                                "commit": commit})
                finally:
                    shutil.rmtree(os.path.dirname(wheel), ignore_errors=True)
            else:
                s = _install_wheel(pattern, r, path, path, None)
        except subject_install.InstallError as e:
            raise Unavailable(f"{pattern}: {e}") from None
    elif subject_name.version_key(spec) is not None:
        s = find(pattern)   # a wheel, directory or interpreter site recorded earlier, else PyPI
        ensure(s)
    else:
        raise Unavailable(f"{pattern}: {spec!r} is not a version (PEP 440), a wheel file, a source "
                          f"directory or 'installed'")
    _admitted[s.name] = s
    return s.name


def _install_wheel(pattern, r, wheel, path, tree):
    """Rule r's subject for a wheel file, installed and named by the
    wheel's version; tree: the provenance of the source tree it was built
    from, or None for a wheel given as such."""
    s = r.for_version(subject_install.wheel_version(wheel), "directory" if tree else "wheel", path)
    _refuse_listed(pattern, s)
    subject_install.install_wheel(sys.executable, s.site, wheel, tree)
    return s


def _refuse_listed(pattern, s):
    """A build of one's own may not take the name of a pinned subject: the
    name would then mean two installs, and make deps would put the pinned
    one back."""
    if s.name in taken_names():
        raise Unavailable(f"{pattern} is {s.name}, the name of a pinned subject ({find(s.name).source()}): "
                          f"run {s.name} for the pinned release, or give your build a version of its own "
                          f"(a local part such as {s.version.split('+')[0]}+mine)")


def ensure(subject):
    """Installs a subject's tool if its site lacks it (a Subject or a name);
    Unavailable with pip's own message when that fails."""
    s = subject if isinstance(subject, Subject) else find(subject)
    if s.origin in ("pypi", "build"):
        try:
            subject_install.install_pypi(sys.executable, s.site, s.requirements(), s.origin == "build")
        except subject_install.InstallError as e:
            raise Unavailable(f"{s.name}: {e}") from None
    elif s.origin in ("wheel", "directory", "interpreter"):
        if not subject_install.read_provenance(s.site):
            raise Unavailable(f"{s.name}: nothing is installed for it; name it by its source again "
                              f"({s.tool}@PATH.whl, {s.tool}@DIRECTORY or {s.tool}@installed)")
    elif s.origin == "debian" and s.version == "not-installed":
        pkgs = " ".join(i[4:] for i in s.install if i.startswith("deb:"))
        raise Unavailable(f"{s.name}: Debian package not installed: apt-get install {pkgs} "
                          f"(make deps installs it as root)")


def select(patterns, heavy=False):
    """The subjects of the command line of subject_install.py: every listed
    one (heavy ones with heavy=True), or those a tool, family or name takes
    (a name not listed is admitted by its rule)."""
    if not patterns:
        return [s for s in subjects() if heavy or "heavy" not in s.flags]
    chosen = []
    for p in patterns:
        taken = [s for s in subjects() if p in (s.name, s.tool, s.family)]
        if not taken:
            name = admit(p)
            if name is None:
                raise Unavailable(f"unknown subject {p!r}; listed: {', '.join(names())}")
            taken = [find(name)]
        chosen += [s for s in taken if s not in chosen]
    return chosen


def module_name(name):
    """The sys.modules name of a protocol-2 subject's namespace."""
    return "ffi_subject_" + re.sub(r"[^0-9A-Za-z]", "_", name)


_loaded = {}


def _use_site(s):
    """Put the subject's pip site first on sys.path, refusing a second
    version of a package this process has imported already."""
    if not s.runtime_packages():
        return
    for other in subjects() + list(_admitted.values()):
        if other.tool == s.tool and other.version != s.version and other.site in sys.path:
            raise ImportError(f"{s.name} cannot share a process with {other.tool}@{other.version}, "
                              "loaded already: run each version in its own process")
    if s.site not in sys.path:
        sys.path.insert(0, s.site)


def _use_tool_folder(module):
    """In the tree, each tool keeps its adapter module in a folder of its
    own (harness/subjects/TOOL/): make that folder importable."""
    for found in glob.glob(os.path.join(SUBJECTS, "*", module + ".py")):
        home = os.path.dirname(found)
        if home not in sys.path:
            sys.path.append(home)


def load(name):
    """The namespace of subject `name` (loaded once per process)."""
    name = resolve(name)
    if name in _loaded:
        return _loaded[name]
    s = find(name)
    if s.not_here():   # nothing to import: its install is not for this interpreter
        ns = types.ModuleType(module_name(name), f"{name}: {s.not_here()}")
        ns.name, ns.tool, ns.version, ns.variant, ns.site = name, s.tool, s.version, s.variant, s.site
        ns.summary, ns.features = f"{name}, not for this interpreter", frozenset()
        ns.available = lambda: (False, s.not_here())
        ns.conditions = conditions_of(s.family)
        _loaded[name] = ns
        return ns
    _use_site(s)
    _use_tool_folder(s.module)
    mod = importlib.import_module(s.module)
    if hasattr(mod, "subject"):   # protocol 2: one namespace per version and variant
        ns = types.ModuleType(module_name(name), f"{name} through {s.module}")
        ns.tool, ns.version, ns.variant, ns.site = s.tool, s.version, s.variant, s.site
        # Where its package must be imported from: its site, or the
        # interpreter's own directory.
        ns.location = s.provenance().get("path", s.site) if s.origin == "interpreter" else s.site
        ns.name = name
        sys.modules[ns.__name__] = ns
        mod.subject(ns, s.version, s.variant)
        ns.name = name
    else:                         # protocol 1: the module is the namespace
        ns = mod
    if not hasattr(ns, "intern"):   # the interning entry point: by default the constructor's
        # Looked up at call time: touching ns.Var now would start what some
        # adapters start lazily (jpype's JVM, which must not be forked).
        def intern(name, ns=ns):
            return ns.Var(name, intern=True)
        ns.intern = intern
    ns.conditions = conditions_of(s.family)   # what the results hold under (conditions.txt)
    if s.version == "not-installed" and hasattr(ns, "available"):
        plain = ns.available
        pkgs = " ".join(i[4:] for i in s.install if i.startswith("deb:"))
        ns.available = lambda: (False, f"Debian package not installed: apt-get install {pkgs}") \
            if plain()[0] else plain()
    _loaded[name] = ns
    return ns


ALONE_GROUPS = 1000   # above any count of versions: one group per subject flagged alone


def process_group(name):
    """0 if `name` can share a process with every other group-0 subject;
    else k > 0: its tool has k newer versions listed (each imports its own
    copy of one package), or it is flagged alone (what it starts, a JVM,
    would sit under the others' benchmarks), so it needs a process of its own."""
    s = find(name)
    if s not in subjects():
        return 0   # not listed: a run names it alone
    if "alone" in s.flags:
        return ALONE_GROUPS + subjects().index(s)
    if not s.runtime_packages():
        return 0   # nothing of its own imported at run time: it shares
    versions = []
    for other in subjects():
        if other.tool == s.tool and other.runtime_packages() and other.version not in versions:
            versions.append(other.version)
    return len(versions) - 1 - versions.index(s.version)


def extra_processes():
    """The subjects left out of a default run, one list per extra process."""
    return process_plan([s.name for s in subjects()])[1:]


def process_plan(names):
    """The processes a run of these subjects takes: first the subjects that
    share one (maybe none), then one list per process of their own."""
    groups = {}
    for name in names:
        try:
            g = process_group(name)
        except Unavailable:   # a built-in strategy: not a listed tool
            g = 0
        groups.setdefault(g, []).append(name)
    return [groups.pop(0, [])] + [groups[g] for g in sorted(groups)]


def conditions_of(family):
    """The conditions under which a family's results hold: the lines of
    conditions.txt beside each subjects.txt (the tree's and $FFI_ADAPTERS'),
    in file order. Read as text: describe() runs in the runner's parent,
    which must not import any tool or adapter."""
    out = []
    for registry in registries():
        try:
            with open(os.path.join(os.path.dirname(registry), "conditions.txt")) as f:
                # A comment is a whole line: a condition may say C# or #[pyclass].
                lines = [line.strip() for line in f if not line.lstrip().startswith("#")]
        except OSError:
            continue
        for line in lines:
            fam, _, text = line.partition(" ")
            if fam == family and text.strip():
                out.append(text.strip())
    return out


def describe(names=None):
    """One dict per subject (every listed and admitted one, or those named):
    name, tool, version, variant, source (in words), heavy, conditions (the
    family's lines of conditions.txt), style and made (subjects.txt's
    binding style and where the natives are made; "" where the registry
    does not say), and the site's provenance record
    (origin, yanked, yanked_reason, sha256, commit, path; subject_install.py
    documents them)."""
    chosen = [find(n) for n in names] if names is not None else \
        subjects() + [s for n, s in _admitted.items() if n not in taken_names()]
    out = []
    for s in chosen:
        p = s.provenance()
        d = {"name": s.name, "tool": s.tool, "version": s.version, "variant": s.variant,
             "source": s.source(), "heavy": "heavy" in s.flags, "origin": p.get("origin", s.origin),
             "yanked": bool(p.get("yanked")), "conditions": conditions_of(s.family),
             "style": s.style, "made": s.made}
        for key in ("yanked_reason", "sha256", "commit", "path"):
            if p.get(key):
                d[key] = p[key]
        out.append(d)
    return out


if __name__ == "__main__":
    if sys.argv[1:] == ["--extra-processes"]:   # for make: one line per extra process
        for names_ in extra_processes():
            print(" ".join(names_))
    elif len(sys.argv) == 3 and sys.argv[1] == "--flagged":   # the subjects flagged so (instructions.py)
        for s_ in subjects():
            if sys.argv[2] in s_.flags:
                print(s_.name)
    elif sys.argv[1:2] == ["--process-plan"]:   # for make: the shared process's line, then one per own
        for names_ in process_plan(sys.argv[2:]):
            print(" ".join(names_))
    else:
        for d in describe():
            print(f"{d['name']:32} {d['source']}{'  (heavy)' if d['heavy'] else ''}")
