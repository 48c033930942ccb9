#include "src/kernels/conv2d_backprop_input_loop.h"

#include <algorithm>
#include <cstdint>

namespace flowlet {
namespace {

// Element strides of a 4-D dense tensor in `format`, by logical dim (N, C, H,
// W).
struct Strides4 {
  int64_t n, c, h, w;
};

Strides4 DenseStrides(ConvDataFormat format, int64_t c, int64_t h, int64_t w) {
  if (format == ConvDataFormat::kNHWC) return {h * w * c, 1, w * c, c};
  return {c * h * w, h * w, w, 1};
}

}  // namespace

template <typename T>
void Conv2DBackpropInputLoop(const ConvBackpropDims& dims, const T* filter,
                             const T* out_backprop, T* output) {
  const ConvBackpropSpatialDim& sh = dims.spatial[0];
  const ConvBackpropSpatialDim& sw = dims.spatial[1];
  const int64_t out_h = sh.input_size,
                out_w = sw.input_size;  // The result's size.
  const int64_t in_h = sh.output_size,
                in_w = sw.output_size;  // out_backprop's size.
  const int64_t kh = sh.filter_size, kw = sw.filter_size;
  const int64_t fd = dims.filter_in_depth, od = dims.out_depth;
  const int64_t groups = dims.groups(), opg = od / groups;
  const Strides4 ys =
      DenseStrides(dims.data_format, dims.in_depth, out_h, out_w);
  const Strides4 xs = DenseStrides(dims.data_format, od, in_h, in_w);
  std::fill(output, output + dims.batch * dims.in_depth * out_h * out_w, T(0));
  for (int64_t n = 0; n < dims.batch; ++n) {
    for (int64_t i = 0; i < in_h; ++i) {
      for (int64_t j = 0; j < in_w; ++j) {
        const T* x = out_backprop + n * xs.n + i * xs.h + j * xs.w;
        for (int64_t a = 0; a < kh; ++a) {
          const int64_t p = i * sh.stride - sh.pad_before + a * sh.dilation;
          if (p < 0 || p >= out_h) continue;
          for (int64_t b = 0; b < kw; ++b) {
            const int64_t q = j * sw.stride - sw.pad_before + b * sw.dilation;
            if (q < 0 || q >= out_w) continue;
            T* y = output + n * ys.n + p * ys.h + q * ys.w;
            const T* wab = filter + (a * kw + b) * fd * od;
            for (int64_t g = 0; g < groups; ++g) {
              for (int64_t c = 0; c < fd; ++c) {
                const T* wc = wab + c * od + g * opg;
                T acc = 0;
                for (int64_t o = 0; o < opg; ++o)
                  acc += x[(g * opg + o) * xs.c] * wc[o];
                y[(g * fd + c) * ys.c] += acc;
              }
            }
          }
        }
      }
    }
  }
}

template void Conv2DBackpropInputLoop<float>(const ConvBackpropDims&,
                                             const float*, const float*,
                                             float*);
template void Conv2DBackpropInputLoop<double>(const ConvBackpropDims&,
                                              const double*, const double*,
                                              double*);

}  // namespace flowlet
