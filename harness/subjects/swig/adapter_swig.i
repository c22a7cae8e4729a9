/* The object model of libffi_native.so (../ffi_native_api.h) through SWIG,
 * the way a C library's SWIG binding is written: the header's functions
 * as they are, with every constructor and object-returning getter marked
 * %newobject (they return new references), and one SWIG proxy ("shadow")
 * class per kind (Var, Add, Layout, Node, Outer, and Inner, Outer's
 * leading member) over the opaque ffi_obj, given constructors, a
 * destructor that drops the reference, fields and pickling with %extend
 * and %pythoncode. A returned pointer becomes the proxy class of its kind
 * (the out typemap asks ffn_kind), a new proxy object per call: SWIG keeps
 * no table of the proxies it made.
 *
 * swig.mk sets the module name per SWIG version (-module
 * adapter_swig_4_1_0: Python module adapter_swig_4_1_0.py, extension
 * _adapter_swig_4_1_0). */
%module adapter_swig

%{
#include <stdbool.h>
#include <stdlib.h>
#include "ffi_native_api.h"

/* The proxy classes' C types: every kind is the one opaque ffi_obj. */
typedef ffi_obj Var;
typedef ffi_obj Add;
typedef ffi_obj Layout;
typedef ffi_obj Node;
typedef ffi_obj Outer;
typedef ffi_obj Inner;
typedef ffi_obj Derived;
typedef ffi_obj Holder;
%}

%include <stdint.i>

/* ---- ffi_obj * crossing the boundary ---------------------------------- */

/* In: any proxy of the model (they all stand for an ffi_obj). */
%typemap(in) ffi_obj * (void *argp = 0) {
    if (!SWIG_IsOK(SWIG_ConvertPtr($input, &argp, $descriptor(Var *), 0)) &&
        !SWIG_IsOK(SWIG_ConvertPtr($input, &argp, $descriptor(Add *), 0)) &&
        !SWIG_IsOK(SWIG_ConvertPtr($input, &argp, $descriptor(Layout *), 0)) &&
        !SWIG_IsOK(SWIG_ConvertPtr($input, &argp, $descriptor(Node *), 0)) &&
        !SWIG_IsOK(SWIG_ConvertPtr($input, &argp, $descriptor(Outer *), 0)) &&
        !SWIG_IsOK(SWIG_ConvertPtr($input, &argp, $descriptor(Derived *), 0)) &&
        !SWIG_IsOK(SWIG_ConvertPtr($input, &argp, $descriptor(Holder *), 0)))
        SWIG_exception_fail(SWIG_TypeError, "in method '$symname', argument $argnum: "
                            "expected a Var, Add, Layout, Node, Outer, Derived or Holder");
    if (!argp)
        SWIG_exception_fail(SWIG_ValueError, "in method '$symname', argument $argnum: a null object");
    $1 = (ffi_obj *)argp;
}

/* Out: the proxy class of the object's kind; owned where %newobject says. */
%typemap(out) ffi_obj * {
    swig_type_info *ty = 0;
    if (!$1)
        SWIG_exception_fail(SWIG_IndexError, "no such object");
    switch (ffn_kind($1)) {
    case FFN_VAR: ty = $descriptor(Var *); break;
    case FFN_ADD: ty = $descriptor(Add *); break;
    case FFN_LAYOUT: ty = $descriptor(Layout *); break;
    case FFN_NODE: ty = $descriptor(Node *); break;
    case FFN_OUTER: ty = $descriptor(Outer *); break;
    case FFN_DERIVED: ty = $descriptor(Derived *); break;
    case FFN_HOLDER: ty = $descriptor(Holder *); break;
    }
    if (!ty) {
        if ($owner)
            ffn_decref($1);
        SWIG_exception_fail(SWIG_TypeError, "an object of unknown kind");
    }
    $result = SWIG_NewPointerObj(SWIG_as_voidptr($1), ty, $owner);
}

/* A Python sequence of proxies as (array, length); the array is freed
 * after the call. None (Node's default) is no children. */
