# title: a memo keyed by id(node) has false hits and misses
# needs: node
# include: dag
dag = make_dag(120)
memo, seen, stats = {}, set(), {"revisits": 0, "hits": 0, "false": 0}


def visit(node):   # memo[id(node)]; nothing keeps the nodes visited
    revisit = addr(node) in seen
    stats["revisits"] += revisit
    if id(node) in memo:
        stats["hits" if memo[id(node)] == addr(node) else "false"] += 1
    memo[id(node)] = addr(node)
    seen.add(addr(node))
    if not revisit:
        for child in node.children:
            visit(child)


visit(dag)
check("memo[id(node)] never hits for another node", not stats["false"], f"{stats['false']} false hits")
check("memo[id(node)] hits on every revisit", stats["hits"] == stats["revisits"],
      f"{stats['revisits'] - stats['hits']} of {stats['revisits']} revisits missed")
done()
