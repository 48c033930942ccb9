// After warm-up, Session::Run creates no oneDNN primitive and reorders no
// weights while the variables are unchanged (kernel_counters); assigning the
// kernel variable costs exactly one weight reorder on the next run. Checked on
// a conv2d_transpose layer with few filters (the gemm + col2im plan), one with
// many (the deconvolution primitive), and a Conv2D on a variable filter (the
// convolution plans).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "flowlet/flowlet.h"
#include "flowlet/ops/nn_grad_ops.h"
#include "gtest/gtest.h"
#include "src/kernels/kernel_counters.h"

namespace flowlet {
namespace {

using kernel_counters::Snapshot;

constexpr int kWarmRuns = 5;

VariableInfo FindVariable(const Graph& g, const std::string& name) {
  for (const VariableInfo& v : global_variables(g)) {
    if (v.variable->name() == name) return v;
  }
  ADD_FAILURE() << "no variable " << name;
  return VariableInfo();
}

// A tensor of `shape` with a small deterministic pattern.
Tensor Pattern(const TensorShape& shape, float scale) {
  Tensor t(DT_FLOAT, shape);
  for (int64_t i = 0; i < t.num_elements(); ++i) {
    t.data<float>()[i] = scale * static_cast<float>((i * 7) % 13 - 6) / 6.0f;
  }
  return t;
}

float MaxAbs(const Tensor& t) {
  float m = 0;
  for (int64_t i = 0; i < t.num_elements(); ++i) {
    m = std::max(m, std::abs(t.data<float>()[i]));
  }
  return m;
}

// Runs `fetch` twice (warm-up), then kWarmRuns more times expecting no
// primitive creation and no weight reorder; then assigns zeros to `variable`
// and expects exactly one reorder (and no creation) on the next run, whose
// result is zero, and none on the runs after.
void CheckWarmRuns(const Graph& g, const Scope& root, Output x,
                   const Tensor& input, Output fetch,
                   const std::string& variable) {
  // Built first: adding nodes later would make the session recompile.
  const VariableInfo v = FindVariable(g, variable);
  ASSERT_NE(v.variable, nullptr);
  Scope s = root.NewSubScope("reassign");
  Output zeros = ops::Const(s, Tensor(DT_FLOAT, v.snapshot.shape()));
  Output assign = ops::Assign(s, Output(v.variable, 0), zeros);
  Session session(&g);
  ASSERT_TRUE(session.Run({}, {}, {global_variables_initializer(root)}).ok());
  std::vector<Tensor> out;
  for (int i = 0; i < 2; ++i) {
    absl::Status st = session.Run({{x, input}}, {fetch}, {}, &out);
    ASSERT_TRUE(st.ok()) << st;
  }
  ASSERT_GT(MaxAbs(out[0]), 0.0f);
  const Snapshot warm = kernel_counters::Read();
  for (int i = 0; i < kWarmRuns; ++i) {
    ASSERT_TRUE(session.Run({{x, input}}, {fetch}, {}, &out).ok());
  }
  const Snapshot after = kernel_counters::Read();
  EXPECT_EQ(after.primitive_creations, warm.primitive_creations) << variable;
  EXPECT_EQ(after.weight_reorders, warm.weight_reorders) << variable;

  ASSERT_TRUE(session.Run({}, {}, {Operation(assign.node())}).ok());

  const Snapshot assigned = kernel_counters::Read();
  ASSERT_TRUE(session.Run({{x, input}}, {fetch}, {}, &out).ok());
  const Snapshot next = kernel_counters::Read();
  EXPECT_EQ(next.weight_reorders - assigned.weight_reorders, 1) << variable;
  EXPECT_EQ(next.primitive_creations, assigned.primitive_creations) << variable;
  EXPECT_EQ(MaxAbs(out[0]), 0.0f) << "the new (zero) weights were not used";
  for (int i = 0; i < kWarmRuns; ++i) {
    ASSERT_TRUE(session.Run({{x, input}}, {fetch}, {}, &out).ok());
  }
  const Snapshot last = kernel_counters::Read();
  EXPECT_EQ(last.primitive_creations, next.primitive_creations) << variable;
  EXPECT_EQ(last.weight_reorders, next.weight_reorders) << variable;
}

TEST(WarmRunTest, ConvTransposeLayersCreateAndReorderNothingWhenWarm) {
  for (int filters : {3, 32}) {  // gemm + col2im, then the primitive.
    Graph g;
    Scope root = Scope::NewRootScope(&g);
    Output x = ops::Placeholder(root.WithOpName("x"), DT_FLOAT,
                                TensorShape({-1, 16, 16, 24}));
    layers::Conv2DTransposeOptions o;
    o.strides = 2;
    o.padding = "same";
    o.use_bias = false;  // A zero kernel then gives a zero output.
    absl::StatusOr<Output> y = layers::conv2d_transpose(root, x, filters, 5, o);
    ASSERT_TRUE(y.ok()) << y.status();
    SCOPED_TRACE(filters);
    CheckWarmRuns(g, root, x, Pattern(TensorShape({2, 16, 16, 24}), 1.0f), *y,
                  "conv2d_transpose/kernel");
  }
}

TEST(WarmRunTest, Conv2DCreatesAndReordersNothingWhenWarm) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  Output x = ops::Placeholder(root.WithOpName("x"), DT_FLOAT,
                              TensorShape({-1, 12, 12, 8}));
  GetVariableOptions vo;
  vo.initializer = initializers::glorot_uniform();
  absl::StatusOr<VariableInfo> w =
      get_variable(root, "w", TensorShape({3, 3, 8, 16}), vo);
  ASSERT_TRUE(w.ok()) << w.status();
  Output y = ops::Conv2D(root, x, w->snapshot, {1, 1, 1, 1}, "SAME");
  ASSERT_TRUE(y.status().ok()) << y.status();
  CheckWarmRuns(g, root, x, Pattern(TensorShape({2, 12, 12, 8}), 1.0f), y, "w");
}

}  // namespace
}  // namespace flowlet
