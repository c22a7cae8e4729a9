// The global header shiboken6 parses and every generated file includes
// (the role of bindings.h in shiboken6's samplebinding example): the
// object model of cpp_model.hpp in a named namespace, so that the
// generated files share one model, and the lending the typesystem's
// conversion rules use.
#ifndef FFI_SHIBOKEN6_BINDINGS_H
#define FFI_SHIBOKEN6_BINDINGS_H

#define FFI_CPP_MODEL_NAMESPACE ffi_model
#include "cpp_model.hpp"

namespace ffi_model {

// A Python-made object handed to the model: the model's shared_ptr does
// not own it (its wrapper does, and the typesystem's reference-count keeps
// that wrapper alive as long as the wrapper of the object keeping it).
template <class T>
std::shared_ptr<T> lent(T *object)
{
    return std::shared_ptr<T>(object, [](T *) {});
}

}  // namespace ffi_model

#endif
