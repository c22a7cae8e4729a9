# title: pickling (layout.axes, layout.offset) together splits one Var in two
# needs: pickle
import pickle

i, j = Var("i"), Var("j")
layout = Layout((i, j), Add(i, j))
for protocol in range(2, pickle.HIGHEST_PROTOCOL + 1):
    axes, offset = pickle.loads(pickle.dumps((layout.axes, layout.offset), protocol))
    x, y = axes[0], offset.a
    check(f"pickle protocol {protocol}: after loads(dumps((layout.axes, layout.offset))), axes[0] is offset.a",
          x is y, how(x, y))
done()
