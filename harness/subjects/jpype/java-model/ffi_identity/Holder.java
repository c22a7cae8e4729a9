package ffi_identity;

/** A field typed by the second base. */
public final class Holder extends Native {
    public final Second base;

    public Holder(Second base) {
        this.base = base;
    }
}
