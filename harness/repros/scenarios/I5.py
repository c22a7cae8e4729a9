# title: id() of a field changes between two reads
i, j = Var("i"), Var("j")
layout = Layout((i, j), Add(i, j))
first = id(layout.offset)   # nothing keeps what the read returned
# New objects take the memory it may have left: Vars, and bytes of every small size (a wrapper a
# read makes may be of another size than one a constructor makes).
fillers = [Var("filler") for _ in range(16)] + [bytes(n) for n in range(0, 512, 8)]
second = id(layout.offset)
check("id(layout.offset) is the same on two reads with nothing held in between", first == second,
      f"{first:#x}, then {second:#x}")
done()
