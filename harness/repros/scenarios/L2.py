# title: reference cycles through Python objects are never collected
# needs: live
import gc

gc.collect()
before = live()
v = Var("v")
v.me = v
del v
gc.collect()
check("a cycle v.me = v is collected by gc.collect()", live() == before,
      f"{live() - before} native object(s) still alive")
before = live()
v = Var("v")
v.parent = Add(v, v)
del v
gc.collect()
check("a cycle through a native parent, v.parent = Add(v, v), is collected by gc.collect()",
      live() == before, f"{live() - before} native object(s) still alive")
done()
