// Optimizers on small graphs: exact TF1 updates over several steps, slot names
// and collections, constraints after every step, trainable=false, shared
// variables, global_step, errors.
#include "flowlet/train/optimizers.h"

#include <cmath>
#include <string>
#include <vector>

#include "flowlet/flowlet.h"
#include "gtest/gtest.h"
#include "tests/core/status_test_util.h"
#include "tests/train/train_test_util.h"

namespace flowlet {
namespace {

using testing_util::IsError;
using train_test::AsDoubles;

class OptimizerTest : public ::testing::Test {
 protected:
  // A variable "name" initialized to `init`.
  VariableInfo Var(const std::string& name, const std::vector<float>& init,
                   bool trainable = true, Constraint constraint = {}) {
    GetVariableOptions o;
    o.initializer =
        initializers::constant(std::vector<double>(init.begin(), init.end()));
    o.trainable = trainable;
    o.constraint = constraint.fn;
    o.constraint_spec = constraint.spec;
    absl::StatusOr<VariableInfo> v = get_variable(
        root_, name, TensorShape({static_cast<int64_t>(init.size())}), o);
    EXPECT_TRUE(v.ok()) << v.status();
    return *v;
  }
  // sum((w - target)^2): gradient 2 (w - target).
  Output Quadratic(const VariableInfo& v, const std::vector<float>& target) {
    return ops::Sum(root_,
                    ops::Square(root_, ops::Sub(root_, v.snapshot,
                                                ops::Const(root_, target))),
                    ops::Const(root_, 0));
  }
  std::vector<double> Value(const std::string& name) {
    absl::StatusOr<Tensor> t = session_.VariableValue(name);
    EXPECT_TRUE(t.ok()) << t.status();
    return t.ok() ? AsDoubles(*t) : std::vector<double>();
  }
  void Init() {
    ASSERT_TRUE(
        session_.Run({}, {}, {global_variables_initializer(root_)}).ok());
  }
  void Step(const Operation& train) {
    absl::Status s = session_.Run({}, {}, {train});
    ASSERT_TRUE(s.ok()) << s;
  }

