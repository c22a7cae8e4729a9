# title: a field typed as a base gives a second object, not the Derived it points into
# needs: derived
d = Derived(7)
h = Holder(d)   # keeps a pointer to d's second base, at another address than d
x, y = h.base, h.base
for name, got in (("h.base", x), ("h.base, read again,", y)):
    check(f"{name} is d", got is d, how(got, d) if addr(got) == addr(d) else
          f"a {type(got).__name__} at {addr(got) - addr(d):+d} bytes from d")
done()
