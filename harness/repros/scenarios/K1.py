# title: a container field gives a new container object per read
i, j = Var("i"), Var("j")
layout = Layout((i, j), Add(i, j))
a, b = layout.axes, layout.axes
if isinstance(a, (tuple, list)):
    say(f"layout.axes is a {type(a).__name__}: a Python value made per read, no container object to compare")
else:
    check(f"layout.axes is layout.axes ({type(a).__name__})", a is b, how(a, b))
done()
