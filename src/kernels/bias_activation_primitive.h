// act(value + bias) for float tensors as ONE oneDNN binary_add primitive with
// the activation as an eltwise post-op: JIT-vectorized and multithreaded, one
// pass over the data. (On the deconvolution itself oneDNN 2.6 runs bias and
// post-ops in a slow reference pass; on a binary primitive they are fused into
// the JIT kernel.)
#ifndef FLOWLET_SRC_KERNELS_BIAS_ACTIVATION_PRIMITIVE_H_
#define FLOWLET_SRC_KERNELS_BIAS_ACTIVATION_PRIMITIVE_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "oneapi/dnnl/dnnl.hpp"
#include "src/kernels/activation_functors.h"
#include "src/kernels/bias_activation.h"
#include "src/kernels/dnnl_util.h"

namespace flowlet {

class BiasActivationPrimitive {
 public:
  // True if the activation has a oneDNN eltwise algorithm (all but Softsign).
  static bool Supports(Activation act);

  // Runs y = act(x + b) for `layout` (created once per layout and cached). x
  // may equal y.
  absl::Status Run(const BiasLayout& layout, Activation act, float alpha,
                   const float* x, const float* b, float* y,
                   const dnnl::engine& engine, dnnl::stream& stream);

 private:
  struct Prepared {
    dnnl::binary prim;
    dnnl::memory src0, src1, dst;
  };
  absl::StatusOr<Prepared*> Prepare(const BiasLayout& layout, Activation act,
                                    float alpha, const dnnl::engine& engine);

  dnnl_util::ShapeCache<Prepared> cache_;
  std::vector<int64_t> key_;
};

}  // namespace flowlet

#endif  // FLOWLET_SRC_KERNELS_BIAS_ACTIVATION_PRIMITIVE_H_
