#include "src/kernels/op_kernel.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace flowlet {

absl::StatusOr<Tensor*> KernelContext::allocate_output(
    int i, DataType dtype, const TensorShape& shape) {
  Value* out = outputs_[i];
  out->ref = nullptr;
  out->version = 0;
  out->borrowed = false;
  Tensor& t = out->tensor;
  if (t.IsInitialized() && t.dtype() == dtype && t.shape() == shape &&
      t.BufferIsExclusive()) {
    return &t;
  }
  absl::StatusOr<Tensor> fresh =
      Tensor::Allocate(dtype, shape, resources_->limits.max_tensor_bytes);
  if (!fresh.ok()) {
    return absl::Status(
        fresh.status().code(),
        absl::StrCat("output ", i, ": ", fresh.status().message()));
  }
  t = *std::move(fresh);
  return &t;
}

KernelRegistry* KernelRegistry::Global() {
  static KernelRegistry* const registry = new KernelRegistry();
  return registry;
}

void KernelRegistry::Register(const std::string& op, KernelFactory factory) {
  factories_[op] = std::move(factory);
}

const KernelFactory* KernelRegistry::Find(absl::string_view op) const {
  auto it = factories_.find(op);
  return it == factories_.end() ? nullptr : &it->second;
}

std::vector<std::string> KernelRegistry::OpNames() const {
  std::vector<std::string> names;
  for (const auto& [k, v] : factories_) names.push_back(k);
  return names;
}

}  // namespace flowlet
