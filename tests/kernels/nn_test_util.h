// Test helpers for the nn kernels: a naive Conv2DBackpropInput written straight
// from TF_LAYER_SPEC.md section 6 (independent of src/kernels), layout
// transposes, attrs, and a runner that drives one kernel through a
// KernelContext the way the executor does (input versions, forwardable inputs,
// output buffers kept between runs).
#ifndef FLOWLET_TESTS_KERNELS_NN_TEST_UTIL_H_
#define FLOWLET_TESTS_KERNELS_NN_TEST_UTIL_H_

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "flowlet/attr_map.h"
#include "flowlet/tensor.h"
#include "src/kernels/op_kernel.h"

namespace flowlet {
namespace nn_test {

// One Conv2DBackpropInput configuration, in TensorFlow's terms: the result
// ("input" of the forward conv) is [n, h, w, c]; out_backprop has `od`
// channels; the filter is [kh, kw, c / groups, od].
struct DeconvCase {
  int64_t n = 1, h = 5, w = 5, c = 2, od = 3;
  int64_t kh = 3, kw = 3, sh = 1, sw = 1, dh = 1, dw = 1;
  std::string padding = "SAME";
  // EXPLICIT only: top, bottom, left, right.
  int64_t pt = 0, pb = 0, pl = 0, pr = 0;
  int64_t groups = 1;

  // out_backprop's spatial size and the forward pads before, from TensorFlow's
  // windowed-size formula (re-derived here, not taken from src/).
  int64_t ho() const;
  int64_t wo() const;
  int64_t pad_top() const;
  int64_t pad_left() const;
  std::string DebugString() const;
};

// gtest prints parameters with this.
void PrintTo(const DeconvCase& k, std::ostream* os);

// Attrs of the node for `format` ("NHWC" / "NCHW"), T = dtype.
AttrMap DeconvAttrs(const DeconvCase& k, const std::string& format,
                    DataType dtype);
// input_sizes (int32, 4 values in `format` order).
Tensor DeconvInputSizes(const DeconvCase& k, const std::string& format);

// y[n,p,q,c] = sum x[n,i,j,o] W[a,b,c',o] over p = i*sh - pad_top + a*dh, q =
// j*sw - pad_left + b*dw (taps outside dropped); grouped: c' = c mod
// (c/groups), o in c's group. NHWC in and out, accumulated in double, result in
// `dtype`.
Tensor RefConv2DBackpropInput(const DeconvCase& k, const Tensor& filter,
                              const Tensor& out_backprop_nhwc, DataType dtype);

// Layout transposes of a 4-D tensor (any dtype).
Tensor NHWCToNCHW(const Tensor& t);
Tensor NCHWToNHWC(const Tensor& t);
// `t` converted to `dtype` through double.
Tensor CastTo(const Tensor& t, DataType dtype);
// A tensor of `shape` filled with `value`.
Tensor Filled(DataType dtype, const TensorShape& shape, double value);

// Drives one registered kernel like the executor: persistent output slots,
// per-input versions and forwardable flags set on the KernelContext.
class DirectKernel {
 public:
  explicit DirectKernel(std::string op, AttrMap attrs);
  // Init with these input types and shapes (constants optional, output shapes
  // unknown).
  absl::Status Init(const std::vector<Tensor>& inputs, bool shapes_known = true,
                    const std::vector<int>& constant_inputs = {});
  // Runs Compute on `inputs` (held in value slots owned by the caller-visible
  // vector so that forwarding can be observed). versions[i] / forwardable[i]
  // optional.
  absl::Status Compute(std::vector<Value>* inputs,
                       const std::vector<uint64_t>& versions = {},
                       const std::vector<bool>& forwardable = {});
  const Tensor& output() const { return output_.tensor; }

 private:
  std::string node_name_;
  std::string op_;
  AttrMap attrs_;
  KernelResources resources_;
  std::unique_ptr<OpKernel> kernel_;
  Value output_;
};

}  // namespace nn_test
}  // namespace flowlet

#endif  // FLOWLET_TESTS_KERNELS_NN_TEST_UTIL_H_
