# title: a sub-interpreter breaks the binding
import faulthandler
import gc

try:
    import _interpreters as interpreters   # Python 3.13 and later
except ImportError:
    import _xxsubinterpreters as interpreters   # 3.11, 3.12
faulthandler.dump_traceback_later(10, exit=True)   # a hang ends the script: "Timeout", exit status 1

v = Var("main")
add = Add(v, v)
# The sub-interpreter runs this file's binding part (everything above "# ---- the check")
binding = open(__file__).read().split("\n# ---- the check\n")[0]
code = f"""
import sys
sys.path[:] = {sys.path!r}
__file__ = {os.path.abspath(__file__)!r}
print("  sub-interpreter: loading the binding", flush=True)
{binding}
print("  sub-interpreter: making Var('sub'), reading its __dict__ (as pickle and copy do)", flush=True)
v = Var("sub")
state = getattr(v, "__dict__", None)
assert id(Var) != {id(Var)}, "its Var is the main interpreter's class object: the interpreters share classes"
add = Add(v, v)
assert type(v) is Var and type(add.a) is Var, f"its Var(...) and Add(v, v).a are {{type(v)}} and {{type(add.a)}}"
del v, add, state
"""
say("running the binding in a sub-interpreter (a hang there is the failure: faulthandler ends the script "
    "after 10 s, exit status 1)")
interp = interpreters.create(isolated=False)
try:
    interpreters.run_string(interp, code)
    failure = None
except interpreters.RunFailedError as e:
    failure = str(e)
interpreters.destroy(interp)
if check("in a sub-interpreter, the binding loads and has classes and objects of its own", not failure,
         failure and "".join(c if c.isprintable() else "?" for c in failure)):
    gc.collect()
    x, made = add.a, Var("after")
    check("after the sub-interpreter ended, the main interpreter's add.a and Var(...) are its own Var",
          type(x) is Var and type(made) is Var and v.name == "main",
          f"they are {type(x)} (id {id(type(x)):#x}) and {type(made)}; its Var is id {id(Var):#x}")
done(hard=True)   # skip teardown after a broken sub-interpreter
