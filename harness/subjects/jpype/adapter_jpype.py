"""JPype adapter: the object model written in Java (jpype/java-model/ffi_identity/,
compiled by jpype/jpype.mk into ffi_identity_model.jar in the build
directory) and driven from Python the way JPype's users drive a Java
library: jpype.startJVM(classpath=[jar]), JClass, public fields read as
attributes, Java collections, customizers (@JImplementationFor) where a
Java class needs Python behaviour, an @JImplements proxy for the callback.

Identity. JPype keeps no map from Java object to wrapper: every Java
reference that crosses into Python (a field read, a return value, a
collection item, a callback argument) becomes a new Python handle holding
a JNI global reference, so the model behaves like `fresh`. Wrappers compare
with Java's equals() (here Java identity) and hash with hashCode(); Java's
== is not exposed and `is` is not Java identity (JPype userguide, Classes:
Equality, Set attribute). One Python class per Java class per process:
type(w) is ns.Var holds for the model (JPype #1327 reports java.lang.String
failing such an `is` check; the maintainer's answer is isinstance), and a
sub-interpreter gets the main interpreter's classes (X1). A Python object
implementing a Java interface (a proxy) comes back from a Java container as
itself (measured; JPype #574, fixed by PR #576), but its Java half is
recreated after a Java collection with a new identity hash (userguide,
Reference Loops; measured: System.identityHashCode of one proxy changes
across System.gc()), and its bare Java view (JObject(p, Object)) shows
none of the interface's methods in Python (JPype #1283, open).

handle(w). A Java object has no address JPype exposes (the collector moves
objects) and System.identityHashCode is not unique, so the model stamps
each object with a serial number from a process-wide counter when it is
constructed (Native.serial): one number per Java object, never reused (an
address is), the same through every wrapper of it. same_as compares
serials. An unpickled object is a new Java object with a new serial.

native_live() counts the model's Java objects still reachable after a full
collection (Native.live: System.gc(), then the weak references that were
not cleared): a Java object is freed by the collector, not when its last
JNI reference goes.

The JVM starts once per process and cannot be restarted after a shutdown
(userguide: Avoid Restarting the JVM; Known limitations: Restarting the
JVM), and JPype rules out processes made by fork once it started
(userguide, Multiprocessing: use spawn). The suite runs every test in a
forked child of the subject's process, so the adapter starts the JVM on
the first use of the model in a process, never in the subject's process
itself: each test child, and each spawn or forkserver pool worker, starts
its own (about 0.4 s, 75 MB here; hence `heavy` in subjects.txt).
`features` is probed in a forked child of the subject's process, whose
JVM dies with it. F1, F2 with fork and F3 fork a process whose JVM runs:
the use JPype rules out, measured anyway.

Pickling. Python's pickle does not support Java objects (userguide,
Serialization with JPickler). JPype's JPickler/JUnpickler are Pickler
subclasses doing Java serialization (one ObjectOutputStream per pickler,
so Java objects are shared by Java identity within one pickle:
org/jpype/pickle/Encoder.java), but pickle.dumps, copy and multiprocessing,
which the suite and the reported scenario use, never go through them. So
each class of the model gets the node-style __reduce__ a user would add,
through JPype's way of giving a Java class Python methods, a customizer;
it rebuilds each object with its constructor, as JPype's docs rebuild the
Java attributes of a pickled Python object. The same customizers give Var
its interning constructor (a customized __new__ calling the Java factory
Var.intern) and its name as a Python str (JPype hands a Java String over
as java.lang.String).

No __dict__ (only '_'-prefixed attributes may be set on a wrapper, and
they are lost when the object comes back through Java), no Python
subclasses (Java classes are closed), no Outer/Inner and no disown:
why_not says why."""
import os
import sys
import threading

import compiled_model

tool = "jpype"

JAR = "ffi_identity_model.jar"
JDK_HOME_FILE = "ffi_identity_model.jdk"   # the JDK javac came from: the JVM started is the same
PACKAGE = "ffi_identity"
CLASSES = ("Native", "Var", "Add", "Layout", "Node", "Derived", "Holder", "ModelList", "Visitor")
NS_CLASSES = ("Var", "Add", "Layout", "Node", "Derived", "Holder")   # what the suite constructs
# Every test child starts a JVM of its own, so it should start fast and stay
# small: the serial collector (few threads on a small machine), the first JIT
# tier only, no hsperfdata file per process. -Xrs leaves SIGTERM (and SIGINT,
# SIGHUP, SIGQUIT) to the process: the JVM's own handler only wakes its
# signal-dispatcher thread, which a forked child does not have, so without it
# a fork-context pool worker survives Pool.terminate() (measured) and the
# caller hangs in join(), leaving the worker behind with a copy of the JVM.
JVM_OPTIONS = ("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData", "-Xrs")
_INSTALL = "run `make adapters` (it needs javac: apt-get install default-jdk-headless)"


