// End to end: a small conv2d_transpose decoder trained with Adam and with
// Momentum (loss drops >= 10x), max_norm on a kernel holding after every step,
// a trainable=false layer left unchanged, and a checkpoint + MetaGraphDef
// resumed in a fresh graph giving the same loss curve as the uninterrupted
// run.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "flowlet/flowlet.h"
#include "flowlet/train/losses.h"
#include "gtest/gtest.h"
#include "tests/core/status_test_util.h"
#include "tests/train/train_test_util.h"

namespace flowlet {
namespace {

using train_test::Norms;
using train_test::TempDir;

enum class Kind { kAdam, kMomentum };

constexpr double kMaxNorm = 0.8;

Tensor InputTensor() {
  Tensor t(DT_FLOAT, {1, 2, 2, 4});
  for (int i = 0; i < 16; ++i) {
    t.data<float>()[i] = 0.25f * static_cast<float>((i * 7) % 5) - 0.4f;
  }
  return t;
}

Tensor TargetTensor() {
  Tensor t(DT_FLOAT, {1, 8, 8, 1});
  for (int y = 0; y < 8; ++y) {
    for (int x = 0; x < 8; ++x) {
      t.data<float>()[y * 8 + x] =
          static_cast<float>(0.5 * std::sin(0.7 * y) * std::cos(0.5 * x) + 0.2);
    }
  }
  return t;
}

struct Decoder {
  Graph graph;
  Scope root = Scope::NewRootScope(&graph);
  Output input, loss;
  Operation train;
  absl::Status status;
};

// input [1,2,2,4] -> deconv(8, 3, s2, same, relu) -> frozen deconv(8, 1,
// trainable=false) -> deconv(1, 3, s2, same) -> MSE vs an 8x8 target.
void Build(Decoder& d, Kind kind, bool constrained) {
  d.graph.set_seed(1234);
  d.input = ops::Placeholder(d.root.WithOpName("input"), DT_FLOAT,
                             TensorShape({1, 2, 2, 4}));
  layers::Conv2DTransposeOptions o1;
  o1.strides = 2;
  o1.padding = "same";
  o1.activation = activations::Relu;
  if (constrained)
    o1.kernel_constraint = constraints::max_norm(kMaxNorm, {0, 1, 2});
  absl::StatusOr<Output> h =
      layers::conv2d_transpose(d.root, d.input, 8, 3, o1);
  if (!h.ok()) {
    d.status = h.status();
    return;
  }
  layers::Conv2DTransposeOptions frozen;
  frozen.trainable = false;
  frozen.name = "frozen";
  frozen.bias_initializer = initializers::constant(0.05);
  absl::StatusOr<Output> f = layers::conv2d_transpose(d.root, *h, 8, 1, frozen);
  if (!f.ok()) {
    d.status = f.status();
    return;
  }
  layers::Conv2DTransposeOptions o2;
  o2.strides = 2;
  o2.padding = "same";
  absl::StatusOr<Output> y = layers::conv2d_transpose(d.root, *f, 1, 3, o2);
  if (!y.ok()) {
    d.status = y.status();
    return;
  }
  d.loss = losses::mean_squared_error(
      d.root, ops::Const(d.root.WithOpName("target"), TargetTensor()), *y);
  if (!d.loss.ok()) {
    d.status = d.loss.status();
    return;
  }
  absl::StatusOr<VariableInfo> step = train::get_or_create_global_step(d.root);
  if (!step.ok()) {
    d.status = step.status();
    return;
  }
  std::unique_ptr<train::Optimizer> opt;
  if (kind == Kind::kAdam) {
    opt = std::make_unique<train::AdamOptimizer>(0.01);
  } else {
    opt = std::make_unique<train::MomentumOptimizer>(0.05, 0.9);
  }
  absl::StatusOr<Operation> train =
      opt->minimize(d.root, d.loss, std::nullopt, &*step);
  if (!train.ok()) {
    d.status = train.status();
    return;
  }
  d.train = *train;
  d.status = absl::OkStatus();
}

// One step: the loss before the update (fetched in the same run).
absl::StatusOr<float> StepByName(Session& s, const std::string& train_op) {
  std::vector<Tensor> out;
  absl::Status st = s.Run({{"input", InputTensor()}},
                          {"mean_squared_error/value:0"}, {train_op}, &out);
  if (!st.ok()) return st;
  return out[0].data<float>()[0];
}

class TrainingE2ETest : public ::testing::TestWithParam<Kind> {};

TEST_P(TrainingE2ETest, LossDropsTenfold) {
  Decoder d;
  Build(d, GetParam(), /*constrained=*/false);
  ASSERT_TRUE(d.status.ok()) << d.status;
  Session s(&d.graph);
  ASSERT_TRUE(s.Run({}, {}, {global_variables_initializer(d.root)}).ok());
  const std::string train_name = d.train.name();
  std::vector<float> losses;
  for (int i = 0; i < 300; ++i) {
    absl::StatusOr<float> l = StepByName(s, train_name);
    ASSERT_TRUE(l.ok()) << l.status();
    losses.push_back(*l);
  }
  std::printf("%s: loss %.6g -> %.6g (steps 0, 299)\n",
              GetParam() == Kind::kAdam ? "Adam" : "Momentum", losses.front(),
              losses.back());
  EXPECT_GE(losses.front() / losses.back(), 10.0)
      << losses.front() << " -> " << losses.back();
  auto step = s.VariableValue("global_step");
  ASSERT_TRUE(step.ok());
  EXPECT_EQ(step->data<int64_t>()[0], 300);
}

TEST_P(TrainingE2ETest, ConstraintFrozenLayerAndResumeFromCheckpoint) {
  Decoder d;
  Build(d, GetParam(), /*constrained=*/true);
  ASSERT_TRUE(d.status.ok()) << d.status;
  const VariableInfo* kernel = d.graph.FindVariable("conv2d_transpose/kernel");
  ASSERT_NE(kernel, nullptr);
  EXPECT_EQ(kernel->constraint_spec, "max_norm(max_value=0.8,axis=[0,1,2])");
  ASSERT_EQ(trainable_variables(d.graph).size(), 4u);  // frozen/* excluded.

  Session s(&d.graph);
  ASSERT_TRUE(s.Run({}, {}, {global_variables_initializer(d.root)}).ok());
  auto frozen_k = s.VariableValue("frozen/kernel");
  auto frozen_b = s.VariableValue("frozen/bias");
  ASSERT_TRUE(frozen_k.ok() && frozen_b.ok());
  auto k0 = s.VariableValue("conv2d_transpose/kernel");
  ASSERT_TRUE(k0.ok());
  double max0 = 0;
  for (double n : Norms(*k0, {0, 1, 2})) max0 = std::max(max0, n);
  // The glorot init exceeds the bound, so the constraint really acts.
  EXPECT_GT(max0, kMaxNorm);

  const std::string train_name = d.train.name();
  const int kSaveAt = 40, kMore = 25;
  std::vector<float> losses;
  const std::string dir = TempDir();
  const std::string ckpt = dir + "/model.npz";
  tensorflow::MetaGraphDef meta;
  for (int i = 0; i < kSaveAt + kMore; ++i) {
    if (i == kSaveAt) {
      ASSERT_TRUE(train::Saver(&d.graph).save(s, ckpt).ok());
      ASSERT_TRUE(ExportMetaGraphDef(d.graph, &meta).ok());
    }
    absl::StatusOr<float> l = StepByName(s, train_name);
    ASSERT_TRUE(l.ok()) << l.status();
    losses.push_back(*l);
    auto k = s.VariableValue("conv2d_transpose/kernel");
    ASSERT_TRUE(k.ok());
    for (double n : Norms(*k, {0, 1, 2})) {
      ASSERT_LE(n, kMaxNorm + 1e-5) << "after step " << i;
    }
  }
  std::printf("%s + max_norm: loss %.6g -> %.6g\n",
              GetParam() == Kind::kAdam ? "Adam" : "Momentum", losses.front(),
              losses.back());
  EXPECT_LT(losses.back(), losses.front());
  // The trainable=false layer is bit-identical.
  auto fk = s.VariableValue("frozen/kernel");
  auto fb = s.VariableValue("frozen/bias");
  ASSERT_TRUE(fk.ok() && fb.ok());
  EXPECT_EQ(std::memcmp(fk->raw_data(), frozen_k->raw_data(), fk->TotalBytes()),
            0);
  EXPECT_EQ(std::memcmp(fb->raw_data(), frozen_b->raw_data(), fb->TotalBytes()),
            0);

  // A fresh graph from the MetaGraphDef, the checkpoint restored, the
  // exported train op run by name.
  Graph g2;
  ImportOptions io;
  io.make_constraint =
      [](const std::string& spec) -> absl::StatusOr<ConstraintFn> {
    absl::StatusOr<Constraint> c = ConstraintFromSpec(spec);
    if (!c.ok()) return c.status();
    return ConstraintFn(c->fn);
  };
  ASSERT_TRUE(ImportMetaGraphDef(meta, &g2, io).ok());
  const VariableInfo* k2 = g2.FindVariable("conv2d_transpose/kernel");
  ASSERT_NE(k2, nullptr);
  EXPECT_TRUE(static_cast<bool>(k2->constraint));
  ASSERT_NE(g2.FindNode(train_name), nullptr);
  Session s2(&g2);
  ASSERT_TRUE(train::Saver(&g2).restore(s2, ckpt).ok());
  for (int i = 0; i < kMore; ++i) {
    absl::StatusOr<float> l = StepByName(s2, train_name);
    ASSERT_TRUE(l.ok()) << l.status();
    // Same state, same graph, same plan order: bit-identical losses.
    EXPECT_EQ(*l, losses[kSaveAt + i]) << "resumed step " << i;
  }
  auto step = s2.VariableValue("global_step");
  ASSERT_TRUE(step.ok());
  EXPECT_EQ(step->data<int64_t>()[0], kSaveAt + kMore);
  auto ka = s.VariableValue("conv2d_transpose/kernel");
  auto kb = s2.VariableValue("conv2d_transpose/kernel");
  ASSERT_TRUE(ka.ok() && kb.ok());
  double max_diff = 0;
  for (int64_t i = 0; i < ka->num_elements(); ++i) {
    max_diff = std::max(max_diff,
                        std::abs(ka->ValueAsDouble(i) - kb->ValueAsDouble(i)));
  }
  EXPECT_EQ(max_diff, 0.0);
}

INSTANTIATE_TEST_SUITE_P(Optimizers, TrainingE2ETest,
                         ::testing::Values(Kind::kAdam, Kind::kMomentum),
                         [](const ::testing::TestParamInfo<Kind>& info) {
                           return info.param == Kind::kAdam ? "Adam"
                                                            : "Momentum";
                         });

}  // namespace
}  // namespace flowlet
