# title: a shallow copy's fields are not the original's
# needs: pickle
import copy

i, j = Var("i"), Var("j")
layout = Layout((i, j), Add(i, j))
c = copy.copy(layout)
x, y = c.offset, layout.offset
check("copy.copy(layout).offset is layout.offset", x is y, how(x, y))
x, y = c.axes[0], layout.axes[0]
check("copy.copy(layout).axes[0] is layout.axes[0]", x is y, how(x, y))
done()
