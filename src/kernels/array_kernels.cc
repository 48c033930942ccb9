// Array kernels: Placeholder, PlaceholderWithDefault, Const, Identity, NoOp,
// Shape, Reshape, Fill, Pack. (StridedSlice and Cast have their own files.)
#include <cstring>
#include <limits>
#include <vector>

#include "absl/strings/str_cat.h"
#include "src/core/attr_util.h"
#include "src/core/shape_checks.h"
#include "src/core/status_macros.h"
#include "src/core/tensor_proto.h"
#include "src/kernels/kernel_util.h"
#include "src/kernels/op_kernel.h"

namespace flowlet {
namespace {

// Placeholder: the session feeds its value and never runs this kernel; running
// it means the feed is missing.
class PlaceholderKernel : public OpKernel {
 public:
  absl::Status Init(const KernelConstruction& c) override {
    FLOWLET_RETURN_IF_ERROR(GetAttr(*c.attrs, "dtype", &dtype_));
    if (c.attrs->count("shape") > 0)
      FLOWLET_RETURN_IF_ERROR(GetAttr(*c.attrs, "shape", &shape_));
    return absl::OkStatus();
  }
  absl::Status Compute(KernelContext& ctx) override {
    return absl::InvalidArgumentError(
        absl::StrCat("You must feed a value for placeholder tensor '",
                     ctx.node_name(), "' with dtype ", DataTypeString(dtype_),
                     shape_.unknown_rank() ? "" : " and shape ",
                     shape_.unknown_rank() ? "" : shape_.DebugString()));
  }

 private:
  DataType dtype_ = DT_INVALID;
  TensorShape shape_ = TensorShape::UnknownRank();
};
FLOWLET_REGISTER_KERNEL("Placeholder", PlaceholderKernel);

// PlaceholderWithDefault: when not fed, forwards its input (which must fit the
// declared shape).
class PlaceholderWithDefaultKernel : public OpKernel {
 public:
  absl::Status Init(const KernelConstruction& c) override {
    FLOWLET_RETURN_IF_ERROR(GetAttr(*c.attrs, "dtype", &dtype_));
    FLOWLET_RETURN_IF_ERROR(GetAttr(*c.attrs, "shape", &shape_));
    return absl::OkStatus();
  }
  absl::Status Compute(KernelContext& ctx) override {
    FLOWLET_RETURN_IF_ERROR(kernel_util::CheckNumInputs(ctx, 1));
    FLOWLET_RETURN_IF_ERROR(
        kernel_util::CheckInputDtype(ctx, 0, "input", dtype_));
    if (!ctx.input(0).shape().IsCompatibleWith(shape_)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "input 0 ('input') has shape ", ctx.input(0).shape().DebugString(),
          ", incompatible with the declared shape ", shape_.DebugString()));
    }
    ctx.set_output(0, ctx.input(0));
    return absl::OkStatus();
  }

 private:
  DataType dtype_ = DT_INVALID;
  TensorShape shape_ = TensorShape::UnknownRank();
};
FLOWLET_REGISTER_KERNEL("PlaceholderWithDefault", PlaceholderWithDefaultKernel);

// Const: the value is decoded and checked once (UNTRUSTED_INPUT.md rule 2).
class ConstKernel : public OpKernel {
 public:
  absl::Status Init(const KernelConstruction& c) override {
    DataType dtype;
    FLOWLET_RETURN_IF_ERROR(GetAttr(*c.attrs, "dtype", &dtype));
    const tensorflow::TensorProto* proto = nullptr;
    FLOWLET_RETURN_IF_ERROR(GetAttr(*c.attrs, "value", &proto));
    const ResourceLimits limits =
        c.resources != nullptr ? c.resources->limits : ResourceLimits();
    absl::StatusOr<Tensor> t = TensorFromProto(*proto, limits);
    if (!t.ok()) return AnnotateStatus(t.status(), "attr 'value': ");
    if (t->dtype() != dtype) {
      return absl::InvalidArgumentError(
          absl::StrCat("attr 'dtype' is ", DataTypeString(dtype),
                       " but attr 'value' holds ", DataTypeString(t->dtype())));
    }
    value_ = *std::move(t);
    version_ = NextVariableVersion();
    return absl::OkStatus();
  }
  absl::Status Compute(KernelContext& ctx) override {
    if (!value_.IsInitialized())
      return absl::FailedPreconditionError("Const was not initialized");
    // The value never changes: a fixed version lets consumers (convolution
    // weights) keep what they derive from it across runs.
    ctx.set_output(0, value_, version_);
    return absl::OkStatus();
  }

