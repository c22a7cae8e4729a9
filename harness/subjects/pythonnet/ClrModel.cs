// The reference object model as a plain C# library, the way a .NET library
// that Python reaches through pythonnet defines it: what adapter_pythonnet.py
// binds. Nothing here knows pythonnet (it is compiled with Mono's mcs
// alone, pythonnet.mk); pythonnet reflects these classes at run time.
//
// Member names are lower case, against C# custom, because they are the
// suite's protocol (Var.name, Add.a, Layout.axes, ...) and pythonnet shows
// .NET members under their own names.
//
// What does not map: the C++ model's Outer/Inner (one address, two types)
// has no counterpart, since a CLR object has no address of its own and a
// struct member is read by value; C++'s second base at an offset becomes an
// interface, the CLR's way for one object to be seen as a second type.
using System;
using System.Threading;

namespace FfiClrModel
{
    // Numbers and counts the model's objects. The CLR gives an object no
    // stable address (Mono's SGen collector moves objects), so its identity
    // for the suite is a serial number taken at construction, never reused.
    public abstract class Native
    {
        static long serials;
        static long live;

        protected Native()
        {
            handle = Interlocked.Increment(ref serials);
            Interlocked.Increment(ref live);
        }

        // An object is dead for the model once the collector finalizes it.
        ~Native()
        {
            Interlocked.Decrement(ref live);
        }

        public long handle { get; }

        internal static long Live => Interlocked.Read(ref live);
    }

    public abstract class Expr : Native
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

    public class Layout : Native
    {
        public Layout(Expr[] axes, Expr offset)
        {
            this.axes = axes;
            this.offset = offset;
        }

        public Expr[] axes { get; }
        public Expr offset { get; }
    }

    public class Node : Native
    {
        public Node(long tag) : this(tag, new Node[0])
        {
        }

        public Node(long tag, Node[] children)
        {
            this.tag = tag;
            this.children = children;
        }

        public long tag { get; }
        public Node[] children { get; }
    }

    // The C++ model's Derived(First, Second): C# has one base class, and an
    // interface is how a second view of one object is declared.
    public interface ISecond
    {
        long tag { get; }
    }

    public class First : Native
    {
        public long value { get; protected set; }
    }

    public class Derived : First, ISecond
    {
        public Derived(long value)
        {
            this.value = value;
            tag = value;
        }

        public long tag { get; }
    }

    // A field typed by the second view: it keeps the Derived as an ISecond.
    public class Holder : Native
    {
        public Holder(ISecond @base)
        {
            this.@base = @base;
        }

        public ISecond @base { get; }
    }

    public static class Model
    {
        // The live objects, after a full collection has finalized every
        // object nothing references any more.
        public static long NativeLive()
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            return Native.Live;
        }

        // A .NET call of a Python callable, passed as a delegate.
        public static object VisitOffset(Layout layout, Func<Expr, object> visit)
        {
            return visit(layout.offset);
        }
    }
}