  Graph graph_;
  Scope root_ = Scope::NewRootScope(&graph_);
  Session session_{&graph_};
};

TEST_F(OptimizerTest, GradientDescentMatchesHandComputedSteps) {
  VariableInfo w = Var("w", {1, -2, 3});
  const std::vector<float> target = {0.5f, 0.5f, 0.5f};
  train::GradientDescentOptimizer opt(0.1);
  absl::StatusOr<Operation> train = opt.minimize(root_, Quadratic(w, target));
  ASSERT_TRUE(train.ok()) << train.status();
  EXPECT_EQ(train->name(), "GradientDescent");
  EXPECT_EQ(train->node()->op(), "NoOp");
  ASSERT_NE(graph_.FindNode("GradientDescent/update_w/ApplyGradientDescent"),
            nullptr);
  EXPECT_NE(graph_.FindNode("GradientDescent/learning_rate"), nullptr);
  Init();
  std::vector<float> ref = {1, -2, 3};
  for (int step = 0; step < 4; ++step) {
    Step(*train);
    for (int i = 0; i < 3; ++i) {
      const float g = 2.0f * (ref[i] - target[i]);
      ref[i] -= g * 0.1f;
    }
    std::vector<double> got = Value("w");
    for (int i = 0; i < 3; ++i) EXPECT_NEAR(got[i], ref[i], 1e-6) << step;
  }
}

TEST_F(OptimizerTest, MomentumSlotsAndSteps) {
  VariableInfo w = Var("w", {1, 2});
  train::MomentumOptimizer opt(0.05, 0.9);
  absl::StatusOr<Operation> train = opt.minimize(root_, Quadratic(w, {0, 0}));
  ASSERT_TRUE(train.ok()) << train.status();
  const VariableInfo* slot = opt.get_slot("w", "momentum");
  ASSERT_NE(slot, nullptr);
  EXPECT_EQ(slot->variable->name(), "w/Momentum");
  EXPECT_FALSE(slot->trainable);
  EXPECT_EQ(opt.get_slot_names(), std::vector<std::string>{"momentum"});
  EXPECT_NE(graph_.FindNode("Momentum/update_w/ApplyMomentum"), nullptr);
  EXPECT_NE(graph_.FindNode("Momentum/momentum"), nullptr);
  Init();
  EXPECT_EQ(Value("w/Momentum"), (std::vector<double>{0, 0}));
  std::vector<float> wr = {1, 2}, acc = {0, 0};
  for (int step = 0; step < 5; ++step) {
    Step(*train);
    for (int i = 0; i < 2; ++i) {
      acc[i] = acc[i] * 0.9f + 2.0f * wr[i];
      wr[i] -= acc[i] * 0.05f;
    }
    std::vector<double> got = Value("w");
    for (int i = 0; i < 2; ++i) EXPECT_NEAR(got[i], wr[i], 1e-6) << step;
  }
}

TEST_F(OptimizerTest, AdamSlotsCollectionsAndSteps) {
  VariableInfo w = Var("layer/w", {1, -1});
  train::AdamOptimizer opt(0.01);
  absl::StatusOr<Operation> train = opt.minimize(root_, Quadratic(w, {0, 0}));
  ASSERT_TRUE(train.ok()) << train.status();
  EXPECT_EQ(train->name(), "Adam");
  ASSERT_NE(opt.get_slot("layer/w", "m"), nullptr);
  EXPECT_EQ(opt.get_slot("layer/w", "m")->variable->name(), "layer/w/Adam");
  EXPECT_EQ(opt.get_slot("layer/w", "v")->variable->name(), "layer/w/Adam_1");
  EXPECT_EQ(opt.get_slot_names(), (std::vector<std::string>{"m", "v"}));
  ASSERT_NE(opt.get_non_slot("beta1_power"), nullptr);
  EXPECT_EQ(opt.get_non_slot("beta1_power")->variable->name(), "beta1_power");
  EXPECT_EQ(opt.get_non_slot("beta2_power")->variable->name(), "beta2_power");
  EXPECT_NE(graph_.FindNode("Adam/update_layer/w/ApplyAdam"), nullptr);

  std::vector<std::string> global, trainable;
  for (const Output& o : graph_.GetCollection(GraphKeys::kGlobalVariables)) {
    global.push_back(o.node()->name());
  }
  for (const Output& o : graph_.GetCollection(GraphKeys::kTrainableVariables)) {
    trainable.push_back(o.node()->name());
  }
  EXPECT_EQ(global,
            (std::vector<std::string>{"layer/w", "beta1_power", "beta2_power",
                                      "layer/w/Adam", "layer/w/Adam_1"}));
  EXPECT_EQ(trainable, std::vector<std::string>{"layer/w"});

  Init();  // Built after the slots: initializes them.
  EXPECT_NEAR(Value("beta1_power")[0], 0.9, 1e-7);
  EXPECT_NEAR(Value("beta2_power")[0], 0.999, 1e-7);
  EXPECT_EQ(Value("layer/w/Adam_1"), (std::vector<double>{0, 0}));

  std::vector<float> wr = {1, -1}, m = {0, 0}, v = {0, 0};
  float b1p = 0.9f, b2p = 0.999f;
  for (int step = 0; step < 5; ++step) {
    Step(*train);
    const float alpha = 0.01f * std::sqrt(1.0f - b2p) / (1.0f - b1p);
    for (int i = 0; i < 2; ++i) {
      const float g = 2.0f * wr[i];
      m[i] += (g - m[i]) * (1.0f - 0.9f);
      v[i] += (g * g - v[i]) * (1.0f - 0.999f);
      wr[i] -= (m[i] * alpha) / (std::sqrt(v[i]) + 1e-8f);
    }
    b1p *= 0.9f;
    b2p *= 0.999f;
    std::vector<double> got = Value("layer/w");
    for (int i = 0; i < 2; ++i) EXPECT_NEAR(got[i], wr[i], 1e-6) << step;
    EXPECT_NEAR(Value("beta1_power")[0], b1p, 1e-7);
    EXPECT_NEAR(Value("beta2_power")[0], b2p, 1e-7);
  }
}

TEST_F(OptimizerTest, SecondAdamGetsFreshNames) {
  VariableInfo w = Var("w", {1});
  train::AdamOptimizer a, b;
  ASSERT_TRUE(a.minimize(root_, Quadratic(w, {0})).ok());
  absl::StatusOr<Operation> t2 = b.minimize(root_, Quadratic(w, {0}));
  ASSERT_TRUE(t2.ok()) << t2.status();
  EXPECT_EQ(t2->name(), "Adam_1");
  EXPECT_EQ(b.get_non_slot("beta1_power")->variable->name(), "beta1_power_1");
  EXPECT_EQ(b.get_slot("w", "m")->variable->name(), "w/Adam_2");
  EXPECT_EQ(b.get_slot("w", "v")->variable->name(), "w/Adam_1_1");
}

TEST_F(OptimizerTest, ConstraintHoldsAfterEveryStep) {
  // max_norm(1) over axis 0 of a [2,2]-shaped kernel whose gradient pushes
  // the norm up.
  GetVariableOptions o;
  o.initializer =
      initializers::constant(std::vector<double>{0.1, 0.2, 0.3, 0.4});
  Constraint c = constraints::max_norm(1.0, {0});
  o.constraint = c.fn;
  o.constraint_spec = c.spec;
  absl::StatusOr<VariableInfo> k = get_variable(root_, "k", {2, 2}, o);
  ASSERT_TRUE(k.ok()) << k.status();
  // loss = -sum(k * [1, 2, 3, 4]): the gradient is constant.
  Output loss = ops::Neg(
      root_, ops::Sum(root_,
                      ops::Mul(root_, k->snapshot,
                               ops::Const(root_, Tensor::FromVector<float>(
                                                     {1, 2, 3, 4}, {2, 2}))),
                      ops::Const(root_, std::vector<int32_t>{0, 1})));
  train::GradientDescentOptimizer opt(0.5);
  absl::StatusOr<Operation> train = opt.minimize(root_, loss);
  ASSERT_TRUE(train.ok()) << train.status();
  // The constraint is applied after the update, through a fresh read.
  Node* read = graph_.FindNode("GradientDescent/update_k/read");
  ASSERT_NE(read, nullptr);
  ASSERT_EQ(read->control_inputs().size(), 1u);
  EXPECT_EQ(read->control_inputs()[0]->op(), "ApplyGradientDescent");
  Node* assign = graph_.FindNode("GradientDescent/update_k/Assign");
  ASSERT_NE(assign, nullptr);
  ASSERT_EQ(train->node()->control_inputs().size(), 1u);
  EXPECT_EQ(train->node()->control_inputs()[0], assign);
  Init();
  for (int step = 0; step < 4; ++step) {
    std::vector<double> before = Value("k");
    Step(*train);
    // Expected: w' = w - 0.5 * (-[1,2,3,4]), then per column scale.
    std::vector<double> upd = {before[0] + 0.5, before[1] + 1.0,
                               before[2] + 1.5, before[3] + 2.0};
    std::vector<double> got = Value("k");
    for (int col = 0; col < 2; ++col) {
      const double n =
          std::sqrt(upd[col] * upd[col] + upd[2 + col] * upd[2 + col]);
      const double scale = std::min(n, 1.0) / (1e-7 + n);
      EXPECT_NEAR(got[col], upd[col] * scale, 1e-5);
      EXPECT_NEAR(got[2 + col], upd[2 + col] * scale, 1e-5);
      EXPECT_LE(std::sqrt(got[col] * got[col] + got[2 + col] * got[2 + col]),
                1.0 + 1e-6)
          << "step " << step << " column " << col;
    }
  }
}

TEST_F(OptimizerTest, ConstraintRebuiltFromSpecWhenFunctionMissing) {
  VariableInfo w = Var("w", {3, 4});
  VariableInfo* mw = graph_.MutableVariable("w");
  ASSERT_NE(mw, nullptr);
  mw->constraint_spec = "max_norm(max_value=1,axis=0)";
  train::GradientDescentOptimizer opt(0.0);
  absl::StatusOr<Operation> train = opt.minimize(root_, Quadratic(*mw, {0, 0}));
  ASSERT_TRUE(train.ok()) << train.status();
  Init();
  Step(*train);
  std::vector<double> got = Value("w");
  EXPECT_NEAR(got[0], 0.6, 1e-6);  // (3, 4) / 5.
  EXPECT_NEAR(got[1], 0.8, 1e-6);

  mw->constraint_spec = "custom";
  EXPECT_TRUE(IsError(opt.minimize(root_, Quadratic(*mw, {0, 0})),
                      absl::StatusCode::kFailedPrecondition,
                      {"variable 'w'", "custom constraint"}));
}

TEST_F(OptimizerTest, NonTrainableVariablesAreNeverUpdated) {
  VariableInfo w = Var("w", {1, 2});
  VariableInfo frozen = Var("frozen", {3, 4}, /*trainable=*/false);
  Output loss =
      ops::AddV2(root_, Quadratic(w, {0, 0}), Quadratic(frozen, {0, 0}));
  train::AdamOptimizer opt(0.1);
  absl::StatusOr<Operation> train = opt.minimize(root_, loss);
  ASSERT_TRUE(train.ok()) << train.status();
  EXPECT_EQ(opt.get_slot("frozen", "m"), nullptr);
  EXPECT_EQ(graph_.FindNode("Adam/update_frozen/ApplyAdam"), nullptr);
  Init();
  for (int i = 0; i < 3; ++i) Step(*train);
  EXPECT_EQ(Value("frozen"), (std::vector<double>{3, 4}));
  EXPECT_NE(Value("w"), (std::vector<double>{1, 2}));
}

TEST_F(OptimizerTest, SharedVariableIsUpdatedOncePerStep) {
  VariableInfo w = Var("shared/w", {1, 2});
  // The same variable through reuse (a second tower).
  Scope reuse = root_.WithVariableScope("shared", {Reuse::kReuse});
  absl::StatusOr<VariableInfo> again = get_variable(reuse, "w", {2});
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->variable, w.variable);
  Output loss =
      ops::AddV2(root_, Quadratic(w, {0, 0}), Quadratic(*again, {0, 0}));
  train::GradientDescentOptimizer opt(0.1);
  // Listed twice: still one update op.
  absl::StatusOr<Operation> train =
      opt.minimize(root_, loss, std::vector<VariableInfo>{w, *again});
  ASSERT_TRUE(train.ok()) << train.status();
  int updates = 0;
  for (int i = 0; i < graph_.num_nodes(); ++i) {
    updates += graph_.node(i)->op() == "ApplyGradientDescent";
  }
  EXPECT_EQ(updates, 1);
  Init();
  Step(*train);
  // d/dw of 2 * w^2 = 4w: w - 0.1 * 4w = 0.6 w.
  std::vector<double> got = Value("shared/w");
  EXPECT_NEAR(got[0], 0.6, 1e-6);
  EXPECT_NEAR(got[1], 1.2, 1e-6);
}

TEST_F(OptimizerTest, GlobalStepIncrementsAfterTheUpdates) {
  VariableInfo w = Var("w", {1});
  absl::StatusOr<VariableInfo> step = train::get_or_create_global_step(root_);
  ASSERT_TRUE(step.ok()) << step.status();
  EXPECT_EQ(step->variable->name(), "global_step");
  EXPECT_FALSE(step->trainable);
  ASSERT_EQ(graph_.GetCollection("global_step").size(), 1u);
  train::MomentumOptimizer opt(0.1, 0.5);
  absl::StatusOr<Operation> train =
      opt.minimize(root_, Quadratic(w, {0}), std::nullopt, &*step);
  ASSERT_TRUE(train.ok()) << train.status();
  EXPECT_EQ(train->name(), "Momentum");
  EXPECT_EQ(train->node()->op(), "AssignAdd");
  ASSERT_EQ(train->node()->control_inputs().size(), 1u);
  EXPECT_EQ(train->node()->control_inputs()[0]->name(), "Momentum/update");
  Init();
  for (int i = 1; i <= 3; ++i) {
    Step(*train);
    EXPECT_EQ(Value("global_step"), std::vector<double>{double(i)});
  }
  // The same variable comes back.
  absl::StatusOr<VariableInfo> again = train::get_or_create_global_step(root_);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->variable, step->variable);
}

