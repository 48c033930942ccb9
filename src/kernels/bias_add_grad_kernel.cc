// BiasAddGrad: out_backprop summed over every axis except the channel one
// (last for NHWC; dim 1 for NCHW). Seen as [outer, channels, inner]; NHWC
// (inner = 1) accumulates whole rows into a per-channel vector (a vectorized
// loop), NCHW sums each contiguous inner run. Floating types accumulate in
// double; integers wrap around like TensorFlow's.
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "src/core/attr_util.h"
#include "src/core/status_macros.h"
#include "src/kernels/nn_kernel_util.h"
#include "src/kernels/op_kernel.h"

namespace flowlet {
namespace {

constexpr char kLabel[] = "BiasAddGrad";

template <typename T>
using Acc = std::conditional_t<std::is_integral<T>::value, uint64_t, double>;

template <typename T>
T FromAcc(Acc<T> v) {
  if constexpr (std::is_integral<T>::value) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(v));  // Wraps modulo 2^bits.
  } else {
    return static_cast<T>(static_cast<float>(v));
  }
}

template <typename T>
Acc<T> ToAcc(T v) {
  if constexpr (std::is_integral<T>::value) {
    return static_cast<uint64_t>(static_cast<int64_t>(v));
  } else {
    return static_cast<double>(static_cast<float>(v));
  }
}

template <>
double ToAcc<double>(double v) {
  return v;
}
template <>
double FromAcc<double>(double v) {
  return v;
}

template <typename T>
void SumBias(const T* x, int64_t outer, int64_t channels, int64_t inner, T* out,
             std::vector<Acc<T>>* scratch) {
  scratch->assign(channels, Acc<T>(0));  // Keeps its capacity across runs.
  std::vector<Acc<T>>& acc = *scratch;
  if (inner == 1) {
    for (int64_t o = 0; o < outer; ++o) {
      const T* row = x + o * channels;
      for (int64_t c = 0; c < channels; ++c) acc[c] += ToAcc<T>(row[c]);
    }
  } else {
    for (int64_t o = 0; o < outer; ++o) {
      for (int64_t c = 0; c < channels; ++c) {
        const T* run = x + (o * channels + c) * inner;
        Acc<T> s(0);
        for (int64_t i = 0; i < inner; ++i) s += ToAcc<T>(run[i]);
        acc[c] += s;
      }
    }
  }
  for (int64_t c = 0; c < channels; ++c) out[c] = FromAcc<T>(acc[c]);
}

class BiasAddGradKernel : public OpKernel {
 public:
  absl::Status Init(const KernelConstruction& c) override {
    FLOWLET_RETURN_IF_ERROR(
        nn_kernels::GetTypeAttr(*c.attrs, kLabel,
                                {DT_FLOAT, DT_DOUBLE, DT_HALF, DT_BFLOAT16,
                                 DT_INT32, DT_INT64, DT_INT8, DT_UINT8},
                                &dtype_));
    std::string data_format = "NHWC";
    if (c.attrs->find("data_format") != c.attrs->end()) {
      FLOWLET_RETURN_IF_ERROR(
          AnnotateStatus(GetAttr(*c.attrs, "data_format", &data_format),
                         absl::StrCat(kLabel, ": ")));
    }
    if (data_format != "NHWC" && data_format != "NCHW") {
      return absl::InvalidArgumentError(
          absl::StrCat(kLabel, ": Invalid data format string: '", data_format,
                       "' (expected 'NHWC' or 'NCHW')"));
    }
    channels_first_ = data_format == "NCHW";
    return absl::OkStatus();
  }

  absl::Status Compute(KernelContext& ctx) override {
    FLOWLET_RETURN_IF_ERROR(nn_kernels::CheckNumInputs(ctx, kLabel, 1));
    FLOWLET_RETURN_IF_ERROR(
        nn_kernels::CheckInputType(ctx, kLabel, 0, "out_backprop", dtype_));
    const Tensor& x = ctx.input(0);
    const TensorShape& shape = x.shape();
    if (shape.rank() < 2) {
      return absl::InvalidArgumentError(absl::StrCat(
          kLabel, ": Input tensor must be at least 2D: ", shape.DebugString()));
    }
    const int channel_dim = channels_first_ ? 1 : shape.rank() - 1;
    int64_t outer = 1, inner = 1;
    for (int i = 0; i < channel_dim; ++i) outer *= shape.dim(i);
    for (int i = channel_dim + 1; i < shape.rank(); ++i) inner *= shape.dim(i);
    const int64_t channels = shape.dim(channel_dim);
    // Assigned in place: no allocation once warm.
    if (out_shape_.rank() == 1) {
      out_shape_.set_dim(0, channels);
    } else {
      out_shape_ = TensorShape({channels});
    }
    FLOWLET_ASSIGN_OR_RETURN(Tensor * out,
                             ctx.allocate_output(0, dtype_, out_shape_));
    switch (dtype_) {
      case DT_FLOAT:
        SumBias(x.data<float>(), outer, channels, inner, out->data<float>(),
                Scratch<float>());
        break;
      case DT_DOUBLE:
        SumBias(x.data<double>(), outer, channels, inner, out->data<double>(),
                Scratch<double>());
        break;
      case DT_HALF:
        SumBias(x.data<half>(), outer, channels, inner, out->data<half>(),
                Scratch<half>());
        break;
      case DT_BFLOAT16:
        SumBias(x.data<bfloat16>(), outer, channels, inner,
                out->data<bfloat16>(), Scratch<bfloat16>());
        break;
      case DT_INT32:
        SumBias(x.data<int32_t>(), outer, channels, inner, out->data<int32_t>(),
                Scratch<int32_t>());
        break;
      case DT_INT64:
        SumBias(x.data<int64_t>(), outer, channels, inner, out->data<int64_t>(),
                Scratch<int64_t>());
        break;
      case DT_INT8:
        SumBias(x.data<int8_t>(), outer, channels, inner, out->data<int8_t>(),
                Scratch<int8_t>());
        break;
      case DT_UINT8:
        SumBias(x.data<uint8_t>(), outer, channels, inner, out->data<uint8_t>(),
                Scratch<uint8_t>());
        break;
      default:
        return absl::InvalidArgumentError(absl::StrCat(
            kLabel, ": unsupported dtype ", DataTypeString(dtype_)));
    }
    return absl::OkStatus();
  }

 private:
  // The accumulators of SumBias<T>, kept across runs.
  template <typename T>
  std::vector<Acc<T>>* Scratch() {
    if constexpr (std::is_integral<T>::value) {
      return &int_acc_;
    } else {
      return &float_acc_;
    }
  }

  DataType dtype_ = DT_FLOAT;
  bool channels_first_ = false;
  TensorShape out_shape_;
  std::vector<uint64_t> int_acc_;
  std::vector<double> float_acc_;
};

FLOWLET_REGISTER_KERNEL("BiasAddGrad", BiasAddGradKernel);

}  // namespace
}  // namespace flowlet
