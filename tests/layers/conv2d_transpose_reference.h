// A naive transposed-convolution reference written straight from TensorFlow's
// definition (TF_LAYER_SPEC.md section 6), for checking flowlet's oneDNN path.
#ifndef FLOWLET_TESTS_LAYERS_CONV2D_TRANSPOSE_REFERENCE_H_
#define FLOWLET_TESTS_LAYERS_CONV2D_TRANSPOSE_REFERENCE_H_

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "flowlet/tensor.h"

namespace flowlet {
namespace testing_util {

struct DeconvProblem {
  int n, h, w, c;      // input (out_backprop) NHWC sizes
  int oh, ow, f;       // output sizes and filters
  int kh, kw, sh, sw;  // kernel, strides
  int dh = 1, dw = 1;  // dilations
  bool same = false;
};

// x: NHWC [n,h,w,c]; kernel: [kh,kw,f,c]; returns NHWC [n,oh,ow,f].
inline std::vector<double> ReferenceConv2DTranspose(
    const DeconvProblem& p, const std::vector<float>& x,
    const std::vector<float>& kernel) {
  auto pad_before = [](int in, int out, int k, int s, int d, bool same) {
    if (!same) return 0;
    int eff = (k - 1) * d + 1;
    int total = std::max(0, (in - 1) * s + eff - out);
    return total / 2;
  };
  const int pt = pad_before(p.h, p.oh, p.kh, p.sh, p.dh, p.same);
  const int pl = pad_before(p.w, p.ow, p.kw, p.sw, p.dw, p.same);
  std::vector<double> y(static_cast<size_t>(p.n) * p.oh * p.ow * p.f, 0.0);
  for (int b = 0; b < p.n; ++b)
    for (int i = 0; i < p.h; ++i)
      for (int j = 0; j < p.w; ++j)
        for (int a = 0; a < p.kh; ++a)
          for (int bb = 0; bb < p.kw; ++bb) {
            const int row = i * p.sh - pt + a * p.dh;
            const int col = j * p.sw - pl + bb * p.dw;
            if (row < 0 || row >= p.oh || col < 0 || col >= p.ow) continue;
            for (int cf = 0; cf < p.f; ++cf) {
              double acc = 0;
              for (int o = 0; o < p.c; ++o) {
                acc += static_cast<double>(
                           x[((b * p.h + i) * p.w + j) * p.c + o]) *
                       kernel[((a * p.kw + bb) * p.f + cf) * p.c + o];
              }
              y[((b * p.oh + row) * p.ow + col) * p.f + cf] += acc;
            }
          }
  return y;
}

inline double ReferenceActivation(const std::string& name, double v) {
  if (name == "Relu") return std::max(v, 0.0);
  if (name == "Relu6") return std::min(std::max(v, 0.0), 6.0);
  if (name == "Elu") return v > 0 ? v : std::expm1(v);
  if (name == "Selu") {
    const double alpha = 1.6732632423543772848170429916717;
    const double scale = 1.0507009873554804934193349852946;
    return v > 0 ? scale * v : scale * alpha * std::expm1(v);
  }
  if (name == "LeakyRelu") return v > 0 ? v : 0.2 * v;
  if (name == "Sigmoid") return 1.0 / (1.0 + std::exp(-v));
  if (name == "Tanh") return std::tanh(v);
  if (name == "Softplus") return std::log1p(std::exp(v));
  if (name == "Softsign") return v / (1.0 + std::abs(v));
  return v;
}

// A float tensor of uniform values in [-1, 1), deterministic for `seed`.
inline Tensor RandomTensor(const TensorShape& shape, uint32_t seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  Tensor t(DT_FLOAT, shape);
  for (int64_t i = 0; i < t.num_elements(); ++i) t.data<float>()[i] = dist(gen);
  return t;
}

inline std::vector<float> ToVector(const Tensor& t) {
  return std::vector<float>(t.data<float>(),
                            t.data<float>() + t.num_elements());
}

// NCHW <-> NHWC for float vectors.
inline std::vector<float> NhwcToNchw(const std::vector<float>& v, int n, int h,
                                     int w, int c) {
  std::vector<float> out(v.size());
  for (int b = 0; b < n; ++b)
    for (int i = 0; i < h; ++i)
      for (int j = 0; j < w; ++j)
        for (int k = 0; k < c; ++k)
          out[((b * c + k) * h + i) * w + j] = v[((b * h + i) * w + j) * c + k];
  return out;
}

}  // namespace testing_util
}  // namespace flowlet

#endif  // FLOWLET_TESTS_LAYERS_CONV2D_TRANSPOSE_REFERENCE_H_