 private:
  Tensor value_;
  uint64_t version_ = 0;
};
FLOWLET_REGISTER_KERNEL("Const", ConstKernel);

class IdentityKernel : public OpKernel {
 public:
  absl::Status Init(const KernelConstruction& c) override {
    return GetAttr(*c.attrs, "T", &dtype_);
  }
  absl::Status Compute(KernelContext& ctx) override {
    FLOWLET_RETURN_IF_ERROR(kernel_util::CheckNumInputs(ctx, 1));
    FLOWLET_RETURN_IF_ERROR(
        kernel_util::CheckInputDtype(ctx, 0, "input", dtype_));
    ctx.forward_input(0, 0);
    return absl::OkStatus();
  }

 private:
  DataType dtype_ = DT_INVALID;
};
FLOWLET_REGISTER_KERNEL("Identity", IdentityKernel);

class NoOpKernel : public OpKernel {
 public:
  absl::Status Compute(KernelContext&) override { return absl::OkStatus(); }
};
FLOWLET_REGISTER_KERNEL("NoOp", NoOpKernel);

class ShapeKernel : public OpKernel {
 public:
  absl::Status Init(const KernelConstruction& c) override {
    FLOWLET_RETURN_IF_ERROR(GetAttr(*c.attrs, "T", &dtype_));
    FLOWLET_RETURN_IF_ERROR(
        kernel_util::GetAttrOr(*c.attrs, "out_type", DT_INT32, &out_type_));
    if (out_type_ != DT_INT32 && out_type_ != DT_INT64) {
      return absl::InvalidArgumentError(
          absl::StrCat("attr 'out_type' is ", DataTypeString(out_type_),
                       ", expected int32 or int64"));
    }
    return absl::OkStatus();
  }
  absl::Status Compute(KernelContext& ctx) override {
    FLOWLET_RETURN_IF_ERROR(kernel_util::CheckNumInputs(ctx, 1));
    FLOWLET_RETURN_IF_ERROR(
        kernel_util::CheckInputDtype(ctx, 0, "input", dtype_));
    const TensorShape& s = ctx.input(0).shape();
    const int rank = s.rank();
    FLOWLET_ASSIGN_OR_RETURN(
        Tensor * out, ctx.allocate_output(0, out_type_, TensorShape({rank})));
    for (int i = 0; i < rank; ++i) {
      const int64_t d = s.dim(i);
      if (out_type_ == DT_INT32) {
        if (d > std::numeric_limits<int32_t>::max()) {
          return absl::InvalidArgumentError(
              absl::StrCat("Shape output type is 32-bit but dim ", i, " is ", d,
                           "; use out_type int64"));
        }
        out->data<int32_t>()[i] = static_cast<int32_t>(d);
      } else {
        out->data<int64_t>()[i] = d;
      }
    }
    return absl::OkStatus();
  }

 private:
  DataType dtype_ = DT_INVALID;
  DataType out_type_ = DT_INT32;
};
FLOWLET_REGISTER_KERNEL("Shape", ShapeKernel);

