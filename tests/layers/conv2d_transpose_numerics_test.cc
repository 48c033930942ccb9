// conv2d_transpose numbers: the Keras suite's shapes and values, and results
// against a naive reference for many geometries, both layouts and every
// activation.
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "flowlet/execution_mode.h"
#include "flowlet/graph.h"
#include "flowlet/layers/conv2d_transpose.h"
#include "flowlet/ops/array_ops.h"
#include "flowlet/ops/math_ops.h"
#include "flowlet/scope.h"
#include "flowlet/session.h"
#include "flowlet/variables.h"
#include "gtest/gtest.h"
#include "tests/core/status_test_util.h"
#include "tests/layers/conv2d_transpose_reference.h"

namespace flowlet {
namespace layers {
namespace {

using testing_util::IsError;

Output Images(const Scope& s, const TensorShape& shape,
              DataType dtype = DT_FLOAT) {
  return ops::Placeholder(s.WithOpName("images"), dtype, shape);
}

using testing_util::RandomTensor;
using testing_util::ToVector;

// ---- Keras suite (layers/convolutional_transpose_test.py) shapes ----

TEST(Conv2DTransposeTest, KerasShapes) {
  struct Case {
    std::string name;
    Conv2DTransposeOptions options;
    TensorShape input, expected;
  };
  std::vector<Case> cases(7);
  cases[0] = {"padding_valid", {}, {2, 7, 6, 3}, {2, 9, 8, 2}};
  cases[1].name = "padding_same";
  cases[1].options.padding = "same";
  cases[1].input = {2, 7, 6, 3};
  cases[1].expected = {2, 7, 6, 2};
  cases[2].name = "strides";
  cases[2].options.strides = {2, 2};
  cases[2].input = {2, 7, 6, 3};
  cases[2].expected = {2, 15, 13, 2};
  cases[3].name = "data_format";
  cases[3].options.data_format = "channels_first";
  cases[3].input = {2, 7, 6, 3};
  cases[3].expected = {2, 2, 8, 5};
  cases[4].name = "strides_output_padding";
  cases[4].options.strides = {2, 2};
  cases[4].options.output_padding = {1, 1};
  cases[4].input = {2, 7, 6, 3};
  cases[4].expected = {2, 16, 14, 2};
  cases[5].name = "dilation";
  cases[5].options.padding = "same";
  cases[5].options.dilation_rate = {2, 2};
  cases[5].input = {2, 5, 6, 3};
  cases[5].expected = {2, 5, 6, 2};
  cases[6].name =
      "none_output_padding_same";  // tensorflow#50168: None gives 2n.
  cases[6].options.padding = "same";
  cases[6].options.strides = 2;
  cases[6].input = {1, 4, 4, 3};
  cases[6].expected = {1, 8, 8, 2};
  for (const Case& c : cases) {
    Graph g;
    Scope root = Scope::NewRootScope(&g);
    Output x = Images(root, c.input);
    absl::StatusOr<Output> y = conv2d_transpose(root, x, 2, {3, 3}, c.options);
    ASSERT_TRUE(y.ok()) << c.name << ": " << y.status();
    EXPECT_EQ(y->shape(), c.expected) << c.name;
    // The actual output has the static shape.
    Session session(&g);
    ASSERT_TRUE(session.Run({}, {}, {global_variables_initializer(root)}).ok())
        << c.name;
    std::vector<Tensor> out;
    absl::Status s =
        session.Run({{x, RandomTensor(c.input, 1)}}, {*y}, {}, &out);
    ASSERT_TRUE(s.ok()) << c.name << ": " << s;
    EXPECT_EQ(out[0].shape(), c.expected) << c.name;
  }
  // output_padding 0 on the same case gives 2n - 1 (tensorflow#50168).
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  Conv2DTransposeOptions o;
  o.padding = "same";
  o.strides = 2;
  o.output_padding = {0, 0};
  absl::StatusOr<Output> y =
      conv2d_transpose(root, Images(root, {1, 4, 4, 3}), 2, 3, o);
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_EQ(y->shape(), TensorShape({1, 7, 7, 2}));
}

TEST(Conv2DTransposeTest, KerasDilationValues) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  Output x = Images(root, {1, 4, 4, 3});
  Conv2DTransposeOptions o;
  o.padding = "same";
  o.dilation_rate = 2;
  o.kernel_initializer = initializers::ones();
  absl::StatusOr<Output> y = conv2d_transpose(root, x, 1, 3, o);
  ASSERT_TRUE(y.ok()) << y.status();
  std::vector<float> arange(48);
  for (int i = 0; i < 48; ++i) arange[i] = static_cast<float>(i);
  Session session(&g);
  ASSERT_TRUE(session.Run({}, {}, {global_variables_initializer(root)}).ok());
  std::vector<Tensor> out;
  ASSERT_TRUE(session
                  .Run({{x, Tensor::FromVector<float>(arange, {1, 4, 4, 3})}},
                       {*y}, {}, &out)
                  .ok());
  EXPECT_EQ(out[0].shape(), TensorShape({1, 4, 4, 1}));
  EXPECT_EQ(ToVector(out[0]),
            (std::vector<float>{192, 228, 192, 228, 336, 372, 336, 372, 192,
                                228, 192, 228, 336, 372, 336, 372}));
}

TEST(Conv2DTransposeTest, KerasRegularizers) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  Conv2DTransposeOptions o;
  o.kernel_regularizer = regularizers::l2();
  o.bias_regularizer = regularizers::l2();
  o.activity_regularizer = regularizers::l2();
  Output x = Images(root, {-1, 5, 5, 2});
  absl::StatusOr<Output> y = conv2d_transpose(root, x, 3, 3, o);
  ASSERT_TRUE(y.ok()) << y.status();
  const std::vector<Output>& losses =
      g.GetCollection(GraphKeys::kRegularizationLosses);
  ASSERT_EQ(losses.size(), 3u);
  Session session(&g);
  ASSERT_TRUE(session.Run({}, {}, {global_variables_initializer(root)}).ok());
  Tensor ones(DT_FLOAT, {1, 5, 5, 2});
  for (int i = 0; i < 50; ++i) ones.data<float>()[i] = 1.0f;
  std::vector<Tensor> out;
  ASSERT_TRUE(
      session.Run({{x, ones}}, {losses[0], losses[2], *y}, {}, &out).ok());
  double k2 = 0;
  for (float v : ToVector(*session.VariableValue("conv2d_transpose/kernel")))
    k2 += v * v;
  EXPECT_NEAR(out[0].data<float>()[0], 0.01 * k2, 1e-5);
  double a2 = 0;
  for (float v : ToVector(out[2])) a2 += v * v;
  EXPECT_NEAR(out[1].data<float>()[0], 0.01 * a2 / 1.0, 1e-4);
}

// ---- Numbers against the naive reference ----

struct NumericCase {
  testing_util::DeconvProblem p;
  std::string activation;
};

void CheckAgainstReference(const NumericCase& c, bool channels_first) {
  const testing_util::DeconvProblem& p = c.p;
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  TensorShape in_shape = channels_first ? TensorShape({-1, p.c, p.h, p.w})
                                        : TensorShape({-1, p.h, p.w, p.c});
  Output x = Images(root, in_shape);
  Conv2DTransposeOptions o;
  o.strides = {p.sh, p.sw};
  o.dilation_rate = {p.dh, p.dw};
  o.padding = p.same ? "same" : "valid";
  o.data_format = channels_first ? "channels_first" : "channels_last";
  o.kernel_initializer = initializers::random_uniform(-1.0f, 1.0f, 3);
  o.bias_initializer = initializers::random_uniform(-1.0f, 1.0f, 4);
  if (!c.activation.empty()) {
    absl::StatusOr<Activation> act = activations::Get(
        c.activation == "LeakyRelu" ? "leaky_relu"
                                    : absl::AsciiStrToLower(c.activation));
    ASSERT_TRUE(act.ok()) << act.status();
    o.activation = *act;
  }
  absl::StatusOr<Output> y = conv2d_transpose(root, x, p.f, {p.kh, p.kw}, o);
  ASSERT_TRUE(y.ok()) << y.status();
  Session session(&g);
  ASSERT_TRUE(session.Run({}, {}, {global_variables_initializer(root)}).ok());
  Tensor input = RandomTensor({p.n, p.h, p.w, p.c}, 11);
  std::vector<float> nhwc = ToVector(input);
  Tensor fed = channels_first
                   ? Tensor::FromVector<float>(
                         testing_util::NhwcToNchw(nhwc, p.n, p.h, p.w, p.c),
                         {p.n, p.c, p.h, p.w})
                   : input;
  std::vector<Tensor> out;
  absl::Status s = session.Run({{x, fed}}, {*y}, {}, &out);
  ASSERT_TRUE(s.ok()) << s;
  std::vector<float> kernel =
      ToVector(*session.VariableValue("conv2d_transpose/kernel"));
  std::vector<float> bias =
      ToVector(*session.VariableValue("conv2d_transpose/bias"));
  std::vector<double> ref =
      testing_util::ReferenceConv2DTranspose(p, nhwc, kernel);
  std::vector<float> ref_f(ref.size());
  for (size_t i = 0; i < ref.size(); ++i) {
    ref_f[i] = static_cast<float>(testing_util::ReferenceActivation(
        c.activation, ref[i] + bias[i % p.f]));
  }
  if (channels_first)
    ref_f = testing_util::NhwcToNchw(ref_f, p.n, p.oh, p.ow, p.f);
  TensorShape expected = channels_first ? TensorShape({p.n, p.f, p.oh, p.ow})
                                        : TensorShape({p.n, p.oh, p.ow, p.f});
  ASSERT_EQ(out[0].shape(), expected);
  std::vector<float> got = ToVector(out[0]);
  for (size_t i = 0; i < got.size(); ++i) {
    ASSERT_NEAR(got[i], ref_f[i], 1e-4 * (1 + std::abs(ref_f[i])))
        << "element " << i << (channels_first ? " NCHW" : " NHWC") << " k"
        << p.kh << "x" << p.kw << " s" << p.sh << "x" << p.sw
        << (p.same ? " same" : " valid") << " " << c.activation;
  }
}

std::vector<NumericCase> NumericCases() {
  auto out_len = [](int n, int k, int s, int d, bool same) {
    int eff = k + (k - 1) * (d - 1);
    return same ? n * s : n * s + std::max(eff - s, 0);
  };
  std::vector<NumericCase> cases;
  auto add = [&](int n, int h, int w, int c, int f, int kh, int kw, int sh,
                 int sw, bool same, std::string act, int d = 1) {
    testing_util::DeconvProblem p;
    p.n = n, p.h = h, p.w = w, p.c = c, p.f = f, p.kh = kh, p.kw = kw,
    p.sh = sh, p.sw = sw;
    p.dh = p.dw = d;
    p.same = same;
    p.oh = out_len(h, kh, sh, d, same);
    p.ow = out_len(w, kw, sw, d, same);
    cases.push_back({p, std::move(act)});
  };
  add(2, 5, 4, 3, 4, 3, 3, 2, 2, true, "");          // odd kernel, same
  add(1, 4, 4, 8, 6, 4, 4, 2, 2, true, "Relu");      // even kernel
  add(2, 3, 5, 4, 5, 3, 3, 1, 1, false, "Tanh");     // stride 1 valid
  add(1, 4, 3, 2, 3, 1, 1, 2, 2, false, "Sigmoid");  // k < stride (valid)
  add(1, 4, 3, 2, 3, 1, 1, 2, 2, true, "Elu");       // k < stride (same)
  add(1, 3, 3, 3, 2, 2, 2, 3, 3, true, "Relu6");     // k2 s3
  add(3, 4, 5, 3, 7, 3, 5, 2, 1, true,
      "LeakyRelu");  // non-square kernel and strides
  add(1, 6, 4, 5, 3, 5, 2, 1, 3, false, "Selu");
  add(2, 4, 4, 3, 2, 4, 4, 2, 2, false, "Softplus");
  add(1, 5, 5, 4, 4, 3, 3, 1, 1, true, "Softsign", 2);  // dilation 2
  add(2, 8, 8, 16, 16, 5, 5, 2, 2, true,
      "Relu");  // larger, blocked-layout friendly
  return cases;
}

TEST(Conv2DTransposeNumericsTest, ChannelsLastMatchesReference) {
  for (const NumericCase& c : NumericCases()) CheckAgainstReference(c, false);
}

TEST(Conv2DTransposeNumericsTest, ChannelsFirstMatchesReference) {
  for (const NumericCase& c : NumericCases()) CheckAgainstReference(c, true);
}

TEST(Conv2DTransposeNumericsTest, UnknownBatchAndSpatialSizes) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  Output x = Images(root, {-1, -1, 5, 3});
  Conv2DTransposeOptions o;
  o.strides = 2;
  o.kernel_initializer = initializers::ones();
  absl::StatusOr<Output> y = conv2d_transpose(root, x, 2, 3, o);
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_EQ(y->shape(), TensorShape({-1, -1, 11, 2}));
  Session session(&g);
  ASSERT_TRUE(session.Run({}, {}, {global_variables_initializer(root)}).ok());
  for (int batch : {1, 4}) {
    for (int h : {2, 6}) {
      std::vector<Tensor> out;
      ASSERT_TRUE(
          session.Run({{x, RandomTensor({batch, h, 5, 3}, 5)}}, {*y}, {}, &out)
              .ok());
      EXPECT_EQ(out[0].shape(), TensorShape({batch, h * 2 + 1, 11, 2}));
    }
  }
}

}  // namespace
}  // namespace layers
}  // namespace flowlet
