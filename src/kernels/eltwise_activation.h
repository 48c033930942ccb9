// A oneDNN eltwise_forward primitive applying one activation to n contiguous
// f32 values (in place or not), for the activation kernels.
#ifndef FLOWLET_SRC_KERNELS_ELTWISE_ACTIVATION_H_
#define FLOWLET_SRC_KERNELS_ELTWISE_ACTIVATION_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "oneapi/dnnl/dnnl.hpp"
#include "src/kernels/activation_functors.h"

namespace flowlet {

class EltwiseActivationPlan {
 public:
  // True if oneDNN 2.6 has the activation as one eltwise algorithm: Relu
  // (eltwise_relu), LeakyRelu (eltwise_relu with alpha), Relu6 (eltwise_clip
  // [0, 6]), Elu (eltwise_elu, alpha 1), Sigmoid (eltwise_logistic), Tanh
  // (eltwise_tanh), Softplus (eltwise_soft_relu). Selu and Softsign run as
  // loops.
  static bool Supported(Activation act);
  // For n > 0 values. InvalidArgument / Internal from oneDNN errors.
  static absl::StatusOr<std::unique_ptr<EltwiseActivationPlan>> Create(
      Activation act, float alpha, int64_t n, const dnnl::engine& engine);

  int64_t size() const { return n_; }
  const std::string& impl_info() const { return impl_info_; }
  // out[i] = act(in[i]); `out` may equal `in`.
  absl::Status Execute(const float* in, float* out, dnnl::stream& stream);

 private:
  EltwiseActivationPlan() = default;
  int64_t n_ = 0;
  std::string impl_info_;
  dnnl::eltwise_forward prim_;
  dnnl::memory src_mem_, dst_mem_;
};

}  // namespace flowlet

#endif  // FLOWLET_SRC_KERNELS_ELTWISE_ACTIVATION_H_
