// Activations: each adds TensorFlow's op (checked by type and value against
// the formula), Linear adds nothing, identifiers resolve or fail with Keras'
// text.
#include "flowlet/layers/activations.h"

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "flowlet/graph.h"
#include "flowlet/ops/array_ops.h"
#include "flowlet/scope.h"
#include "gtest/gtest.h"
#include "tests/core/status_test_util.h"
#include "tests/layers/layers_test_util.h"

namespace flowlet {
namespace activations {
namespace {

using layers_test::Evaluate;
using layers_test::Values;
using testing_util::IsError;

const std::vector<float> kInputs = {-3.0f, -1.0f, -0.25f, 0.0f,
                                    0.5f,  2.0f,  7.0f};

struct Case {
  std::string id;
  std::string op;  // "" for linear.
  std::function<double(double)> formula;
};

std::vector<Case> Cases() {
  const double selu_alpha = 1.6732632423543772848170429916717;
  const double selu_scale = 1.0507009873554804934193349852946;
  return {
      {"relu", "Relu", [](double x) { return std::max(x, 0.0); }},
      {"relu6", "Relu6",
       [](double x) { return std::min(std::max(x, 0.0), 6.0); }},
      {"elu", "Elu", [](double x) { return x < 0 ? std::expm1(x) : x; }},
      {"selu", "Selu",
       [=](double x) {
         return selu_scale * (x < 0 ? selu_alpha * std::expm1(x) : x);
       }},
      {"sigmoid", "Sigmoid", [](double x) { return 1 / (1 + std::exp(-x)); }},
      {"tanh", "Tanh", [](double x) { return std::tanh(x); }},
      {"softplus", "Softplus",
       [](double x) { return std::log1p(std::exp(x)); }},
      {"softsign", "Softsign", [](double x) { return x / (1 + std::fabs(x)); }},
      {"leaky_relu", "LeakyRelu", [](double x) { return x > 0 ? x : 0.2 * x; }},
      {"linear", "", [](double x) { return x; }},
  };
}

void Check(const Activation& act, const Case& c) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  Output x = ops::Const(root, kInputs);
  const int before = g.num_nodes();
  Output y = act(root, x);
  ASSERT_TRUE(y.ok()) << y.status();
  if (c.op.empty()) {
    EXPECT_EQ(y, x);
    EXPECT_EQ(g.num_nodes(), before);
  } else {
    EXPECT_EQ(g.num_nodes(), before + 1);
    EXPECT_EQ(y.node()->op(), c.op);
    EXPECT_EQ(y.node()->name(), c.op);
  }
  absl::StatusOr<Tensor> t = Evaluate(y);
  ASSERT_TRUE(t.ok()) << t.status();
  const std::vector<double> v = Values(*t);
  ASSERT_EQ(v.size(), kInputs.size());
  for (size_t i = 0; i < v.size(); ++i) {
    const double e = c.formula(kInputs[i]);
    EXPECT_NEAR(v[i], e, 1e-5 * (1 + std::fabs(e)))
        << c.id << " " << kInputs[i];
  }
}

TEST(ActivationsTest, FunctionsAddTensorFlowsOps) {
  const std::vector<Activation> functions = {
      Relu, Relu6,    Elu,      Selu,        Sigmoid,
      Tanh, Softplus, Softsign, LeakyRelu(), Linear};
  const std::vector<Case> cases = Cases();
  ASSERT_EQ(functions.size(), cases.size());
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(cases[i].id);
    Check(functions[i], cases[i]);
  }
}

TEST(ActivationsTest, GetByIdentifier) {
  for (const Case& c : Cases()) {
    SCOPED_TRACE(c.id);
    absl::StatusOr<Activation> act = Get(c.id);
    ASSERT_TRUE(act.ok()) << act.status();
    Check(*act, c);
  }
  absl::StatusOr<Activation> none = Get("");
  ASSERT_TRUE(none.ok());
  Check(*none, Case{"", "", [](double x) { return x; }});
}

TEST(ActivationsTest, LeakyReluAlpha) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  Output y = LeakyRelu(0.1f)(root, ops::Const(root, std::vector<float>{-2, 3}));
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_FLOAT_EQ(y.node()->FindAttr("alpha")->f(), 0.1f);
  absl::StatusOr<Tensor> t = Evaluate(y);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_NEAR(t->ValueAsDouble(0), -0.2, 1e-6);
  EXPECT_EQ(t->ValueAsDouble(1), 3.0);
}

TEST(ActivationsTest, UnknownIdentifier) {
  for (const char* id : {"Relu", "swish", "leaky relu"}) {
    absl::Status s = Get(id).status();
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(
        s.message(),
        std::string("Could not interpret activation function identifier: ") +
            id);
  }
}

TEST(ActivationsTest, ErrorsPassThrough) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  Output bad(absl::InvalidArgumentError("upstream"));
  EXPECT_TRUE(IsError(Relu(root, bad).status(),
                      absl::StatusCode::kInvalidArgument, {"upstream"}));
  EXPECT_TRUE(IsError(Linear(root, bad).status(),
                      absl::StatusCode::kInvalidArgument, {"upstream"}));
}

}  // namespace
}  // namespace activations
}  // namespace flowlet
