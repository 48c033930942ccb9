// Helpers shared by the kernels that run oneDNN primitives: engine checks,
// plain memory descs, dnnl::error -> Status, and a per-kernel cache of prepared
// primitives keyed by shape.
//
// NOTE (nn kernels engineer): this file was accidentally overwritten at 06:48
// by the nn kernels work and reconstructed from its call sites in
// math_kernels.cc and reduction_kernels.cc. Its author may want to check it
// against the original.
#ifndef FLOWLET_SRC_KERNELS_DNNL_UTIL_H_
#define FLOWLET_SRC_KERNELS_DNNL_UTIL_H_

#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "oneapi/dnnl/dnnl.hpp"
#include "src/kernels/op_kernel.h"

namespace flowlet {
namespace dnnl_util {

// FailedPrecondition unless `resources` lends a oneDNN engine and stream.
absl::Status CheckEngine(const KernelResources* resources);

// A plain (row-major, dense) f32 memory desc of `dims`; a scalar (no dims) is
// {1}.
dnnl::memory::desc PlainF32Desc(const dnnl::memory::dims& dims);

// Runs `prim` on `args` ({DNNL_ARG_SRC, memory.get()}, ...) through oneDNN's C
// API. dnnl::primitive::execute builds an std::unordered_map and an
// std::vector of the arguments on every call; this allocates nothing on
// flowlet's side (oneDNN 2.6 still builds its own argument map inside). Throws
// dnnl::error like execute. For reorders: {DNNL_ARG_FROM, ...}, {DNNL_ARG_TO,
// ...}.
inline void Execute(const dnnl::primitive& prim, const dnnl::stream& stream,
                    std::initializer_list<dnnl_exec_arg_t> args) {
  dnnl::error::wrap_c_api(
      dnnl_primitive_execute(prim.get(), stream.get(),
                             static_cast<int>(args.size()), args.begin()),
      "could not execute a primitive");
}

// Internal "<what> failed: <oneDNN message> (status <n>)" for an error thrown
// by oneDNN.
absl::Status FromDnnlError(const dnnl::error& e, absl::string_view what);

// Prepared objects (primitives + memories) keyed by a vector of ints (usually
// dims), owned by one kernel. Not thread-safe (a kernel instance runs on one
// thread at a time).
template <typename T>
class ShapeCache {
 public:
  // nullptr if absent.
  T* Find(const std::vector<int64_t>& key) const {
    auto it = entries_.find(key);
    return it == entries_.end() ? nullptr : it->second.get();
  }
  // Stores `value` under `key` (replacing any previous one) and returns it.
  T* Insert(std::vector<int64_t> key, std::unique_ptr<T> value) {
    T* raw = value.get();
    entries_[std::move(key)] = std::move(value);
    return raw;
  }
  size_t size() const { return entries_.size(); }

 private:
  std::map<std::vector<int64_t>, std::unique_ptr<T>> entries_;
};

}  // namespace dnnl_util
}  // namespace flowlet

#endif  // FLOWLET_SRC_KERNELS_DNNL_UTIL_H_
