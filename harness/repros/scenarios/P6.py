# title: deepcopy of (layout.axes, layout.offset) splits one Var in two
# needs: pickle
import copy

i, j = Var("i"), Var("j")
layout = Layout((i, j), Add(i, j))
axes, offset = copy.deepcopy((layout.axes, layout.offset))
x, y = axes[0], offset.a
check("after copy.deepcopy((layout.axes, layout.offset)), axes[0] is offset.a", x is y, how(x, y))
done()
