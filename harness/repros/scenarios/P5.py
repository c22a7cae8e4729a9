# title: on the receiving side of pickle, one field read twice gives two objects
# needs: pickle
import pickle

i, j = Var("i"), Var("j")
layout = Layout((i, j), Add(i, j))
for protocol in range(2, pickle.HIGHEST_PROTOCOL + 1):
    back = pickle.loads(pickle.dumps(layout, protocol))
    x, y = back.offset, back.offset
    check(f"pickle protocol {protocol}: in the unpickled layout, layout.offset is layout.offset", x is y, how(x, y))
    x, y = back.axes[0], back.offset.a
    check(f"pickle protocol {protocol}: and layout.axes[0] is layout.offset.a", x is y, how(x, y))
done()
