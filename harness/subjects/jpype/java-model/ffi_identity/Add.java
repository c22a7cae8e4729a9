package ffi_identity;

public final class Add extends Expr {
    public final Expr a, b;

    public Add(Expr a, Expr b) {
        this.a = a;
        this.b = b;
    }
}
