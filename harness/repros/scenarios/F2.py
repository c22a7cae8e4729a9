# title: a multiprocessing worker receives (layout.axes, layout.offset) with one Var split in two
# needs: pickle
import multiprocessing
import pickle


def same_var(data):
    """In the worker: are axes[0] and offset.a one native object?"""
    axes, offset = pickle.loads(data)
    return addr(axes[0]) == addr(offset.a)


if __name__ == "__main__":   # spawn and forkserver workers import this file again
    i, j = Var("i"), Var("j")
    layout = Layout((i, j), Add(i, j))
    data = pickle.dumps((layout.axes, layout.offset))   # what Pool.map sends
    for method in ("fork", "spawn", "forkserver"):
        with multiprocessing.get_context(method).Pool(1) as pool:
            same = pool.apply(same_var, (data,))
        check(f"a {method} Pool worker sees axes[0] and offset.a as one Var", same, "two native Vars")
    done()