// Reshape: at most one -1 (inferred), everything else >= 0, the element count
// preserved. The output shares the input's buffer.
class ReshapeKernel : public OpKernel {
 public:
  absl::Status Init(const KernelConstruction& c) override {
    FLOWLET_RETURN_IF_ERROR(GetAttr(*c.attrs, "T", &dtype_));
    FLOWLET_RETURN_IF_ERROR(
        kernel_util::GetAttrOr(*c.attrs, "Tshape", DT_INT32, &tshape_));
    return absl::OkStatus();
  }
  absl::Status Compute(KernelContext& ctx) override {
    FLOWLET_RETURN_IF_ERROR(kernel_util::CheckNumInputs(ctx, 2));
    FLOWLET_RETURN_IF_ERROR(
        kernel_util::CheckInputDtype(ctx, 0, "tensor", dtype_));
    FLOWLET_RETURN_IF_ERROR(
        kernel_util::CheckInputDtype(ctx, 1, "shape", tshape_));
    const Tensor& x = ctx.input(0);
    const Tensor& sizes = ctx.input(1);
    if (sizes.shape().rank() != 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("input 1 ('shape') must be 1-D, got shape ",
                       sizes.shape().DebugString()));
    }
    if (sizes.num_elements() > ctx.limits().max_rank) {
      return absl::InvalidArgumentError(
          absl::StrCat("input 1 ('shape') has ", sizes.num_elements(),
                       " elements; the rank limit is ", ctx.limits().max_rank));
    }
    // The same sizes and element count as last run: the same shape.
    if (memo_n_ == x.num_elements() &&
        kernel_util::IntValuesEqual(sizes, memo_sizes_)) {
      return ctx.set_output_reshaped(0, x, memo_shape_);
    }
    std::vector<int64_t> dims = kernel_util::IntValues(sizes);
    int unknown = -1;
    int64_t product = 1;
    for (int i = 0; i < static_cast<int>(dims.size()); ++i) {
      if (dims[i] == -1) {
        if (unknown >= 0) {
          return absl::InvalidArgumentError(absl::StrCat(
              "Only one input size may be -1, not both ", unknown, " and ", i));
        }
        unknown = i;
      } else if (dims[i] < 0) {
        return absl::InvalidArgumentError(
            absl::StrCat("Size ", i, " must be non-negative, not ", dims[i]));
      } else if (__builtin_mul_overflow(product, dims[i], &product)) {
        return absl::InvalidArgumentError(absl::StrCat(
            "Reshape: the requested shape's element count overflows int64"));
      }
    }
    const int64_t n = x.num_elements();
    if (unknown >= 0) {
      if (product == 0) {
        return absl::InvalidArgumentError(
            "Reshape cannot infer the missing input size for an empty tensor "
            "unless all "
            "specified input sizes are non-zero");
      }
      if (n % product != 0) {
        return absl::InvalidArgumentError(absl::StrCat(
            "Input to reshape is a tensor with ", n,
            " values, but the requested shape requires a multiple of ",
            product));
      }
      dims[unknown] = n / product;
    } else if (product != n) {
      return absl::InvalidArgumentError(
          absl::StrCat("Input to reshape is a tensor with ", n,
                       " values, but the requested shape has ", product));
    }
    FLOWLET_ASSIGN_OR_RETURN(memo_shape_,
                             CheckedShape(dims, dtype_, ctx.limits()));
    memo_sizes_ = kernel_util::IntValues(sizes);
    memo_n_ = n;
    return ctx.set_output_reshaped(0, x, memo_shape_);
  }

 private:
  DataType dtype_ = DT_INVALID;
  DataType tshape_ = DT_INT32;
  // The last run's sizes and element count and the shape they resolved to.
  std::vector<int64_t> memo_sizes_;
  int64_t memo_n_ = -1;
  TensorShape memo_shape_;
};
FLOWLET_REGISTER_KERNEL("Reshape", ReshapeKernel);

// Fill: dims go through the checked shape builder (UNTRUSTED_INPUT.md rule 1).
class FillKernel : public OpKernel {
 public:
  absl::Status Init(const KernelConstruction& c) override {
    FLOWLET_RETURN_IF_ERROR(GetAttr(*c.attrs, "T", &dtype_));
    FLOWLET_RETURN_IF_ERROR(
        kernel_util::GetAttrOr(*c.attrs, "index_type", DT_INT32, &index_type_));
    return absl::OkStatus();
  }
  absl::Status Compute(KernelContext& ctx) override {
    FLOWLET_RETURN_IF_ERROR(kernel_util::CheckNumInputs(ctx, 2));
    FLOWLET_RETURN_IF_ERROR(
        kernel_util::CheckInputDtype(ctx, 0, "dims", index_type_));
    FLOWLET_RETURN_IF_ERROR(
        kernel_util::CheckInputDtype(ctx, 1, "value", dtype_));
    const Tensor& dims = ctx.input(0);
    const Tensor& value = ctx.input(1);
    if (dims.shape().rank() != 1) {
      return absl::InvalidArgumentError(absl::StrCat(
          "dims must be a vector, got shape ", dims.shape().DebugString()));
    }
    if (value.shape().rank() != 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "value must be a scalar, got shape ", value.shape().DebugString()));
    }
    absl::StatusOr<TensorShape> shape =
        CheckedShapeFromTensor(dims, dtype_, ctx.limits());
    if (!shape.ok())
      return AnnotateStatus(shape.status(), "input 0 ('dims'): ");
    FLOWLET_ASSIGN_OR_RETURN(Tensor * out,
                             ctx.allocate_output(0, dtype_, *shape));
    const size_t es = DataTypeSize(dtype_);
    char* p = static_cast<char*>(out->raw_data());
    const int64_t n = out->num_elements();
    for (int64_t i = 0; i < n; ++i)
      std::memcpy(p + i * es, value.raw_data(), es);
    return absl::OkStatus();
  }

 private:
  DataType dtype_ = DT_INVALID;
  DataType index_type_ = DT_INT32;
};
FLOWLET_REGISTER_KERNEL("Fill", FillKernel);