def _find_model():
    """(jar, libjvm path, None) from the first sys.path directory holding the
    jar (the runners put the build directory there), or (None, None, reason)."""
    for d in sys.path:
        jar = os.path.join(d or ".", JAR)
        if not os.path.isfile(jar):
            continue
        try:
            with open(os.path.join(d or ".", JDK_HOME_FILE)) as f:
                home = f.read().strip()
        except OSError as e:
            return None, None, f"{JAR} is built but {JDK_HOME_FILE} is not readable ({e.strerror}): {_INSTALL}"
        libjvm = os.path.join(home, "lib", "server", "libjvm.so")
        if not os.path.isfile(libjvm):
            return None, None, f"the JDK {JAR} was compiled with has no {libjvm} any more: {_INSTALL}"
        return os.path.abspath(jar), libjvm, None
    return None, None, f"{JAR} is not on sys.path: {_INSTALL} and put the build directory on PYTHONPATH"


def subject(ns, version, variant):
    ns.summary = f"JPype {version}: the model in Java, a new Python wrapper for every Java reference read"
    ns.why_not = {
        "dict": "JPype lets a Java object's wrapper take only attributes named with a leading '_', kept on "
                "that wrapper alone; any other name is looked up as a Java field ('Field ... is not found'), "
                "and the data is lost when the object comes back from Java as a new Python handle "
                "(JPype userguide, Classes: Set attribute)",
        "subclass": "Java classes are closed: subclassing one in Python raises TypeError ('Java classes "
                    "cannot be extended in Python'; JPype userguide, Classes); Python implements Java "
                    "interfaces instead (@JImplements)",
        "outer": "a Java object has no interior object at its own address: a field holds a reference to "
                 "another object, and the JVM exposes no addresses (its collector moves objects)",
        "disown": "the JVM's collector owns every Java object: a wrapper holds a JNI global reference, and "
                  "nothing can take the object away from the other references that reach it",
    }
    try:
        # _jpype first: with jpype1 missing, `import jpype` would find this
        # adapter's jpype/ directory on sys.path as a namespace package.
        import _jpype
        import jpype
    except ImportError as e:
        reason = (f"jpype1 is not installed ({e}): harness/tools/subjects.sh {ns.name} (pip install "
                  f"jpype1=={version} into {ns.site}; a heavy subject, left out of make test)")
        ns.available = lambda: (False, reason)
        ns.features = frozenset()
        return
    if jpype.__version__ != version:
        reason = f"jpype here is {jpype.__version__}, not {version}: harness/tools/subjects.sh {ns.name}"
        ns.available = lambda: (False, reason)
        ns.features = frozenset()
        return
    jar, libjvm, missing = _find_model()
    state = {"started": False, "failed": missing}
    starting = threading.Lock()   # two threads' first uses must not both start a JVM

    def start():
        """The model's classes, starting the JVM first if this process has
        none (once: it cannot be restarted)."""
        if state["started"]:
            return state
        with starting:
            return start_once()

    def start_once():
        if state["failed"]:
            raise RuntimeError(state["failed"])
        if not state["started"]:
            if not jpype.isJVMStarted():
                try:
                    jpype.startJVM(*JVM_OPTIONS, jvmpath=libjvm, classpath=[jar], convertStrings=False)
                except Exception as e:
                    state["failed"] = f"starting the JVM ({libjvm}) failed: {type(e).__name__}: {e}"
                    raise RuntimeError(state["failed"]) from None
            try:
                for name in CLASSES:
                    state[name] = jpype.JClass(f"{PACKAGE}.{name}")
            except Exception as e:   # a JVM this adapter did not start, without the jar
                state["failed"] = (f"the JVM of this process cannot load {PACKAGE}.{name} ({type(e).__name__}: "
                                   f"{e}): it was started without {jar} on its class path")
                raise RuntimeError(state["failed"]) from None
            state["started"] = True
        return state

    def available():
        return (False, state["failed"]) if state["failed"] else (True, "")
    ns.available = available

    def rebuild(kind, args):
        """What the __reduce__ of every model object names: its class's
        constructor by name, so pickle never needs the Java class by reference."""
        return start()[kind](*args)
    rebuild.__module__, rebuild.__qualname__ = ns.__name__, "rebuild"
    ns.rebuild = rebuild

    _customize(jpype, _jpype, rebuild)

    @jpype.JImplements(f"{PACKAGE}.Visitor", deferred=True)
    class PythonVisitor:
        """A Python callable as a Java Visitor (a JPype proxy)."""
        def __init__(self, fn):
            self.fn = fn

        @jpype.JOverride
        def visit(self, offset):
            return self.fn(offset)

    def visit_offset(layout, fn):
        """CB1: Java calls fn with the Layout's offset and returns what fn returned."""
        return start()["Layout"].visitOffset(layout, PythonVisitor(fn))

    def handle(w):
        """The Java object's serial number (Native.serial): its identity."""
        if not isinstance(w, start()["Native"]):
            raise TypeError(f"not an object of the model: {type(w).__name__}")
        return int(w.serial)

    def same_as(a, b):
        native = start()["Native"]
        return isinstance(a, native) and isinstance(b, native) and int(a.serial) == int(b.serial)

    def native_live():
        return int(start()["Native"].live())

    for fn in (visit_offset, handle, same_as, native_live):
        fn.__module__ = ns.__name__   # pool workers call ns.handle
    ns.visit_offset, ns.handle, ns.same_as, ns.native_live = visit_offset, handle, same_as, native_live

    def lazy(name):
        """ns.Var and the other classes start the JVM when first asked for
        (PEP 562 module __getattr__); ns.features probes on first access."""
        if name in NS_CLASSES:
            classes = start()
            for n in NS_CLASSES:
                setattr(ns, n, classes[n])
            return classes[name]
        if name == "features":
            ns.features = _probe(ns, jpype, state, start)
            return ns.features
        raise AttributeError(f"module {ns.__name__!r} has no attribute {name!r}")
    ns.__getattr__ = lazy


