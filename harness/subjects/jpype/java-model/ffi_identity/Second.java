package ffi_identity;

/** Derived's second base: Java's counterpart of a second C++ base is an
    interface, and a reference typed by it is still the whole object. */
public interface Second {
    long getTag();
}