%typemap(in) (ffi_obj **axes, size_t naxes), (ffi_obj **children, size_t n) {
    PyObject *seq = $input == Py_None ? PyTuple_New(0) : PySequence_Fast($input, "expected a sequence");
    Py_ssize_t k, len;
    if (!seq)
        SWIG_fail;
    len = PySequence_Fast_GET_SIZE(seq);
    $1 = (ffi_obj **)malloc((len ? len : 1) * sizeof(ffi_obj *));
    $2 = (size_t)len;
    for (k = 0; $1 && k < len; k++) {
        void *p = 0;
        PyObject *item = PySequence_Fast_GET_ITEM(seq, k);
        if (!SWIG_IsOK(SWIG_ConvertPtr(item, &p, $descriptor(Var *), 0)) &&
            !SWIG_IsOK(SWIG_ConvertPtr(item, &p, $descriptor(Add *), 0)) &&
            !SWIG_IsOK(SWIG_ConvertPtr(item, &p, $descriptor(Layout *), 0)) &&
            !SWIG_IsOK(SWIG_ConvertPtr(item, &p, $descriptor(Node *), 0)) &&
            !SWIG_IsOK(SWIG_ConvertPtr(item, &p, $descriptor(Outer *), 0))) {
            Py_DECREF(seq);
            SWIG_exception_fail(SWIG_TypeError, "in method '$symname': an item is not a model object");
        }
        $1[k] = (ffi_obj *)p;
    }
    Py_DECREF(seq);
    if (!$1)
        SWIG_exception_fail(SWIG_MemoryError, "out of memory");
}
%typemap(typecheck, precedence=SWIG_TYPECHECK_POINTER) (ffi_obj **axes, size_t naxes),
    (ffi_obj **children, size_t n) {
    $1 = $input == Py_None || PySequence_Check($input);
}
%typemap(freearg) (ffi_obj **axes, size_t naxes), (ffi_obj **children, size_t n) {
    free($1);
}

/* ---- the C API, as the header declares it ----------------------------- */

%newobject ffn_var_new;
%newobject ffn_add_new;
%newobject ffn_layout_new;
%newobject ffn_node_new;
%newobject ffn_outer_new;
%newobject ffn_add_a;
%newobject ffn_add_b;
%newobject ffn_layout_axis;
%newobject ffn_layout_offset;
%newobject ffn_node_child;
%newobject ffn_derived_new;
%newobject ffn_holder_new;
%newobject ffn_var_intern;
/* Calling a Python callable from C takes a hand-written typemap and
 * trampoline (SWIG's %callback passes C functions only): not bound. */
%ignore ffn_layout_visit_offset;
/* Reference counts are the proxies' business (constructor and destructor). */
%ignore ffn_incref;
%ignore ffn_decref;

%include "ffi_native_api.h"

/* ---- proxy classes ----------------------------------------------------- */

/* What every proxy class shares: the destructor drops the reference it
 * owns; equality and hashing go by kind and address (a SWIG proxy by
 * itself compares by identity; only its SwigPyObject `this` compares by
 * address). */
%pythoncode %{
def _state(w):
    """What pickle carries besides the constructor's arguments: the
    attributes the user set on the proxy (not SWIG's own this, thisown)."""
    return {k: v for k, v in vars(w).items() if k not in ("this", "thisown")} or None
%}

%define MODEL_CLASS(Cls)
%nodefaultctor Cls;
typedef struct {} Cls;
%extend Cls {
    ~Cls() { ffn_decref($self); }
    %pythoncode %{
        def __eq__(self, other):
            return type(self) is type(other) and int(self.this) == int(other.this)

        def __hash__(self):
            return hash(int(self.this))
    %}
}
%enddef

MODEL_CLASS(Var)
MODEL_CLASS(Add)
MODEL_CLASS(Layout)
MODEL_CLASS(Node)
MODEL_CLASS(Outer)
MODEL_CLASS(Inner)
MODEL_CLASS(Derived)
MODEL_CLASS(Holder)

/* Object fields and getters return new references. */
%newobject Add::a;
%newobject Add::b;
%newobject Layout::axis;
%newobject Layout::offset;
%newobject Node::child;
%newobject Outer::inner;
%newobject Holder::base;

%immutable;

%feature("kwargs") Var::Var;
%extend Var {
    Var(const char *name, bool intern = false) { return (intern ? ffn_var_intern : ffn_var_new)(name); }
    const char *name;
    %pythoncode %{
        def __reduce__(self):
            return (type(self), (self.name,), _state(self))
    %}
}

