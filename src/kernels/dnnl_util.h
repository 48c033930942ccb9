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
