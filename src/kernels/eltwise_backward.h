// A oneDNN eltwise_backward primitive for one activation gradient over n
// contiguous f32 values, for the activation gradient kernels.
#ifndef FLOWLET_SRC_KERNELS_ELTWISE_BACKWARD_H_
#define FLOWLET_SRC_KERNELS_ELTWISE_BACKWARD_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "oneapi/dnnl/dnnl.hpp"
#include "src/kernels/activation_functors.h"

namespace flowlet {

class EltwiseBackwardPlan {
 public:
  // True if oneDNN 2.6 computes the gradient of `act` with TensorFlow's
  // conventions: Relu / LeakyRelu (eltwise_relu with alpha, from the
  // features), Relu6 (eltwise_clip_v2 [0, 6]: 0 < x < 6), Elu
  // (eltwise_elu_use_dst_for_bwd), Sigmoid (eltwise_logistic_use_dst_for_bwd),
  // Tanh (eltwise_tanh_use_dst_for_bwd), Softplus (eltwise_soft_relu). Selu and
  // Softsign run as loops.
  static bool Supported(Activation act);
  // True if the primitive reads the forward output (Elu, Sigmoid, Tanh)
  // rather than the features.
  static bool UsesDst(Activation act);
  // For n > 0 values; `alpha` is LeakyRelu's slope.
  static absl::StatusOr<std::unique_ptr<EltwiseBackwardPlan>> Create(
      Activation act, float alpha, int64_t n, const dnnl::engine& engine);

  int64_t size() const { return n_; }
  const std::string& impl_info() const { return impl_info_; }
  // diff_src[i] = gradient at data[i] times diff_dst[i]; `diff_src` may equal
  // `diff_dst`. `data` is the features or the forward output (UsesDst).
  absl::Status Execute(const float* data, const float* diff_dst,
                       float* diff_src, dnnl::stream& stream);

 private:
  EltwiseBackwardPlan() = default;
  int64_t n_ = 0;
  int data_arg_ = DNNL_ARG_SRC;
  std::string impl_info_;
  dnnl::eltwise_backward prim_;
  dnnl::memory data_mem_, diff_dst_mem_, diff_src_mem_;
};

}  // namespace flowlet

#endif  // FLOWLET_SRC_KERNELS_ELTWISE_BACKWARD_H_
