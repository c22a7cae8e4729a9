def make_dag(n, fanout=3, layers=3, seed=3):
    """A DAG of n Nodes in layers, each above the bottom with `fanout`
    children from the layer below (shared at random), under one root."""
    rng, below, tag = random.Random(seed), [], 0
    width = -(-(n - 1) // layers)
    while tag < n - 1:
        layer = []
        for k in range(min(width, n - 1 - tag)):
            kids = [below[k % len(below)]] + [rng.choice(below) for _ in range(fanout - 1)] if below else []
            layer.append(Node(tag, tuple(kids)))
            tag += 1
        below = layer + below[len(layer):]   # nodes nobody picked go up to the root
    return Node(tag, tuple(below))


def natives(root):
    """How many distinct native objects a DAG reaches (by address)."""
    seen, stack = set(), [root]
    while stack:
        node = stack.pop()
        if addr(node) not in seen:
            seen.add(addr(node))
            stack.extend(node.children)
    return len(seen)