// Pack (tf.stack): N tensors of one shape stacked along a new axis.
class PackKernel : public OpKernel {
 public:
  absl::Status Init(const KernelConstruction& c) override {
    FLOWLET_RETURN_IF_ERROR(GetAttr(*c.attrs, "T", &dtype_));
    FLOWLET_RETURN_IF_ERROR(GetAttr(*c.attrs, "N", &n_));
    if (n_ < 1)
      return absl::InvalidArgumentError(
          absl::StrCat("attr 'N' is ", n_, ", expected >= 1"));
    FLOWLET_RETURN_IF_ERROR(
        kernel_util::GetAttrOr(*c.attrs, "axis", int64_t{0}, &axis_));
    return absl::OkStatus();
  }
  absl::Status Compute(KernelContext& ctx) override {
    FLOWLET_RETURN_IF_ERROR(
        kernel_util::CheckNumInputs(ctx, static_cast<int>(n_)));
    for (int i = 0; i < n_; ++i) {
      FLOWLET_RETURN_IF_ERROR(kernel_util::CheckInputDtype(
          ctx, i, absl::StrCat("values[", i, "]"), dtype_));
    }
    const TensorShape& s0 = ctx.input(0).shape();
    for (int i = 1; i < n_; ++i) {
      if (ctx.input(i).shape() != s0) {
        return absl::InvalidArgumentError(
            absl::StrCat("Shapes of all inputs must match: values[0].shape = ",
                         s0.DebugString(), " != values[", i,
                         "].shape = ", ctx.input(i).shape().DebugString()));
      }
    }
    const int rank = s0.rank();
    if (axis_ < -(rank + 1) || axis_ > rank) {
      return absl::InvalidArgumentError(absl::StrCat(
          "axis = ", axis_, " not in [", -(rank + 1), ", ", rank + 1, ")"));
    }
    const int axis = static_cast<int>(axis_ < 0 ? axis_ + rank + 1 : axis_);
    std::vector<int64_t> out_dims = s0.dims();
    out_dims.insert(out_dims.begin() + axis, n_);
    FLOWLET_ASSIGN_OR_RETURN(TensorShape out_shape,
                             CheckedShape(out_dims, dtype_, ctx.limits()));
    FLOWLET_ASSIGN_OR_RETURN(Tensor * out,
                             ctx.allocate_output(0, dtype_, out_shape));
    if (out->num_elements() == 0) return absl::OkStatus();
    int64_t outer = 1, inner = 1;
    for (int i = 0; i < axis; ++i) outer *= s0.dim(i);
    for (int i = axis; i < rank; ++i) inner *= s0.dim(i);
    const size_t row_bytes = inner * DataTypeSize(dtype_);
    char* dst = static_cast<char*>(out->raw_data());
    for (int64_t o = 0; o < outer; ++o) {
      for (int i = 0; i < n_; ++i) {
        const char* src =
            static_cast<const char*>(ctx.input(i).raw_data()) + o * row_bytes;
        std::memcpy(dst, src, row_bytes);
        dst += row_bytes;
      }
    }
    return absl::OkStatus();
  }

 private:
  DataType dtype_ = DT_INVALID;
  int64_t n_ = 0;
  int64_t axis_ = 0;
};
FLOWLET_REGISTER_KERNEL("Pack", PackKernel);

}  // namespace
}  // namespace flowlet
