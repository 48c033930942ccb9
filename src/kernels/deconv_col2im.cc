#include "src/kernels/deconv_col2im.h"

#include <algorithm>

namespace flowlet {
namespace {

// Below this many col values the pass runs on the calling thread (an OpenMP
// fork costs more than it saves).
constexpr int64_t kMinParallelWork = int64_t{1} << 15;

inline void AddRun(const float* __restrict src, float* __restrict dst,
                   int64_t n) {
#pragma omp simd
  for (int64_t e = 0; e < n; ++e) dst[e] += src[e];
}

}  // namespace

Col2ImGeometry Col2ImGeometry::FromDims(const ConvBackpropDims& d) {
  Col2ImGeometry g;
  g.channels = d.in_depth;
  g.y_h = d.spatial[0].input_size;
  g.y_w = d.spatial[1].input_size;
  g.x_h = d.spatial[0].output_size;
  g.x_w = d.spatial[1].output_size;
  g.kh = d.spatial[0].filter_size;
  g.kw = d.spatial[1].filter_size;
  g.stride_h = d.spatial[0].stride;
  g.stride_w = d.spatial[1].stride;
  g.dilation_h = d.spatial[0].dilation;
  g.dilation_w = d.spatial[1].dilation;
  g.pad_top = d.spatial[0].pad_before;
  g.pad_left = d.spatial[1].pad_before;
  g.nhwc = d.data_format == ConvDataFormat::kNHWC;
  return g;
}

Col2ImPass::Col2ImPass(const Col2ImGeometry& g) : g_(g) {
  // Result row p = i * stride - pad_top + a * dilation.
  row_begin_.reserve(g.y_h + 1);
  for (int64_t p = 0; p < g.y_h; ++p) {
    row_begin_.push_back(static_cast<int64_t>(row_taps_.size()));
    for (int64_t a = 0; a < g.kh; ++a) {
      const int64_t t = p + g.pad_top - a * g.dilation_h;
      if (t < 0 || t % g.stride_h != 0 || t / g.stride_h >= g.x_h) continue;
      row_taps_.push_back({a, t / g.stride_h});
    }
  }
  row_begin_.push_back(static_cast<int64_t>(row_taps_.size()));
  // Result column q = j * stride - pad_left + b * dilation: taps b in [lo, hi)
  // land in [0, y_w).
  for (int64_t j = 0; j < g.x_w; ++j) {
    const int64_t q0 = j * g.stride_w - g.pad_left;
    if (q0 >= g.y_w) break;  // So are the later columns.
    const int64_t d = g.dilation_w;
    const int64_t lo = q0 >= 0 ? 0 : (-q0 + d - 1) / d;
    const int64_t hi = std::min(g.kw, (g.y_w - 1 - q0) / d + 1);
    columns_.push_back({q0, lo, std::max(lo, hi)});
  }
}

void Col2ImPass::RowNHWC(const float* col_image, int64_t p, float* yr) const {
  const int64_t c = g_.channels, rs = g_.row_size();
  std::fill(yr, yr + g_.y_w * c, 0.0f);
  for (int64_t t = row_begin_[p]; t < row_begin_[p + 1]; ++t) {
    const float* crow =
        col_image + row_taps_[t].i * g_.x_w * rs + row_taps_[t].a * g_.kw * c;
    for (size_t j = 0; j < columns_.size(); ++j) {
      const ColumnTaps& ct = columns_[j];
      const float* src = crow + static_cast<int64_t>(j) * rs;
      if (g_.dilation_w == 1) {
        // Taps lo..hi are one contiguous run in both col and the row.
        AddRun(src + ct.lo * c, yr + (ct.q0 + ct.lo) * c, (ct.hi - ct.lo) * c);
      } else {
        for (int64_t b = ct.lo; b < ct.hi; ++b) {
          AddRun(src + b * c, yr + (ct.q0 + b * g_.dilation_w) * c, c);
        }
      }
    }
  }
}

// Same summation order as RowNHWC.
void Col2ImPass::RowNCHW(const float* col_image, int64_t ch, int64_t p,
                         float* yr) const {
  const int64_t c = g_.channels, rs = g_.row_size();
  std::fill(yr, yr + g_.y_w, 0.0f);
  for (int64_t t = row_begin_[p]; t < row_begin_[p + 1]; ++t) {
    const float* crow = col_image + row_taps_[t].i * g_.x_w * rs +
                        row_taps_[t].a * g_.kw * c + ch;
    for (size_t j = 0; j < columns_.size(); ++j) {
      const ColumnTaps& ct = columns_[j];
      const float* src = crow + static_cast<int64_t>(j) * rs;
      for (int64_t b = ct.lo; b < ct.hi; ++b) {
        yr[ct.q0 + b * g_.dilation_w] += src[b * c];
      }
    }
  }
}

void Col2ImPass::Run(const float* col, int64_t images, float* y) const {
  const int64_t col_image = g_.x_h * g_.x_w * g_.row_size();
  const int64_t y_image = g_.y_h * g_.y_w * g_.channels;
  const bool parallel = images * col_image >= kMinParallelWork;
  if (g_.nhwc) {
    const int64_t rows = images * g_.y_h;
#pragma omp parallel for schedule(static) if (parallel)
    for (int64_t r = 0; r < rows; ++r) {
      const int64_t n = r / g_.y_h, p = r % g_.y_h;
      RowNHWC(col + n * col_image, p,
              y + n * y_image + p * g_.y_w * g_.channels);
    }
    return;
  }
  const int64_t rows = images * g_.channels * g_.y_h;
#pragma omp parallel for schedule(static) if (parallel)
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t n = r / (g_.channels * g_.y_h);
    const int64_t ch = (r / g_.y_h) % g_.channels, p = r % g_.y_h;
    RowNCHW(col + n * col_image, ch, p,
            y + n * y_image + (ch * g_.y_h + p) * g_.y_w);
  }
}

}  // namespace flowlet
