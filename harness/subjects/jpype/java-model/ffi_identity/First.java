package ffi_identity;

/** Derived's superclass. */
public abstract class First extends Native {
    public final long value;

    protected First(long value) {
        this.value = value;
    }
}
