# title: a multiprocessing worker receives (layout.axes, layout.offset) with one Var split in two
# needs: pickle
# uses: fork
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
    # @if fork
    methods = ("fork", "spawn", "forkserver")
    # @else
    methods = ("spawn", "forkserver")   # no fork of a process whose runtime runs: each worker loads its own
    multiprocessing.set_forkserver_preload([])   # nor in the fork server, which by default imports this file
    # @end
    for method in methods:
        with multiprocessing.get_context(method).Pool(1) as pool:
            same = pool.apply(same_var, (data,))
        check(f"a {method} Pool worker sees axes[0] and offset.a as one Var", same, "two native Vars")
    done()
