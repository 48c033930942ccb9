// Cast between any two supported dtypes, without undefined behavior on any
// input value: floating -> integer truncates toward zero, saturates
// out-of-range values and maps NaN to 0; integer -> integer wraps (two's
// complement); anything -> bool is "!= 0"; float -> bfloat16 rounds to nearest
// even, or truncates the mantissa when attr Truncate is set.
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

#include "absl/strings/str_cat.h"
#include "src/core/attr_util.h"
#include "src/core/status_macros.h"
#include "src/kernels/kernel_util.h"
#include "src/kernels/op_kernel.h"

namespace flowlet {
namespace {

template <typename T>
constexpr bool kIsFloating =
    std::is_floating_point<T>::value || std::is_same<T, bfloat16>::value ||
    std::is_same<T, half>::value;

// Source values are read through this so that bool bytes other than 0/1 are
// well defined.
template <typename Src>
inline auto Load(const void* base, int64_t i) {
  if constexpr (std::is_same<Src, bool>::value) {
    return static_cast<const uint8_t*>(base)[i] != 0;
  } else {
    return static_cast<const Src*>(base)[i];
  }
}

template <typename Dst>
inline Dst FloatingToInt(double v) {
  if (std::isnan(v)) return Dst(0);
  v = std::trunc(v);
  // Compare against the limits as doubles; max() of int64 rounds up to 2^63, so
  // use >=.
  constexpr double kMax = static_cast<double>(std::numeric_limits<Dst>::max());
  constexpr double kMin = static_cast<double>(std::numeric_limits<Dst>::min());
  if (v >= kMax) return std::numeric_limits<Dst>::max();
  if (v <= kMin) return std::numeric_limits<Dst>::min();
  return static_cast<Dst>(v);
}

template <typename Src, typename Dst>
inline Dst Convert(Src v, bool truncate) {
  if constexpr (std::is_same<Dst, bool>::value) {
    if constexpr (kIsFloating<Src>) {
      return static_cast<float>(v) != 0.f || std::isnan(static_cast<float>(v));
    } else {
      return v != Src(0);
    }
  } else if constexpr (std::is_same<Src, bool>::value) {
    return static_cast<Dst>(v ? 1.f : 0.f);
  } else if constexpr (std::is_integral<Dst>::value) {
    if constexpr (kIsFloating<Src>) {
      if constexpr (std::is_same<Src, bfloat16>::value ||
                    std::is_same<Src, half>::value) {
        return FloatingToInt<Dst>(static_cast<float>(v));
      } else {
        return FloatingToInt<Dst>(static_cast<double>(v));
      }
    } else {
      return static_cast<Dst>(
          v);  // Integer narrowing wraps (C++20 rule, GCC's always).
    }
  } else if constexpr (std::is_same<Dst, bfloat16>::value) {
    const float f = static_cast<float>(v);
    if (truncate && !std::isnan(f)) {
      uint32_t bits;
      std::memcpy(&bits, &f, sizeof(bits));
      bfloat16 out;
      out.value = static_cast<uint16_t>(bits >> 16);
      return out;
    }
    return bfloat16(f);
  } else if constexpr (std::is_same<Dst, half>::value) {
    return half(static_cast<float>(v));
  } else {
    // float or double from an integer or a floating type.
    if constexpr (std::is_same<Src, bfloat16>::value ||
                  std::is_same<Src, half>::value) {
      return static_cast<Dst>(static_cast<float>(v));
    } else {
      return static_cast<Dst>(v);
    }
  }
}

class CastKernel : public OpKernel {
 public:
  absl::Status Init(const KernelConstruction& c) override {
    FLOWLET_RETURN_IF_ERROR(GetAttr(*c.attrs, "SrcT", &src_));
    FLOWLET_RETURN_IF_ERROR(GetAttr(*c.attrs, "DstT", &dst_));
    FLOWLET_RETURN_IF_ERROR(
        kernel_util::GetAttrOr(*c.attrs, "Truncate", false, &truncate_));
    for (DataType t : {src_, dst_}) {
      if (!IsSupportedDataType(t)) {
        return absl::InvalidArgumentError(
            absl::StrCat("Cast: unsupported dtype ", DataTypeString(t)));
      }
    }
    return absl::OkStatus();
  }

  absl::Status Compute(KernelContext& ctx) override {
    FLOWLET_RETURN_IF_ERROR(kernel_util::CheckNumInputs(ctx, 1));
    FLOWLET_RETURN_IF_ERROR(kernel_util::CheckInputDtype(ctx, 0, "x", src_));
    const Tensor& x = ctx.input(0);
    if (src_ == dst_) {
      ctx.set_output(0, x);
      return absl::OkStatus();
    }
    FLOWLET_ASSIGN_OR_RETURN(Tensor * y,
                             ctx.allocate_output(0, dst_, x.shape()));
    const int64_t n = x.num_elements();
    const void* in = x.raw_data();
    void* out = y->raw_data();
    const bool truncate = truncate_;
    return kernel_util::VisitAll(src_, [&](auto src_tag) {
      using Src = typename decltype(src_tag)::type;
      return kernel_util::VisitAll(dst_, [&](auto dst_tag) -> absl::Status {
        using Dst = typename decltype(dst_tag)::type;
        Dst* o = static_cast<Dst*>(out);
        for (int64_t i = 0; i < n; ++i) {
          o[i] =
              Convert<Src, Dst>(static_cast<Src>(Load<Src>(in, i)), truncate);
        }
        return absl::OkStatus();
      });
    });
  }

 private:
  DataType src_ = DT_INVALID;
  DataType dst_ = DT_INVALID;
  bool truncate_ = false;
};
FLOWLET_REGISTER_KERNEL("Cast", CastKernel);

}  // namespace
}  // namespace flowlet
