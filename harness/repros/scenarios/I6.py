# title: an attribute set on a field's object is gone on the next read
i, j = Var("i"), Var("j")
layout = Layout((i, j), Add(i, j))
layout.offset.note = "kept"   # nothing keeps the object the read returned
fillers = [Var("filler") for _ in range(16)]
check("an attribute set on layout.offset is there on the next read", hasattr(layout.offset, "note"))
done()
