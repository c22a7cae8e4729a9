# title: threads reading one field at once get different Python objects
import sys
import threading

sys.setswitchinterval(1e-6)   # switch threads as often as possible
for round_ in range(1, 21):
    adds = [Add(v, v) for v in (Var(f"v{k}") for k in range(64))]   # the Vars' objects are dropped
    barrier, outs = threading.Barrier(4), [[] for _ in range(4)]

    def read(out):
        barrier.wait()
        out.extend(add.a for add in adds)

    threads = [threading.Thread(target=read, args=(out,)) for out in outs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    split = sum(any(out[k] is not outs[0][k] for out in outs[1:]) for k in range(64))
    if split:
        break
check("4 threads reading add.a of the same 64 Adds at once get one object per Var", not split,
      f"{split} of 64 Vars had two or more live Python objects (round {round_})")
done()
