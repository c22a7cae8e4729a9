# title: after os.fork(), the child reads a field as a new object
# needs: fork
import os

i, j = Var("i"), Var("j")
layout = Layout((i, j), Add(i, j))
before = layout.offset
pid = os.fork()
if pid == 0:   # the child: exit status 0 when it reads the object made before the fork
    os._exit(0 if layout.offset is before else 1)
status = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
check("in a fork child, layout.offset is the object read before the fork", status == 0,
      "the child read another object" if status == 1 else f"the child exited with {status}")
done()