def _customize(jpype, _jpype, rebuild):
    """Python behaviour for the model's Java classes, through JPype's class
    customizers: a node-style __reduce__ for each (Python's pickle knows no
    Java object), and Var's interning constructor. Customizers are kept by
    class name and apply to classes made later, so they go in before the JVM
    starts."""
    def customizer(java_name, **members):
        proto = type(f"_{java_name}Customizer", (), members)
        jpype.JImplementationFor(f"{PACKAGE}.{java_name}")(proto)

    def var_new(cls, name, intern=False):
        """Var(name) constructs; Var(name, intern=True) returns the live Var
        of that name through the Java factory Var.intern."""
        if intern:
            return cls.intern(name)
        return _jpype._JObject.__new__(cls, name)   # the Java constructor, as JClass calls it
    # JPype hands a Java String over as java.lang.String (convertStrings=False,
    # the setting its docs recommend); a Var's name is read as a Python str.
    customizer("Var", __new__=var_new, name=property(lambda self: str(self.getName())),
               __reduce__=lambda self: (rebuild, ("Var", (self.name,))))
    customizer("Add", __reduce__=lambda self: (rebuild, ("Add", (self.a, self.b))))
    customizer("Layout", __reduce__=lambda self: (rebuild, ("Layout", (self.axes, self.offset))))
    customizer("Node", __reduce__=lambda self: (rebuild, ("Node", (int(self.tag), self.children))))
    customizer("Derived", __reduce__=lambda self: (rebuild, ("Derived", (int(self.value),))))
    customizer("Holder", __reduce__=lambda self: (rebuild, ("Holder", (self.base,))))
    # A Layout's axes or a Node's children pickled on their own (the
    # reported scenario pickles layout.axes): the items, each by its reduce.
    customizer("ModelList", __reduce__=lambda self: (rebuild, ("ModelList", (tuple(self),))))


def _probe(ns, jpype, state, start):
    """The features that work on the classes the tests use. Probing starts
    the JVM; in a process whose JVM has not started (the subject's own,
    whose children run the tests) the probe runs in a forked child, so the
    JVM it starts goes with it."""
    if state["failed"]:
        return frozenset()
    if jpype.isJVMStarted():
        try:
            start()
        except RuntimeError:   # state["failed"] says why
            return frozenset()
        return compiled_model.probe_features(ns)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:   # the probe's process: report, then leave without Python's exit
        status = 1
        try:
            os.close(read_end)
            start()   # a JVM that cannot start is the report, not an empty feature set
            features = compiled_model.probe_features(ns)
            report = "ok " + " ".join(sorted(features))
        except BaseException as e:
            report = f"failed {type(e).__name__}: {e}"
        try:
            os.write(write_end, report.encode())
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    chunks = []
    while True:
        chunk = os.read(read_end, 4096)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(read_end)
    os.waitpid(pid, 0)
    report = b"".join(chunks).decode(errors="replace")
    if report.startswith("ok"):
        return frozenset(report.split()[1:])
    state["failed"] = f"probing the model in a child process: {report or 'it died without a report'}"
    return frozenset()
