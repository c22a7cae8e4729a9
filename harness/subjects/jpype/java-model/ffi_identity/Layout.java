package ffi_identity;

import java.util.Collection;
import java.util.List;

public final class Layout extends Native {
    public final List<Var> axes;
    public final Expr offset;

    /** Any Java collection: JPype converts a Python sequence to one. */
    public Layout(Collection<Var> axes, Expr offset) {
        this.axes = new ModelList<>(axes);
        this.offset = offset;
    }

    /** A Java method calling back into Python: the visitor is a Python
        object implementing Visitor (a JPype proxy). */
    public static Expr visitOffset(Layout layout, Visitor visitor) {
        return visitor.visit(layout.offset);
    }
}
