/* The C library of native.h through SWIG, the way a C library's SWIG
 * binding is written: the header's functions as they are, constructors and
 * object-returning getters marked %newobject (they return new references),
 * and a proxy class per kind over the opaque native_obj, given a
 * constructor, a destructor dropping the reference, and fields, with
 * %extend. A returned pointer becomes a proxy of its kind's class (the out
 * typemap asks native_kind). */
%module model

%{
#include <stdbool.h>
#include "native.h"
typedef native_obj Var, Add, Layout;
/* @if node */
typedef native_obj Node;
/* @end */
/* @if derived */
typedef native_obj Derived, Holder;
/* @end */
%}

%include <stdint.i>

/* In: any proxy of the model stands for its native_obj. */
%typemap(in) native_obj * (void *p = 0) {
    if (!SWIG_IsOK(SWIG_ConvertPtr($input, &p, $descriptor(Var *), 0)) &&
        !SWIG_IsOK(SWIG_ConvertPtr($input, &p, $descriptor(Add *), 0)) &&
        /* @if node */
        !SWIG_IsOK(SWIG_ConvertPtr($input, &p, $descriptor(Node *), 0)) &&
        /* @end */
        /* @if derived */
        !SWIG_IsOK(SWIG_ConvertPtr($input, &p, $descriptor(Derived *), 0)) &&
        /* @end */
        !SWIG_IsOK(SWIG_ConvertPtr($input, &p, $descriptor(Layout *), 0)))
        SWIG_exception_fail(SWIG_TypeError, "expected an object of the model");
    $1 = (native_obj *)p;
}

/* Out: a proxy of the class of the object's kind; owned where %newobject says. */
%typemap(out) native_obj * {
    swig_type_info *ty = $descriptor(Var *);
    switch (native_kind($1)) {
    case NATIVE_ADD: ty = $descriptor(Add *); break;
    case NATIVE_LAYOUT: ty = $descriptor(Layout *); break;
    /* @if node */
    case NATIVE_NODE: ty = $descriptor(Node *); break;
    /* @end */
    /* @if derived */
    case NATIVE_DERIVED: ty = $descriptor(Derived *); break;
    case NATIVE_HOLDER: ty = $descriptor(Holder *); break;
    /* @end */
    }
    $result = SWIG_NewPointerObj(SWIG_as_voidptr($1), ty, $owner);
}

/* A Python sequence of proxies as (array, length), freed after the call. */
%typemap(in) (native_obj **axes, size_t naxes), (native_obj **children, size_t n) {
    PyObject *seq = PySequence_Fast($input, "expected a sequence");
    if (!seq)
        SWIG_fail;
    $2 = (size_t)PySequence_Fast_GET_SIZE(seq);
    $1 = (native_obj **)malloc(($2 ? $2 : 1) * sizeof(native_obj *));
    for (size_t k = 0; k < $2; k++) {
        void *p = 0;
        SWIG_ConvertPtr(PySequence_Fast_GET_ITEM(seq, k), &p, 0, 0);
        $1[k] = (native_obj *)p;
    }
    Py_DECREF(seq);
}
%typemap(freearg) (native_obj **axes, size_t naxes), (native_obj **children, size_t n) {
    free($1);
}

%define MODEL_CLASS(Cls)
%nodefaultctor Cls;
typedef struct {} Cls;
%extend Cls {
    ~Cls() { native_decref($self); }
    %pythoncode %{
        def __eq__(self, other):
            return type(self) is type(other) and int(self.this) == int(other.this)

        def __hash__(self):
            return hash(int(self.this))
        # @if pickle

        def __reduce__(self):   # the constructor's arguments, and the instance's attributes
            return (type(self), self.args(), {k: v for k, v in vars(self).items() if k not in ("this", "thisown")} or None)
        # @end
    %}
}
%enddef

MODEL_CLASS(Var)
MODEL_CLASS(Add)
MODEL_CLASS(Layout)
/* @if node */
MODEL_CLASS(Node)
/* @end */
/* @if derived */
MODEL_CLASS(Derived)
MODEL_CLASS(Holder)
/* @end */

%newobject Add::a;
%newobject Add::b;
%newobject Layout::axis;
%newobject Layout::offset;
/* @if node */
%newobject Node::child;
/* @end */
/* @if derived */
%newobject Holder::base;
/* @end */
%immutable;

%extend Var {
    /* @if intern */
    Var(const char *name, bool intern = false) { return (intern ? native_var_intern : native_var_new)(name); }
    /* @else */
    Var(const char *name) { return native_var_new(name); }
    /* @end */
    const char *name;
    %pythoncode %{
        args = lambda self: (self.name,)
    %}
}

%extend Add {
    Add(native_obj *a, native_obj *b) { return native_add_new(a, b); }
    native_obj *a;
    native_obj *b;
    %pythoncode %{
        args = lambda self: (self.a, self.b)
    %}
}

%extend Layout {
    Layout(native_obj **axes, size_t naxes, native_obj *offset) { return native_layout_new(axes, naxes, offset); }
    size_t naxes() { return native_layout_naxes($self); }
    native_obj *axis(size_t i) { return native_layout_axis($self, i); }
    native_obj *offset;
    %pythoncode %{
        axes = property(lambda self: tuple(self.axis(i) for i in range(self.naxes())))
        args = lambda self: (self.axes, self.offset)
    %}
}
/* @if node */

%extend Node {
    Node(int64_t tag, native_obj **children, size_t n) { return native_node_new(tag, children, n); }
    int64_t tag;
    size_t count() { return native_node_count($self); }
    native_obj *child(size_t i) { return native_node_child($self, i); }
    %pythoncode %{
        children = property(lambda self: tuple(self.child(i) for i in range(self.count())))
        args = lambda self: (self.tag, self.children)
    %}
}
/* @end */
/* @if derived */

/* A Holder keeps the address of a Derived's second base; its field maps
 * that base back to its Derived. */
%extend Derived {
    Derived(int64_t value) { return native_derived_new(value); }
    int64_t value;
}

%extend Holder {
    Holder(native_obj *d) { return native_holder_new(native_derived_base(d)); }
    native_obj *base;
}
/* @end */
%mutable;

%{
static const char *Var_name_get(Var *v) { return native_var_name(v); }
static native_obj *Add_a_get(Add *o) { return native_add_a(o); }
static native_obj *Add_b_get(Add *o) { return native_add_b(o); }
static native_obj *Layout_offset_get(Layout *o) { return native_layout_offset(o); }
/* @if node */
static int64_t Node_tag_get(Node *o) { return native_node_tag(o); }
/* @end */
/* @if derived */
static int64_t Derived_value_get(Derived *o) { return native_derived_value(o); }
static native_obj *Holder_base_get(Holder *o)
{
    native_obj *d = native_base_object(native_holder_base(o));
    native_incref(d);
    return d;
}
/* @end */
%}

int64_t native_live(void);
%constant int swig_version = SWIG_VERSION;
%pythoncode %{
TOOL = "SWIG %x.%x.%x" % (swig_version >> 16, (swig_version >> 8) & 0xff, swig_version & 0xff)


def addr(obj):
    return int(obj.this)


def live():
    return native_live()
%}
