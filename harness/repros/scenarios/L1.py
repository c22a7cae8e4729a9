# title: native objects stay alive after every Python reference is dropped
# needs: live node
# include: dag
import gc

gc.collect()
before = live()
i, j = Var("i"), Var("j")
layout = Layout((i, j), Add(i, j))
x = layout.offset.a
dag = make_dag(60, seed=5)
del i, j, layout, x, dag
gc.collect()
check("after dropping a Layout and a 60-node DAG and gc.collect(), every native object is freed",
      live() == before, f"{live() - before} still alive")
done()
