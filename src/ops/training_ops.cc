// Training ops (TF1 training_ops.cc / state_ops): ApplyGradientDescent,
// ApplyMomentum, ApplyAdam, AssignAdd; declarations, shape functions and the
// builders of flowlet/ops/training_ops.h.
#include "flowlet/ops/training_ops.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "src/core/attr_util.h"
#include "src/core/status_macros.h"
#include "src/graph/op_registry.h"
#include "src/graph/shape_inference.h"

namespace flowlet {
namespace {

// Inputs named in `same` must have var's (input 0) shape; those in `scalars`
// must be scalars. The output has var's shape, merged with the others.
absl::Status ApplyShape(
    InferenceContext& c, const std::vector<std::pair<int, const char*>>& same,
    const std::vector<std::pair<int, const char*>>& scalars) {
  TensorShape s = c.input_shape(0);
  for (const auto& [i, name] : same) {
    absl::StatusOr<TensorShape> merged = s.Merge(c.input_shape(i));
    if (!merged.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "var and ", name, " do not have the same shape: ", s.DebugString(),
          " vs ", c.input_shape(i).DebugString()));
    }
    s = *std::move(merged);
  }
  for (const auto& [i, name] : scalars) {
    const TensorShape& t = c.input_shape(i);
    if (t.rank() > 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(name, " is not a scalar: ", t.DebugString()));
    }
  }
  c.set_output_shape(0, std::move(s));
  return absl::OkStatus();
}

}  // namespace

FLOWLET_REGISTER_OP("ApplyGradientDescent")
    .Input("var: Ref(T)")
    .Input("alpha: T")
    .Input("delta: T")
    .Output("out: Ref(T)")
    .Attr("T: {float, double}")
    .Attr("use_locking: bool = false")
    .SetIsStateful()
    .SetShapeFn([](InferenceContext& c) {
      return ApplyShape(c, {{2, "delta"}}, {{1, "alpha"}});
    });

FLOWLET_REGISTER_OP("ApplyMomentum")
    .Input("var: Ref(T)")
    .Input("accum: Ref(T)")
    .Input("lr: T")
    .Input("grad: T")
    .Input("momentum: T")
    .Output("out: Ref(T)")
    .Attr("T: {float, double}")
    .Attr("use_locking: bool = false")
    .Attr("use_nesterov: bool = false")
    .SetIsStateful()
    .SetShapeFn([](InferenceContext& c) {
      return ApplyShape(c, {{1, "accum"}, {3, "grad"}},
                        {{2, "lr"}, {4, "momentum"}});
    });

FLOWLET_REGISTER_OP("ApplyAdam")
    .Input("var: Ref(T)")
    .Input("m: Ref(T)")
    .Input("v: Ref(T)")
    .Input("beta1_power: T")
    .Input("beta2_power: T")
    .Input("lr: T")
    .Input("beta1: T")
    .Input("beta2: T")
    .Input("epsilon: T")
    .Input("grad: T")
    .Output("out: Ref(T)")
    .Attr("T: {float, double}")
    .Attr("use_locking: bool = false")
    .Attr("use_nesterov: bool = false")
    .SetIsStateful()
    .SetShapeFn([](InferenceContext& c) {
      return ApplyShape(c, {{1, "m"}, {2, "v"}, {9, "grad"}},
                        {{3, "beta1_power"},
                         {4, "beta2_power"},
                         {5, "lr"},
                         {6, "beta1"},
                         {7, "beta2"},
                         {8, "epsilon"}});
    });

FLOWLET_REGISTER_OP("AssignAdd")
    .Input("ref: Ref(T)")
    .Input("value: T")
    .Output("output_ref: Ref(T)")
    .Attr("T: {float, double, int32, int64}")
    .Attr("use_locking: bool = false")
    .SetIsStateful()
    .SetShapeFn([](InferenceContext& c) {
      return ApplyShape(c, {{1, "value"}}, {});
    });

namespace ops {

Output ApplyGradientDescent(const Scope& scope, Output var, Output alpha,
                            Output delta, bool use_locking) {
  return MakeOutput(scope.AddNode("ApplyGradientDescent",
                                  "ApplyGradientDescent", {var, alpha, delta},
                                  {{"use_locking", AttrBool(use_locking)}}));
}

Output ApplyMomentum(const Scope& scope, Output var, Output accum, Output lr,
                     Output grad, Output momentum, bool use_locking,
                     bool use_nesterov) {
  return MakeOutput(scope.AddNode("ApplyMomentum", "ApplyMomentum",
                                  {var, accum, lr, grad, momentum},
                                  {{"use_locking", AttrBool(use_locking)},
                                   {"use_nesterov", AttrBool(use_nesterov)}}));
}

Output ApplyAdam(const Scope& scope, Output var, Output m, Output v,
                 Output beta1_power, Output beta2_power, Output lr,
                 Output beta1, Output beta2, Output epsilon, Output grad,
                 bool use_locking, bool use_nesterov) {
  return MakeOutput(scope.AddNode(
      "ApplyAdam", "ApplyAdam",
      {var, m, v, beta1_power, beta2_power, lr, beta1, beta2, epsilon, grad},
      {{"use_locking", AttrBool(use_locking)},
       {"use_nesterov", AttrBool(use_nesterov)}}));
}

Output AssignAdd(const Scope& scope, Output ref, Output value,
                 bool use_locking) {
  return MakeOutput(scope.AddNode("AssignAdd", "AssignAdd", {ref, value},
                                  {{"use_locking", AttrBool(use_locking)}}));
}

}  // namespace ops
}  // namespace flowlet
