# title: a weakref callback reading a field while its object dies gets the dying object
import weakref

v = Var("r")
add = Add(v, v)
del v
x = add.a
dying = id(x)
got = []   # kept, never dropped: it may hold the dying object
ref = weakref.ref(x, lambda r: got.append(add.a))
del x   # the object dies here unless something else holds it; the callback runs inside
if not got:
    say("add.a's object outlived its last Python reference: the callback did not run")
elif check("the weakref callback's add.a is not the object being freed", id(got[0]) != dying,
           "it got the dying object back: used after free once the callback returns"):
    x = add.a
    check("after the callback, add.a is the object the callback got", x is got[0], how(x, got[0]))
done(hard=True)   # skip teardown: `got` may hold freed memory
