# title: a native function calling back hands the callback a new Python object
# needs: callback
i, j = Var("i"), Var("j")
layout = Layout((i, j), Add(i, j))
off = layout.offset
got = []


def echo(x):
    got.append(x)
    return x


r = visit_offset(layout, echo)   # native code calls echo(the Layout's offset)
check("the callback gets layout.offset itself", got[0] is off, how(got[0], off))
check("what it returns comes back from the native call as itself", r is off, how(r, off))
made = []
r = visit_offset(layout, lambda x: made.append(Var("made")) or made[0])
check("a Var the callback makes and returns comes back as itself", r is made[0], how(r, made[0]))
done()
