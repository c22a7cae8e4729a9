# title: id() of a field changes between two reads
i, j = Var("i"), Var("j")
layout = Layout((i, j), Add(i, j))
first = id(layout.offset)   # nothing keeps what the read returned
fillers = [Var("filler") for _ in range(16)]   # new objects take the memory it may have left
second = id(layout.offset)
check("id(layout.offset) is the same on two reads with nothing held in between", first == second,
      f"{first:#x}, then {second:#x}")
done()
