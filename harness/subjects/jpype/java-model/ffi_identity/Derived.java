package ffi_identity;

public final class Derived extends First implements Second {
    public final long tag;

    public Derived(long value) {
        super(value);
        this.tag = value;
    }

    @Override
    public long getTag() {
        return tag;
    }
}
