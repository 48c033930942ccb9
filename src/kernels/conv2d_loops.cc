#include "src/kernels/conv2d_loops.h"

#include <cstdint>
#include <vector>

namespace flowlet {
namespace {

// Element offsets of a 4-D tensor (batch, channel, h, w) in data_format.
struct Layout {
  int64_t n, c, h, w;
  Layout(ConvDataFormat format, int64_t channels, int64_t height,
         int64_t width) {
    if (format == ConvDataFormat::kNHWC) {
      c = 1, w = channels, h = width * channels, n = height * h;
    } else {
      w = 1, h = width, c = height * width, n = channels * c;
    }
  }
  int64_t operator()(int64_t ni, int64_t ci, int64_t hi, int64_t wi) const {
    return ni * n + ci * c + hi * h + wi * w;
  }
};

// Calls f(input offset, filter offset, output offset) for every product term.
template <typename F>
void ForEachTap(const ConvBackpropDims& d, F&& f) {
  const ConvBackpropSpatialDim& sh = d.spatial[0];
  const ConvBackpropSpatialDim& sw = d.spatial[1];
  const Layout in(d.data_format, d.in_depth, sh.input_size, sw.input_size);
  const Layout out(d.data_format, d.out_depth, sh.output_size, sw.output_size);
  const int64_t fd = d.filter_in_depth, od = d.out_depth;
  const int64_t opg = od / d.groups();
  for (int64_t n = 0; n < d.batch; ++n)
    for (int64_t i = 0; i < sh.output_size; ++i)
      for (int64_t j = 0; j < sw.output_size; ++j)
        for (int64_t a = 0; a < sh.filter_size; ++a) {
          const int64_t p = i * sh.stride - sh.pad_before + a * sh.dilation;
          if (p < 0 || p >= sh.input_size) continue;
          for (int64_t b = 0; b < sw.filter_size; ++b) {
            const int64_t q = j * sw.stride - sw.pad_before + b * sw.dilation;
            if (q < 0 || q >= sw.input_size) continue;
            for (int64_t o = 0; o < od; ++o) {
              const int64_t g = o / opg;
              const int64_t out_off = out(n, o, i, j);
              for (int64_t c = 0; c < fd; ++c) {
                f(in(n, g * fd + c, p, q),
                  ((a * sw.filter_size + b) * fd + c) * od + o, out_off);
              }
            }
          }
        }
}

}  // namespace

template <typename T>
void Conv2DLoop(const ConvBackpropDims& dims, const T* input, const T* filter,
                T* output) {
  const int64_t n = dims.batch * dims.out_depth * dims.spatial[0].output_size *
                    dims.spatial[1].output_size;
  for (int64_t i = 0; i < n; ++i) output[i] = T(0);
  ForEachTap(dims, [&](int64_t x, int64_t w, int64_t y) {
    output[y] += input[x] * filter[w];
  });
}

template <typename T>
void Conv2DBackpropFilterLoop(const ConvBackpropDims& dims, const T* input,
                              const T* out_backprop, T* filter_grad) {
  const int64_t n = dims.spatial[0].filter_size * dims.spatial[1].filter_size *
                    dims.filter_in_depth * dims.out_depth;
  for (int64_t i = 0; i < n; ++i) filter_grad[i] = T(0);
  ForEachTap(dims, [&](int64_t x, int64_t w, int64_t y) {
    filter_grad[w] += input[x] * out_backprop[y];
  });
}

template void Conv2DLoop<double>(const ConvBackpropDims&, const double*,
                                 const double*, double*);
template void Conv2DBackpropFilterLoop<double>(const ConvBackpropDims&,
                                               const double*, const double*,
                                               double*);

}  // namespace flowlet
