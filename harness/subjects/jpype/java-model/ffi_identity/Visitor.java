package ffi_identity;

/** The callback interface of Layout.visitOffset, implemented in Python. */
public interface Visitor {
    Expr visit(Expr offset);
}
