# title: an interning constructor returns a new Python object for the live native one
# needs: intern
a = Var("k", intern=True)
b = Var("k", intern=True)
check("Var('k', intern=True) twice is one Python object", a is b,
      how(a, b) if addr(a) == addr(b) else "two natives: nothing was interned")
# @if intern_static
c, e = Var.interned("m"), Var.interned("m")
contrast("Var.interned('m') twice is one Python object", c is e,
         how(c, e) if addr(c) == addr(e) else "two natives: nothing was interned")
# @end
done()