TEST_F(OptimizerTest, DoubleVariablesGetCastHyperParameters) {
  GetVariableOptions o;
  o.dtype = DT_DOUBLE;
  o.initializer = initializers::constant(std::vector<double>{2.0});
  absl::StatusOr<VariableInfo> w = get_variable(root_, "wd", {1}, o);
  ASSERT_TRUE(w.ok()) << w.status();
  Output loss =
      ops::Sum(root_, ops::Square(root_, w->snapshot), ops::Const(root_, 0));
  train::AdamOptimizer opt(0.1);
  absl::StatusOr<Operation> train = opt.minimize(root_, loss);
  ASSERT_TRUE(train.ok()) << train.status();
  Init();
  Step(*train);
  EXPECT_NEAR(Value("wd")[0], 1.9, 1e-6);  // First Adam step ~ lr * sign(g).
}

TEST_F(OptimizerTest, Errors) {
  VariableInfo w = Var("w", {1});
  train::GradientDescentOptimizer opt(0.1);
  EXPECT_TRUE(IsError(
      opt.minimize(root_, Quadratic(w, {0}), std::vector<VariableInfo>{}),
      absl::StatusCode::kInvalidArgument, {"No variables to optimize."}));
  VariableInfo other = Var("other", {1});
  EXPECT_TRUE(IsError(
      opt.minimize(root_, Quadratic(w, {0}), std::vector<VariableInfo>{other}),
      absl::StatusCode::kInvalidArgument,
      {"No gradients provided for any variable", "other"}));
  EXPECT_TRUE(IsError(opt.minimize(root_, ops::Const(root_, 1)),
                      absl::StatusCode::kInvalidArgument,
                      {"Invalid type int32"}));
}

}  // namespace
}  // namespace flowlet
