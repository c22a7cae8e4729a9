# title: a Python subclass instance stored in a field comes back as the base class
# needs: subclass
# uses: pickle
# @if pickle
import pickle

# @end

class SubVar(Var):
    pass


def state_survives():
    """Does an attribute outlive its Python object (as I6 asks), for a Var an Add holds?"""
    probe = Add(Var("probe"), Var("probe"))
    try:
        probe.a.note = True
    except (AttributeError, TypeError):   # no instance attributes
        return False
    fillers = [Var("filler") for _ in range(16)]
    return hasattr(probe.a, "note")


v = SubVar("s")
check("SubVar('s') is a SubVar", type(v) is SubVar, f"it is a {type(v).__name__}")
add = Add(v, v)
x = add.a
check("Add(v, v).a is v, the SubVar stored", x is v,
      f"add.a is a {type(x).__name__}" + (", another object" if type(x) is SubVar else ""))
if x is v and state_survives():
    v.note = "kept"
    del v, x
    fillers = [Var("filler") for _ in range(16)]
    x = add.a
    check("attributes outlive their Python object here, and with v dropped add.a is still a SubVar with v.note",
          type(x) is SubVar and getattr(x, "note", None) == "kept", f"add.a is a {type(x).__name__}")
# @if pickle
for protocol in range(2, pickle.HIGHEST_PROTOCOL + 1):
    try:
        back = pickle.loads(pickle.dumps(SubVar("p"), protocol))
        check(f"pickle protocol {protocol}: loads(dumps(SubVar('p'))) is a SubVar", type(back) is SubVar,
              f"it is a {type(back).__name__}")
    except Exception as e:
        check(f"pickle protocol {protocol}: loads(dumps(SubVar('p'))) is a SubVar", False,
              f"{type(e).__name__}: {e}")
# @end
done()
