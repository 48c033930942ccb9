// Conv2D and Conv2DBackpropFilter as plain loops (the kernels' path for double,
// which oneDNN does not have):
//   Conv2D: out[n, i, j, o] = sum in[n, i*sh - pt + a*dh, j*sw - pl + b*dw,
//           g*fd + c] * W[a, b, c, o] over taps inside the input, g = o's
//           group.
//   Conv2DBackpropFilter: dW[a, b, c, o] = sum over (n, i, j) of the same
//           input element times out_backprop[n, i, j, o].
// Accumulates in T.
#ifndef FLOWLET_SRC_KERNELS_CONV2D_LOOPS_H_
#define FLOWLET_SRC_KERNELS_CONV2D_LOOPS_H_

#include "src/kernels/conv_geometry.h"

namespace flowlet {

// `dims` fully known and valid; tensors dense in dims.data_format, the filter
// in TensorFlow's (kh, kw, in_depth / groups, out_depth). Every output element
// is written.
template <typename T>
void Conv2DLoop(const ConvBackpropDims& dims, const T* input, const T* filter,
                T* output);
template <typename T>
void Conv2DBackpropFilterLoop(const ConvBackpropDims& dims, const T* input,
                              const T* out_backprop, T* filter_grad);

extern template void Conv2DLoop<double>(const ConvBackpropDims&, const double*,
                                        const double*, double*);
extern template void Conv2DBackpropFilterLoop<double>(const ConvBackpropDims&,
                                                      const double*,
                                                      const double*, double*);

}  // namespace flowlet

#endif  // FLOWLET_SRC_KERNELS_CONV2D_LOOPS_H_
