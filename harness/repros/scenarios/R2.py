# title: threads re-reading a field while objects die and are re-made see two objects
import sys
import threading
import time

sys.setswitchinterval(1e-6)
holds = [Add(v, v) for v in (Var(f"v{k}") for k in range(4))]   # the Vars' objects are dropped
barrier, splits = threading.Barrier(4), []


def churn():
    barrier.wait()
    split = 0
    for _ in range(100):
        for hold in holds:
            x = hold.a
            time.sleep(0)   # let another thread run between the two reads
            y = hold.a
            split += x is not y
            del x, y
    splits.append(split)


threads = [threading.Thread(target=churn) for _ in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
check("x = hold.a; y = hold.a gives x is y while 4 threads do the same", not sum(splits),
      f"{sum(splits)} of 1600 pairs of reads gave two objects")
done()
