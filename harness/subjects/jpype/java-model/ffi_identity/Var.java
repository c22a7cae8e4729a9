package ffi_identity;

import java.lang.ref.WeakReference;
import java.util.HashMap;
import java.util.Map;

public final class Var extends Expr {
    private final String name;

    public Var(String name) {
        this.name = name;
    }

    /* A getter rather than a public field: JPype hands a Java String over as
       a java.lang.String, and the adapter's customizer gives Var a Python
       property `name` that returns it as a Python str. */
    public String getName() {
        return name;
    }

    /* Interned Vars by name, held weakly: an interned Var lives only as long
       as something else holds it, as the C model's intern table. */
    private static final Map<String, WeakReference<Var>> interned = new HashMap<>();

    /** The live interned Var of this name, or a new one: the Java idiom for
        an interning constructor is a static factory. */
    public static synchronized Var intern(String name) {
        WeakReference<Var> ref = interned.get(name);
        Var v = ref == null ? null : ref.get();
        if (v == null) {
            v = new Var(name);
            interned.put(name, new WeakReference<>(v));
        }
        return v;
    }
}
