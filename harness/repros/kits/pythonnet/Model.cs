// The object model as a plain C# library, the way a .NET library that
// Python reaches through pythonnet defines one: nothing here knows Python
// (pythonnet reflects the classes at run time). Members are lower case
// because repro.py reads them by those names.
using System;
using System.Threading;

namespace Repro
{
    // Every object of the model, numbered when made: the CLR shows no
    // addresses (its collector moves objects).
    public abstract class Obj
    {
        static long made;
        // @if live
        static long alive;

        protected Obj()
        {
            Interlocked.Increment(ref alive);
        }

        ~Obj()
        {
            Interlocked.Decrement(ref alive);
        }

        // The objects not yet finalized after a full collection.
        public static long Live()
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            return Interlocked.Read(ref alive);
        }
        // @end

        public long serial { get; } = Interlocked.Increment(ref made);
    }

    public abstract class Expr : Obj
    {
    }

    public class Var : Expr
    {
        public Var(string name)
        {
            this.name = name;
        }

        public string name { get; }
    }

    public class Add : Expr
    {
        public Add(Expr a, Expr b)
        {
            this.a = a;
            this.b = b;
        }

        public Expr a { get; }
        public Expr b { get; }
    }

    public class Layout : Obj
    {
        public Layout(Expr[] axes, Expr offset)
        {
            this.axes = (Expr[])axes.Clone();
            this.offset = offset;
        }

        public Expr[] axes { get; }
        public Expr offset { get; }
        // @if callback

        // .NET calling back: visit(layout.offset), and what it returns.
        public static Expr VisitOffset(Layout layout, Func<Expr, Expr> visit)
        {
            return visit(layout.offset);
        }
        // @end
    }
    // @if node

    // A DAG node: parents may share children.
    public class Node : Obj
    {
        public Node(long tag, Node[] children)
        {
            this.tag = tag;
            this.children = (Node[])children.Clone();
        }

        public long tag { get; }
        public Node[] children { get; }
    }
    // @end
}
