# title: with thousands of live objects, field reads give second Python objects
# uses: outer
import random

held, reads = [], []   # reads: (field, holder, the object it must give)
while len(held) < 5600:
    v = Var(f"v{len(held)}")
    add = Add(v, v)
    layout = Layout((v,), add)
    held += [v, add, layout]
    reads += [("Add.a", add, v), ("Layout.axes[0]", layout, v), ("Layout.offset", layout, add)]
    # @if outer
    o = Outer(len(held))
    inner = o.inner
    held += [o, inner]
    reads.append(("Outer.inner", o, inner))
    # @end
get = {"Add.a": lambda h: h.a, "Layout.axes[0]": lambda h: h.axes[0], "Layout.offset": lambda h: h.offset,
       "Outer.inner": lambda h: h.inner}
random.Random(8).shuffle(reads)
split = {}
for field, holder, want in reads:
    split.setdefault(field, [0, 0])[1] += 1
    split[field][0] += get[field](holder) is not want
for field, (bad, total) in sorted(split.items()):
    check(f"with {len(held)} live objects, their Python objects held, {field} read in random order is the "
          f"held object", not bad, f"{bad} of {total} reads gave a second Python object")
done()
