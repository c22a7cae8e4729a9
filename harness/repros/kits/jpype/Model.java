// The object model as a small Java library, for JPype to drive: public
// final fields, constructors, static methods. Nested classes keep it to
// one file.
package repro;

// @if live
import java.lang.ref.WeakReference;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
// @end
import java.util.concurrent.atomic.AtomicLong;
// @if intern
import java.util.HashMap;
import java.util.Map;
// @end
// @if intern !live
import java.lang.ref.WeakReference;
// @end
// @if callback
import java.util.function.Function;
// @end

public final class Model {
    private Model() {
    }

    /** Every object of the model: numbered when made, since the JVM shows
        no addresses (its collector moves objects). */
    public abstract static class Obj {
        private static final AtomicLong made = new AtomicLong();
        // @if live
        private static final Set<WeakReference<Obj>> all = ConcurrentHashMap.newKeySet();
        // @end
        public final long serial = made.incrementAndGet();
        // @if live

        protected Obj() {
            all.add(new WeakReference<>(this));
        }

        /** The objects still reachable after a full collection. */
        public static long live() {
            System.gc();
            all.removeIf(ref -> ref.get() == null);
            return all.size();
        }
        // @end
    }

    public abstract static class Expr extends Obj {
    }

    public static final class Var extends Expr {
        public final String name;

        public Var(String name) {
            this.name = name;
        }
        // @if intern

        private static final Map<String, WeakReference<Var>> interned = new HashMap<>();

        /** The live Var of this name, else a new one: Java's interning
            constructor is a static factory. */
        public static synchronized Var intern(String name) {
            WeakReference<Var> ref = interned.get(name);
            Var v = ref == null ? null : ref.get();
            if (v == null) {
                v = new Var(name);
                interned.put(name, new WeakReference<>(v));
            }
            return v;
        }
        // @end
    }

    public static final class Add extends Expr {
        public final Expr a, b;

        public Add(Expr a, Expr b) {
            this.a = a;
            this.b = b;
        }
    }

    public static final class Layout extends Obj {
        public final Expr[] axes;
        public final Expr offset;

        public Layout(Expr[] axes, Expr offset) {
            this.axes = axes.clone();
            this.offset = offset;
        }
    }
    // @if node

    /** A DAG node: parents may share children. */
    public static final class Node extends Obj {
        public final long tag;
        public final Node[] children;

        public Node(long tag, Node[] children) {
            this.tag = tag;
            this.children = children.clone();
        }
    }
    // @end
    // @if derived

    /** Java's second base is an interface: a reference typed by it is
        still the whole object. */
    public interface Second {
        long tag();
    }

    public abstract static class First extends Obj {
        public final long value;

        protected First(long value) {
            this.value = value;
        }
    }

    public static final class Derived extends First implements Second {
        public Derived(long value) {
            super(value);
        }

        @Override
        public long tag() {
            return value;
        }
    }

    /** Keeps a Derived as its second base. */
    public static final class Holder extends Obj {
        public final Second base;

        public Holder(Second base) {
            this.base = base;
        }
    }
    // @end
    // @if callback

    /** Java calling back: fn(layout.offset), and what it returns. */
    public static Expr visitOffset(Layout layout, Function<Expr, Expr> fn) {
        return fn.apply(layout.offset);
    }
    // @end
}