%extend Add {
    Add(ffi_obj *a, ffi_obj *b) { return ffn_add_new(a, b); }
    ffi_obj *a;
    ffi_obj *b;
    %pythoncode %{
        def __reduce__(self):
            return (type(self), (self.a, self.b), _state(self))
    %}
}

%extend Layout {
    Layout(ffi_obj **axes, size_t naxes, ffi_obj *offset) { return ffn_layout_new(axes, naxes, offset); }
    size_t naxes() { return ffn_layout_naxes($self); }
    ffi_obj *axis(size_t i) { return ffn_layout_axis($self, i); }
    ffi_obj *offset;
    %pythoncode %{
        @property
        def axes(self):
            return tuple(self.axis(i) for i in range(self.naxes()))

        def __reduce__(self):
            return (type(self), (self.axes, self.offset), _state(self))
    %}
}

%extend Node {
    Node(int64_t tag, ffi_obj **children = NULL, size_t n = 0) { return ffn_node_new(tag, children, n); }
    int64_t tag;
    size_t count() { return ffn_node_count($self); }
    ffi_obj *child(size_t i) { return ffn_node_child($self, i); }
    %pythoncode %{
        @property
        def children(self):
            return tuple(self.child(i) for i in range(self.count()))

        def __reduce__(self):
            return (type(self), (self.tag, self.children), _state(self))
    %}
}

%extend Outer {
    Outer(int64_t value) { return ffn_outer_new(value); }
    int64_t value;
    /* A view of the leading member: the same address as its own type. */
    Inner *inner;
    %pythoncode %{
        def __reduce__(self):
            return (type(self), (self.value,), _state(self))
    %}
}

%extend Inner {
    int64_t value;
    %pythoncode %{
        def __reduce__(self):
            raise TypeError("an Inner view is not picklable on its own; pickle its Outer")
    %}
}

/* A Derived's second base sits at another address; a Holder keeps that
 * base's address, and its field maps the base back to its Derived. */
%extend Derived {
    Derived(int64_t value) { return ffn_derived_new(value); }
    int64_t value;
    int64_t tag;
    %pythoncode %{
        def __reduce__(self):
            return (type(self), (self.value,), _state(self))
    %}
}

%extend Holder {
    Holder(ffi_obj *base) { return ffn_holder_new(ffn_derived_base(base)); }
    ffi_obj *base;
    %pythoncode %{
        def __reduce__(self):
            return (type(self), (self.base,), _state(self))
    %}
}

%mutable;

/* Getters of the %extend fields. */
%{
static const char *Var_name_get(Var *v) { return ffn_var_name(v); }
static ffi_obj *Add_a_get(Add *o) { return ffn_add_a(o); }
static ffi_obj *Add_b_get(Add *o) { return ffn_add_b(o); }
static ffi_obj *Layout_offset_get(Layout *o) { return ffn_layout_offset(o); }
static int64_t Node_tag_get(Node *o) { return ffn_node_tag(o); }
static int64_t Outer_value_get(Outer *o) { return ffn_outer_value(o); }
static Inner *Outer_inner_get(Outer *o) { ffn_incref(o); return o; }
static int64_t Inner_value_get(Inner *o) { return ffn_outer_value(o); }
static int64_t Derived_value_get(Derived *o) { return ffn_derived_value(o); }
static int64_t Derived_tag_get(Derived *o) { return ffn_base_tag(ffn_derived_base(o)); }
static ffi_obj *Holder_base_get(Holder *o) { return ffn_base_object(ffn_holder_base(o)); }
%}

%pythoncode %{
def handle(w):
    """The native address a proxy stands for."""
    if not isinstance(w, (Var, Add, Layout, Node, Outer, Inner, Derived, Holder)):
        raise TypeError(f"not a SWIG proxy of the model: {type(w).__name__}")
    return int(w.this)


def same_as(a, b):
    return type(a) is type(b) and handle(a) == handle(b)


def native_live():
    """Native objects alive in libffi_native.so."""
    return ffn_live()


def consume(w):
    """Native code takes w's reference and drops it: the proxy is
    disowned (thisown cleared, SWIG's own way to hand an object to C)."""
    w.thisown = False
    ffn_consume(w)
%}
