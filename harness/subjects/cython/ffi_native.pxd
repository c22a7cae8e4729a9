# The C object model (../ffi_native_api.h, libffi_native.so) as Cython sees it.
from libc.stdint cimport int64_t


cdef extern from "ffi_native_api.h":
    ctypedef struct ffi_obj:
        pass
    ctypedef struct ffi_base:
        pass

    enum:
        FFN_VAR
        FFN_ADD
        FFN_LAYOUT
        FFN_NODE
        FFN_OUTER
        FFN_DERIVED
        FFN_HOLDER

    # Constructors and object-returning getters give a new reference.
    ffi_obj *ffn_var_new(const char *name)
    ffi_obj *ffn_add_new(ffi_obj *a, ffi_obj *b)
    ffi_obj *ffn_layout_new(ffi_obj **axes, size_t naxes, ffi_obj *offset)
    ffi_obj *ffn_node_new(int64_t tag, ffi_obj **children, size_t n)
    ffi_obj *ffn_outer_new(int64_t value)
    ffi_obj *ffn_derived_new(int64_t value)
    ffi_obj *ffn_holder_new(ffi_base *base)
    ffi_obj *ffn_var_intern(const char *name)

    void ffn_incref(ffi_obj *o)
    void ffn_decref(ffi_obj *o)
    int ffn_kind(ffi_obj *o)

    const char *ffn_var_name(ffi_obj *o)
    ffi_obj *ffn_add_a(ffi_obj *o)
    ffi_obj *ffn_add_b(ffi_obj *o)
    size_t ffn_layout_naxes(ffi_obj *o)
    ffi_obj *ffn_layout_axis(ffi_obj *o, size_t i)
    ffi_obj *ffn_layout_offset(ffi_obj *o)
    int64_t ffn_node_tag(ffi_obj *o)
    size_t ffn_node_count(ffi_obj *o)
    ffi_obj *ffn_node_child(ffi_obj *o, size_t i)
    int64_t ffn_outer_value(ffi_obj *o)

    int64_t ffn_derived_value(ffi_obj *o)
    ffi_base *ffn_derived_base(ffi_obj *o)
    ffi_obj *ffn_base_object(ffi_base *b)
    int64_t ffn_base_tag(ffi_base *b)
    ffi_base *ffn_holder_base(ffi_obj *o)

    void ffn_consume(ffi_obj *o)
    ffi_obj *ffn_layout_visit_offset(ffi_obj *layout, ffi_obj *(*fn)(void *, ffi_obj *) noexcept,
                                     void *ctx)

    int64_t ffn_live()
