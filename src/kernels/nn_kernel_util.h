// Helpers shared by the nn kernels (Conv2DBackpropInput, BiasAdd, activations,
// the fused bias + activation pass): oneDNN engine/stream access, dnnl::error
// -> Status, dtype checks.
#ifndef FLOWLET_SRC_KERNELS_NN_KERNEL_UTIL_H_
#define FLOWLET_SRC_KERNELS_NN_KERNEL_UTIL_H_

#include <initializer_list>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "flowlet/attr_map.h"
#include "flowlet/types.h"
#include "oneapi/dnnl/dnnl.hpp"
#include "src/kernels/op_kernel.h"

namespace flowlet {
namespace nn_kernels {

// The session's CPU engine and stream, or (when the resources lend none, as in
// tests that run a kernel alone) a process-wide CPU engine and a stream on it.
const dnnl::engine& Engine(KernelResources* resources);
dnnl::stream& Stream(KernelResources* resources);

// A status for a oneDNN error: InvalidArgument when oneDNN rejected the
// arguments (dnnl_invalid_arguments, dnnl_unimplemented), else Internal. The
// message is
// "<what>: <oneDNN message> (status <n>)".
absl::Status DnnlErrorToStatus(const dnnl::error& e, absl::string_view what);

// Reorders a float filter in the user's layout (`user`, whose handle is set to
// `filter`) into a primitive's weights memory with `reorder`, waits, and counts
// one weight reorder (kernel_counters). oneDNN errors become
// DnnlErrorToStatus(e, what).
absl::Status ReorderWeights(const dnnl::reorder& reorder, dnnl::memory& user,
                            const dnnl::memory& weights, const float* filter,
                            dnnl::stream& stream, absl::string_view what);

// True if a primitive implementation name is oneDNN's slow reference kernel.
inline bool IsReferenceImpl(absl::string_view impl_info) {
  return impl_info.substr(0, 3) == "ref";
}

// The op's T attr (InvalidArgument "<label>: attr 'T' ..." if missing), checked
// against `allowed` (InvalidArgument "<label>: T = <dtype> is not supported;
// expected one of ...").
absl::Status GetTypeAttr(const AttrMap& attrs, absl::string_view label,
                         std::initializer_list<DataType> allowed,
                         DataType* out);

// InvalidArgument unless the kernel got `n` inputs and input i has dtype
// `expected`:
// "<label>: input <i> ('<arg>') must be <expected>, got <actual>".
absl::Status CheckNumInputs(const KernelContext& ctx, absl::string_view label,
                            int n);
absl::Status CheckInputType(const KernelContext& ctx, absl::string_view label,
                            int i, absl::string_view arg, DataType expected);

}  // namespace nn_kernels

// f32 staging for half / bfloat16: `out` (f32, same element count) = in;
// `out` (half / bfloat16) = in (f32), rounded.
void ConvertToF32(const Tensor& in, Tensor* out);
void ConvertFromF32(const Tensor& in, Tensor* out);

}  // namespace flowlet

#endif  // FLOWLET_SRC_KERNELS_NN_KERNEL_UTIL_H_
