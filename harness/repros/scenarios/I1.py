# title: one field read twice gives two Python objects
i, j = Var("i"), Var("j")
layout = Layout((i, j), Add(i, j))
x, y = layout.offset, layout.offset
check("layout.offset is layout.offset", x is y, how(x, y))
del x
check("y = layout.offset still works after del x", y.a.name == "i")
done()
