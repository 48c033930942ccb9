// A chain of bare oneDNN deconvolutions for benchmarks: the floor flowlet's
// transposed convolutions are measured against.
#ifndef FLOWLET_TOOLS_BENCH_BARE_DECONV_H_
#define FLOWLET_TOOLS_BENCH_BARE_DECONV_H_

#include <string>
#include <unordered_map>
#include <vector>

#include "oneapi/dnnl/dnnl.hpp"

namespace bare_deconv {

// One transposed convolution: input HxWxC (NHWC) -> `filters` channels,
// kernel k x k, stride s, TensorFlow's "same" padding (output s*H x s*W; total
// padding max(k - s, 0), the smaller half first).
struct Layer {
  int h, w, c, filters;
};

// Layer i's output feeds layer i + 1 (whose h, w, c must match). Each layer is
// one deconvolution_forward primitive (forward_inference, NHWC src and dst,
// weights `format_tag::any` filled with random values and reordered once, no
// bias, no post-op, library scratchpad); with `bias_act`, each is followed by
// a binary_add of a random bias with an eltwise post-op (ReLU, tanh for the
// last layer) into a separate buffer. Buffers are allocated once.
class Chain {
 public:
  // Throws dnnl::error if oneDNN rejects a layer.
  Chain(const std::vector<Layer>& layers, int kernel, int stride, int batch,
        bool bias_act);
  // Executes every primitive in order, waiting after each.
  void Run();
  // The implementations oneDNN chose, space-separated ("jit:avx512_core ...").
  const std::string& impl_info() const { return impl_info_; }

 private:
  dnnl::engine eng_;
  dnnl::stream strm_;
  std::vector<dnnl::primitive> prims_;
  std::vector<std::unordered_map<int, dnnl::memory>> args_;
  // Input, every output, the biases; never resized after construction.
  std::vector<std::vector<float>> bufs_;
  std::string impl_info_;
};

}  // namespace bare_deconv

#endif  // FLOWLET_TOOLS_BENCH_BARE_DECONV_H_
