# title: pickling two reads of one native object gives two objects
# needs: pickle
import pickle

v, x = Var("v"), Var("x")
o, p = Add(v, x), Add(v, v)
for protocol in range(2, pickle.HIGHEST_PROTOCOL + 1):
    a, b = pickle.loads(pickle.dumps((o.a, p.a), protocol))
    check(f"pickle protocol {protocol}: loads(dumps((o.a, p.a))) is one object (both are v)", a is b, how(a, b))
done()
