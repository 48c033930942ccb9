// Declarations and builders of the random ops (TensorFlow's random_ops.cc).
#include "flowlet/ops/random_ops.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "src/core/attr_util.h"
#include "src/graph/op_registry.h"
#include "src/graph/shape_inference.h"

namespace flowlet {
namespace {

// TensorFlow's RandomShape: the output shape is the value of the 1-D `shape`
// input, as far as it is known.
absl::Status RandomShape(InferenceContext& c) {
  const TensorShape& in = c.input_shape(0);
  if (!in.unknown_rank() && in.rank() != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("shape (input 0) must be rank 1 but is rank ", in.rank()));
  }
  c.set_output_shape(0, c.InputAsShape(0));
  return absl::OkStatus();
}

}  // namespace

FLOWLET_REGISTER_OP("RandomUniform")
    .Input("shape: T")
    .SetIsStateful()
    .Output("output: dtype")
    .Attr("seed: int = 0")
    .Attr("seed2: int = 0")
    .Attr("dtype: {half, bfloat16, float, double}")
    .Attr("T: {int32, int64}")
    .SetShapeFn(RandomShape);

FLOWLET_REGISTER_OP("RandomStandardNormal")
    .Input("shape: T")
    .SetIsStateful()
    .Output("output: dtype")
    .Attr("seed: int = 0")
    .Attr("seed2: int = 0")
    .Attr("dtype: {half, bfloat16, float, double}")
    .Attr("T: {int32, int64}")
    .SetShapeFn(RandomShape);

FLOWLET_REGISTER_OP("TruncatedNormal")
    .Input("shape: T")
    .SetIsStateful()
    .Output("output: dtype")
    .Attr("seed: int = 0")
    .Attr("seed2: int = 0")
    .Attr("dtype: {half, bfloat16, float, double}")
    .Attr("T: {int32, int64}")
    .SetShapeFn(RandomShape);

namespace ops {
namespace {

Output RandomOp(const Scope& scope, const char* op, Output shape,
                DataType dtype, const RandomOptions& options) {
  AttrMap attrs;
  attrs["seed"] = AttrInt(options.seed);
  attrs["seed2"] = AttrInt(options.seed2);
  attrs["dtype"] = AttrType(dtype);
  return MakeOutput(scope.AddNode(op, op, {shape}, std::move(attrs)));
}

}  // namespace

Output RandomUniform(const Scope& scope, Output shape, DataType dtype,
                     const RandomOptions& options) {
  return RandomOp(scope, "RandomUniform", shape, dtype, options);
}

Output RandomStandardNormal(const Scope& scope, Output shape, DataType dtype,
                            const RandomOptions& options) {
  return RandomOp(scope, "RandomStandardNormal", shape, dtype, options);
}

Output TruncatedNormal(const Scope& scope, Output shape, DataType dtype,
                       const RandomOptions& options) {
  return RandomOp(scope, "TruncatedNormal", shape, dtype, options);
}

}  // namespace ops
}  // namespace flowlet
