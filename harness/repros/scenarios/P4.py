# title: a pickled DAG comes back as a tree with more nodes
# needs: pickle node
# include: dag
import pickle

dag = make_dag(120, seed=11)
check("the DAG has 120 native nodes", natives(dag) == 120, f"{natives(dag)}")
for protocol in range(2, pickle.HIGHEST_PROTOCOL + 1):
    back = natives(pickle.loads(pickle.dumps(dag, protocol)))
    check(f"pickle protocol {protocol}: it comes back with 120 native nodes", back == 120, f"{back}")
done()
