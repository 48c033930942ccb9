// The col2im pass of the gemm deconvolution (deconv_gemm_plan.h): the matmul
// gives, for every out_backprop pixel (n, i, j), one row of kh * kw * C values
// col[n, i, j, a, b, c] = sum_o out_backprop[n, i, j, o] * filter[a, b, c, o];
// each is added to the result at
//   y[n, i * stride_h - pad_top + a * dilation_h,
//        j * stride_w - pad_left + b * dilation_w, c]
// when that position is inside the result (TensorFlow's SAME / VALID /
// EXPLICIT pads, including a negative pad after: positions past the end are
// dropped, and result positions no tap reaches are zero).
//
// Computed as a gather per result row (each thread owns whole rows: no
// races, no atomics): for row p, the kernel rows a with (p + pad_top - a * d)
// divisible by the stride; per (a, j) the taps b with a position inside the
// row (both precomputed once per geometry). Undilated NHWC adds one contiguous
// run of (taps * C) floats per (a, j). OpenMP over rows (n, p) (NHWC) or (n, c,
// p) (NCHW) when there is enough work.
#ifndef FLOWLET_SRC_KERNELS_DECONV_COL2IM_H_
#define FLOWLET_SRC_KERNELS_DECONV_COL2IM_H_

#include <cstdint>
#include <vector>

#include "src/kernels/conv_geometry.h"

namespace flowlet {

struct Col2ImGeometry {
  int64_t channels = 0;      // C: the result's channels.
  int64_t y_h = 0, y_w = 0;  // The result's spatial size.
  int64_t x_h = 0, x_w = 0;  // out_backprop's spatial size (col rows).
  int64_t kh = 0, kw = 0;    // Kernel size.
  int64_t stride_h = 1, stride_w = 1;
  int64_t dilation_h = 1, dilation_w = 1;  // TensorFlow's (1 = none).
  int64_t pad_top = 0, pad_left = 0;       // The forward pads before.
  bool nhwc = true;                        // Result layout (else NCHW).

  // From a valid, fully known ConvBackpropDims with groups == 1.
  static Col2ImGeometry FromDims(const ConvBackpropDims& d);
  // Values per col row: kh * kw * channels.
  int64_t row_size() const { return kh * kw * channels; }
};

// The pass for one geometry, with its index arithmetic precomputed (per result
// row the kernel rows that reach it, per out_backprop column the taps inside
// the row), so that running it does no division.
class Col2ImPass {
 public:
  explicit Col2ImPass(const Col2ImGeometry& g);

  const Col2ImGeometry& geometry() const { return g_; }
  // Writes `images` whole result images at `y` (the first image's first
  // element, in the geometry's layout) from `col` (their x_h * x_w rows each,
  // row_size() floats per row). Every element of those images is written.
  void Run(const float* col, int64_t images, float* y) const;

 private:
  struct RowTap {
    int64_t a;  // Kernel row.
    int64_t i;  // out_backprop row.
  };
  struct ColumnTaps {
    int64_t q0;      // Result column of tap 0 (may be outside the row).
    int64_t lo, hi;  // Taps b in [lo, hi) land inside the row.
  };
  void RowNHWC(const float* col_image, int64_t p, float* yr) const;
  void RowNCHW(const float* col_image, int64_t ch, int64_t p, float* yr) const;

  Col2ImGeometry g_;
  // Result row p: row_taps_[row_begin_[p], row_begin_[p + 1]).
  std::vector<int64_t> row_begin_;
  std::vector<RowTap> row_taps_;
  // Per out_backprop column j, up to the last one reaching the row.
  std::vector<ColumnTaps> columns_;
};

}  // namespace flowlet

#endif  // FLOWLET_SRC_KERNELS_DECONV_COL2IM_H_
