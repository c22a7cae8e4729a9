# title: a memo keyed by the Python objects hands back other objects than the nodes visited
# needs: node
# include: dag
dag = make_dag(120)
memo, stats = {}, {"revisits": 0, "hits": 0, "not_self": 0}


def rewrite(node):   # an identity rewrite, memoized by node
    if node in memo:
        stats["hits"] += 1
        stats["not_self"] += memo[node] is not node
        return memo[node]
    memo[node] = node
    for child in node.children:
        stats["revisits"] += 1
        rewrite(child)
    return node


rewrite(dag)
revisits = stats["revisits"] + 1 - len(memo)   # edges and the root, less first visits
check("a memo dict keyed by node has one key per node (120)", len(memo) == 120, f"{len(memo)} keys")
check("it hits once per revisit", stats["hits"] == revisits, f"{stats['hits']} hits, {revisits} revisits")
check("each hit hands back the very node visited", not stats["not_self"],
      f"{stats['not_self']} of {stats['hits']} hits gave another Python object of that node")
done()
