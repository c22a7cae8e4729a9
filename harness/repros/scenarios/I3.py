# title: an object passed in does not come back as itself
v, w = Var("v"), Var("w")
add = Add(v, w)
x = add.a
check("Add(v, w).a is v", x is v, how(x, v))
done()
