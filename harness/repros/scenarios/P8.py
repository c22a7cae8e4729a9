# title: instance attributes are lost by pickle and deepcopy
# needs: pickle
import copy
import pickle

v = Var("v")
v.note = "kept"
v.me = v
for way, x in [(f"loads(dumps(v, protocol {p}))", pickle.loads(pickle.dumps(v, p)))
                for p in range(2, pickle.HIGHEST_PROTOCOL + 1)] + [("copy.deepcopy(v)", copy.deepcopy(v))]:
    if check(f"after {way}, x.note == 'kept'", getattr(x, "note", None) == "kept",
             "x.note is gone" if not hasattr(x, "note") else f"x.note is {x.note!r}"):
        check(f"after {way}, x.me is x", getattr(x, "me", None) is x,
              "x.me is gone" if not hasattr(x, "me") else how(x.me, x))
del v.me
done()
