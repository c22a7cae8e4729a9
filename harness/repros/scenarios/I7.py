# title: a weak reference to a field's object dies while its owner lives
import weakref

i, j = Var("i"), Var("j")
layout = Layout((i, j), Add(i, j))
ref = weakref.ref(layout.offset)   # nothing else keeps the object the read returned
fillers = [Var("filler") for _ in range(16)]
if check("weakref.ref(layout.offset) is alive while layout is", ref() is not None):
    check("and it is what layout.offset returns now", ref() is layout.offset)
done()
