// Conv2DBackpropInput as plain loops, straight from TF_LAYER_SPEC.md section 6:
//   y[n, p, q, g*fd + c] = sum x[n, i, j, g*opg + o] * W[a, b, c, g*opg + o]
//   over p = i*sh - pad_top + a*dh, q = j*sw - pad_left + b*dw inside the
//   output.
// The kernel's path for double (oneDNN has no f64 deconvolution); accumulates
// in T.
#ifndef FLOWLET_SRC_KERNELS_CONV2D_BACKPROP_INPUT_LOOP_H_
#define FLOWLET_SRC_KERNELS_CONV2D_BACKPROP_INPUT_LOOP_H_

#include "src/kernels/conv_geometry.h"

namespace flowlet {

// `dims` fully known and valid (ConvBackpropComputeDimensions). `filter` is
// TensorFlow's (kh, kw, in_depth / groups, out_depth); out_backprop and output
// are dense in dims.data_format. Writes every output element.
template <typename T>
void Conv2DBackpropInputLoop(const ConvBackpropDims& dims, const T* filter,
                             const T* out_backprop, T* output);

extern template void Conv2DBackpropInputLoop<float>(const ConvBackpropDims&,
                                                    const float*, const float*,
                                                    float*);
extern template void Conv2DBackpropInputLoop<double>(const ConvBackpropDims&,
                                                     const double*,
                                                     const double*, double*);

}  // namespace flowlet

#endif  // FLOWLET_SRC_KERNELS_CONV2D_BACKPROP_INPUT_LOOP_H_
