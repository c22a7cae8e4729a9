# title: two paths to one native object give two Python objects
i, j = Var("i"), Var("j")
layout = Layout((i, j), Add(i, j))
x, y = layout.axes[0], layout.offset.a
check("layout.axes[0] is layout.offset.a (both are i)", x is y, how(x, y))
done()
