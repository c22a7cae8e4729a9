# title: a __del__ that resurrects a subclass instance is skipped, or the field gives a new object
# needs: subclass
import gc
import weakref


class Phoenix(Var):
    kept, calls = [], 0

    def __del__(self):
        Phoenix.calls += 1
        if Phoenix.calls == 1:
            Phoenix.kept.append(self)   # resurrected: a global list holds it now


v = Phoenix("r")
try:
    ref = weakref.ref(v)   # sees it die
except TypeError:   # no weak references to it: only __del__ tells
    ref = None
add = Add(v, v)
del v
gc.collect()
if not Phoenix.kept and (ref is None or ref() is not None):
    say("the object did not die while the Add holds its native object: nothing to resurrect")
elif check("the object died, and its __del__ ran", Phoenix.calls == 1,
           "it died without running __del__" if not Phoenix.calls else f"__del__ ran {Phoenix.calls} times"):
    x = add.a
    check("after __del__ resurrected the object (stored self in a list), add.a is that object",
          x is Phoenix.kept[0], f"add.a is a {type(x).__name__}" + (", another one" if type(x) is Phoenix else ""))
    r = Phoenix.kept[0]
    x = Add(r, r).a
    check("and Add(r, r).a for the resurrected r is r", x is r, f"it is a {type(x).__name__}")
done()
