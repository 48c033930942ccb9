// Constraints: each formula against a naive loop (axis 0 and {0, 1, 2} on a
// transposed-convolution kernel), RadialConstraint against a transliteration
// of Keras' algorithm, specs and their round trip, identifiers.
#include "flowlet/layers/constraints.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "flowlet/graph.h"
#include "flowlet/ops/array_ops.h"
#include "flowlet/scope.h"
#include "gtest/gtest.h"
#include "tests/core/status_test_util.h"
#include "tests/layers/layers_test_util.h"

namespace flowlet {
namespace {

using layers_test::Evaluate;
using layers_test::RandomFloats;
using layers_test::Values;
using testing_util::IsError;

constexpr double kEps = 1e-7;

// norms = sqrt(sum over `axes` of w^2), broadcast back to every element.
std::vector<double> NaiveNorms(const Tensor& w, std::vector<int> axes) {
  const std::vector<int64_t>& dims = w.shape().dims();
  const int rank = static_cast<int>(dims.size());
  std::set<int> reduced;
  for (int a : axes) reduced.insert(a < 0 ? a + rank : a);
  // The element's multi-index with the reduced axes set to 0, as a number
  // (dims are < 1000).
  auto key_of = [&](int64_t flat) {
    int64_t key = 0;
    for (int d = rank - 1; d >= 0; --d) {
      const int64_t i = flat % dims[d];
      flat /= dims[d];
      key = key * 1000 + (reduced.count(d) ? 0 : i);
    }
    return key;
  };
  std::map<int64_t, double> sums;
  for (int64_t i = 0; i < w.num_elements(); ++i) {
    sums[key_of(i)] += w.ValueAsDouble(i) * w.ValueAsDouble(i);
  }
  std::vector<double> norms(w.num_elements());
  for (int64_t i = 0; i < w.num_elements(); ++i) {
    norms[i] = std::sqrt(sums[key_of(i)]);
  }
  return norms;
}

double Clip(double x, double lo, double hi) {
  if (hi < lo) hi = lo;
  return std::min(std::max(x, lo), hi);
}

std::vector<double> NaiveMinMaxNorm(const Tensor& w, double lo, double hi,
                                    double rate, const std::vector<int>& axes) {
  const std::vector<double> norms = NaiveNorms(w, axes);
  std::vector<double> out(w.num_elements());
  for (int64_t i = 0; i < w.num_elements(); ++i) {
    const double desired =
        rate * Clip(norms[i], lo, hi) + (1 - rate) * norms[i];
    out[i] = w.ValueAsDouble(i) * desired / (kEps + norms[i]);
  }
  return out;
}

std::vector<double> NaiveMaxNorm(const Tensor& w, double max_value,
                                 const std::vector<int>& axes) {
  const std::vector<double> norms = NaiveNorms(w, axes);
  std::vector<double> out(w.num_elements());
  for (int64_t i = 0; i < w.num_elements(); ++i) {
    out[i] =
        w.ValueAsDouble(i) * Clip(norms[i], 0, max_value) / (kEps + norms[i]);
  }
  return out;
}

std::vector<double> NaiveUnitNorm(const Tensor& w,
                                  const std::vector<int>& axes) {
  const std::vector<double> norms = NaiveNorms(w, axes);
  std::vector<double> out(w.num_elements());
  for (int64_t i = 0; i < w.num_elements(); ++i) {
    out[i] = w.ValueAsDouble(i) / (kEps + norms[i]);
  }
  return out;
}

::testing::AssertionResult Near(const std::vector<double>& actual,
                                const std::vector<double>& expected,
                                double tolerance = 1e-5) {
  if (actual.size() != expected.size()) {
    return ::testing::AssertionFailure()
           << actual.size() << " values, expected " << expected.size();
  }
  for (size_t i = 0; i < actual.size(); ++i) {
    if (!(std::fabs(actual[i] - expected[i]) <=
          tolerance * (1 + std::fabs(expected[i])))) {
      return ::testing::AssertionFailure()
             << "element " << i << ": " << actual[i] << " vs expected "
             << expected[i];
    }
  }
  return ::testing::AssertionSuccess();
}

class ConstraintsTest : public ::testing::Test {
 protected:
  Graph graph_;
  Scope root_ = Scope::NewRootScope(&graph_);
  // A transposed-convolution kernel (kh, kw, filters, in).
  Tensor kernel_ = RandomFloats({3, 3, 2, 4}, 5, -1.5f, 1.5f);

  std::vector<double> Apply(const Constraint& c, const Tensor& w) {
    Output out = c(root_, ops::Const(root_, w));
    EXPECT_TRUE(out.ok()) << out.status();
    if (!out.ok()) return {};
    EXPECT_EQ(out.shape(), w.shape());
    EXPECT_EQ(out.dtype(), w.dtype());
    absl::StatusOr<Tensor> t = Evaluate(out);
    EXPECT_TRUE(t.ok()) << t.status();
    return t.ok() ? Values(*t) : std::vector<double>{};
  }
};

TEST_F(ConstraintsTest, MaxNorm) {
  EXPECT_TRUE(Near(Apply(constraints::max_norm(), kernel_),
                   NaiveMaxNorm(kernel_, 2, {0})));
  EXPECT_TRUE(Near(Apply(constraints::max_norm(1.0, {0}), kernel_),
                   NaiveMaxNorm(kernel_, 1.0, {0})));
  // Per input channel of the transposed kernel; some norms clipped, some not.
  const std::vector<double> norms = NaiveNorms(kernel_, {0, 1, 2});
  const double mid = (*std::min_element(norms.begin(), norms.end()) +
                      *std::max_element(norms.begin(), norms.end())) /
                     2;
  EXPECT_TRUE(Near(Apply(constraints::max_norm(mid, {0, 1, 2}), kernel_),
                   NaiveMaxNorm(kernel_, mid, {0, 1, 2})));
  // A negative max clips to 0 (hi < lo becomes lo).
  for (double v : Apply(constraints::max_norm(-1), kernel_)) {
    ASSERT_EQ(v, 0.0);
  }
}

TEST_F(ConstraintsTest, UnitNorm) {
  EXPECT_TRUE(Near(Apply(constraints::unit_norm(), kernel_),
                   NaiveUnitNorm(kernel_, {0})));
  const std::vector<double> out =
      Apply(constraints::unit_norm({0, 1, 2}), kernel_);
  EXPECT_TRUE(Near(out, NaiveUnitNorm(kernel_, {0, 1, 2})));
  // Each input channel now has norm 1.
  Tensor t = Tensor::FromVector<float>(
      std::vector<float>(out.begin(), out.end()), kernel_.shape());
  for (double n : NaiveNorms(t, {0, 1, 2})) EXPECT_NEAR(n, 1.0, 1e-5);
  // Negative axes count from the end.
  EXPECT_TRUE(Near(Apply(constraints::unit_norm({-1}), kernel_),
                   NaiveUnitNorm(kernel_, {3})));
}

TEST_F(ConstraintsTest, MinMaxNorm) {
  EXPECT_TRUE(Near(Apply(constraints::min_max_norm(), kernel_),
                   NaiveMinMaxNorm(kernel_, 0, 1, 1, {0})));
  EXPECT_TRUE(
      Near(Apply(constraints::min_max_norm(0.5, 1.5, 0.7, {0}), kernel_),
           NaiveMinMaxNorm(kernel_, 0.5, 1.5, 0.7, {0})));
  EXPECT_TRUE(
      Near(Apply(constraints::min_max_norm(2.0, 3.0, 0.25, {0, 1, 2}), kernel_),
           NaiveMinMaxNorm(kernel_, 2.0, 3.0, 0.25, {0, 1, 2})));
}

TEST_F(ConstraintsTest, NonNeg) {
  const std::vector<double> out = Apply(constraints::non_neg(), kernel_);
  ASSERT_EQ(out.size(), static_cast<size_t>(kernel_.num_elements()));
  for (int64_t i = 0; i < kernel_.num_elements(); ++i) {
    const double w = kernel_.ValueAsDouble(i);
    EXPECT_EQ(out[i], w >= 0 ? w : 0.0) << i;
  }
  Tensor ints = Tensor::Vector<int32_t>({-3, 0, 4});
  EXPECT_EQ(Apply(constraints::non_neg(), ints),
            (std::vector<double>{0, 0, 4}));
}

TEST_F(ConstraintsTest, DoubleWeights) {
  Tensor w(DT_DOUBLE, {2, 3});
  for (int i = 0; i < 6; ++i) w.data<double>()[i] = i - 2.5;
  EXPECT_TRUE(Near(Apply(constraints::max_norm(1.5, {1}), w),
                   NaiveMaxNorm(w, 1.5, {1}), 1e-12));
}

// Keras' RadialConstraint._kernel_constraint on one (n, n) slice, literally:
// the center (1x1 for odd n, 2x2 for even n) takes kernel[start - 1, start -
// 1], then each pad ring takes kernel[start + i, start + i].
std::vector<std::vector<double>> KerasRadial(
    const std::vector<std::vector<double>>& kernel) {
  const int n = static_cast<int>(kernel.size());
  const int start = n / 2;
  std::vector<std::vector<double>> block;
  int index;
  if (n % 2 == 1) {
    block = {{kernel[start - 1][start - 1]}};
    index = 0;
  } else {
    const double v = kernel[start - 1][start - 1];
    block = {{v, v}, {v, v}};
    index = 1;
  }
  while (index < start) {
    const double pad = kernel[start + index][start + index];
    const int m = static_cast<int>(block.size());
    std::vector<std::vector<double>> bigger(m + 2,
                                            std::vector<double>(m + 2, pad));
    for (int p = 0; p < m; ++p) {
      for (int q = 0; q < m; ++q) bigger[p + 1][q + 1] = block[p][q];
    }
    block = bigger;
    ++index;
  }
  return block;
}

TEST_F(ConstraintsTest, RadialConstraintMatchesKeras) {
  for (int n : {2, 3, 4, 5, 6, 7}) {
    SCOPED_TRACE(n);
    const int channels = 2, kernels = 3;
    Tensor w(DT_FLOAT, {n, n, channels, kernels});
    for (int64_t i = 0; i < w.num_elements(); ++i) {
      w.data<float>()[i] = static_cast<float>(i);
    }
    const std::vector<double> out = Apply(constraints::radial_constraint(), w);
    ASSERT_EQ(out.size(), static_cast<size_t>(w.num_elements()));
    for (int c = 0; c < channels; ++c) {
      for (int k = 0; k < kernels; ++k) {
        auto at = [&](int p, int q) {
          return ((p * n + q) * channels + c) * kernels + k;
        };
        std::vector<std::vector<double>> slice(n, std::vector<double>(n));
        for (int p = 0; p < n; ++p) {
          for (int q = 0; q < n; ++q) slice[p][q] = w.ValueAsDouble(at(p, q));
        }
        const std::vector<std::vector<double>> expected = KerasRadial(slice);
        std::set<double> distinct;
        for (int p = 0; p < n; ++p) {
          for (int q = 0; q < n; ++q) {
            EXPECT_EQ(out[at(p, q)], expected[p][q]) << p << "," << q;
            distinct.insert(out[at(p, q)]);
          }
        }
        // Keras' own test: ceil(n / 2) distinct values, one per ring.
        EXPECT_EQ(distinct.size(), static_cast<size_t>((n + 1) / 2));
      }
    }
  }
}

TEST_F(ConstraintsTest, RadialConstraintErrors) {
  Output rank3 = ops::Const(root_, RandomFloats({3, 3, 2}, 1));
  EXPECT_TRUE(IsError(
      constraints::radial_constraint()(root_, rank3).status(),
      absl::StatusCode::kInvalidArgument,
      {"The weight tensor must be of rank 4, but is of shape: (3, 3, 2)"}));
  Output rect = ops::Const(root_, RandomFloats({3, 4, 2, 2}, 1));
  EXPECT_TRUE(IsError(constraints::radial_constraint()(root_, rect).status(),
                      absl::StatusCode::kInvalidArgument,
                      {"square", "(3, 4, 2, 2)"}));
  Output one = ops::Const(root_, RandomFloats({1, 1, 2, 2}, 1));
  EXPECT_TRUE(IsError(constraints::radial_constraint()(root_, one).status(),
                      absl::StatusCode::kInvalidArgument, {"at least 2"}));
}

TEST_F(ConstraintsTest, NormConstraintsNeedFloatingWeights) {
  Output ints = ops::Const(root_, std::vector<int32_t>{1, 2});
  EXPECT_TRUE(IsError(constraints::max_norm()(root_, ints).status(),
                      absl::StatusCode::kInvalidArgument,
                      {"max_norm", "floating point", "int32"}));
  Output bad(absl::InvalidArgumentError("upstream"));
  EXPECT_TRUE(IsError(constraints::unit_norm()(root_, bad).status(),
                      absl::StatusCode::kInvalidArgument, {"upstream"}));
}

TEST(ConstraintSpecTest, CanonicalTexts) {
  EXPECT_EQ(constraints::max_norm().spec, "max_norm(max_value=2,axis=0)");
  EXPECT_EQ(constraints::max_norm(0.5, {0, 1, 2}).spec,
            "max_norm(max_value=0.5,axis=[0,1,2])");
  EXPECT_EQ(constraints::non_neg().spec, "non_neg()");
  EXPECT_EQ(constraints::unit_norm().spec, "unit_norm(axis=0)");
  EXPECT_EQ(constraints::unit_norm({}).spec, "unit_norm(axis=[])");
  EXPECT_EQ(constraints::min_max_norm().spec,
            "min_max_norm(min_value=0,max_value=1,rate=1,axis=0)");
  EXPECT_EQ(constraints::min_max_norm(0.1, 2.5, 0.3, {-1}).spec,
            "min_max_norm(min_value=0.1,max_value=2.5,rate=0.3,axis=-1)");
  EXPECT_EQ(constraints::radial_constraint().spec, "radial_constraint()");
  Constraint c = constraints::custom([](const Scope&, Output w) { return w; });
  EXPECT_EQ(c.spec, "custom");
  EXPECT_TRUE(static_cast<bool>(c));
  EXPECT_FALSE(static_cast<bool>(Constraint()));
}

TEST(ConstraintSpecTest, EveryBuiltInRoundTrips) {
  const std::vector<Constraint> all = {
      constraints::max_norm(),
      constraints::max_norm(0.1, {0, 1, 2}),
      constraints::max_norm(1.0 / 3.0, {}),
      constraints::non_neg(),
      constraints::unit_norm(),
      constraints::unit_norm({1, -1}),
      constraints::min_max_norm(),
      constraints::min_max_norm(0.25, 1e-3, 0.3, {0, 1, 2}),
      constraints::radial_constraint(),
  };
  Tensor w = RandomFloats({3, 3, 2, 4}, 9);
  for (const Constraint& c : all) {
    SCOPED_TRACE(c.spec);
    absl::StatusOr<Constraint> back = ConstraintFromSpec(c.spec);
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(back->spec, c.spec);
    // Same graph, same numbers.
    Graph g;
    Scope root = Scope::NewRootScope(&g);
    Output x = ops::Const(root, w);
    absl::StatusOr<Tensor> a = Evaluate(c(root, x));
    absl::StatusOr<Tensor> b = Evaluate((*back)(root, x));
    ASSERT_TRUE(a.ok()) << a.status();
    ASSERT_TRUE(b.ok()) << b.status();
    EXPECT_EQ(Values(*a), Values(*b));
  }
}

TEST(ConstraintSpecTest, LenientForms) {
  absl::StatusOr<Constraint> c = ConstraintFromSpec("max_norm");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->spec, "max_norm(max_value=2,axis=0)");
  c = ConstraintFromSpec(" max_norm( axis = [1, 2] , max_value = 3 ) ");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->spec, "max_norm(max_value=3,axis=[1,2])");
  c = ConstraintFromSpec("MinMaxNorm(rate=0.5)");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->spec, "min_max_norm(min_value=0,max_value=1,rate=0.5,axis=0)");
  c = ConstraintFromSpec("unitnorm(axis=[2])");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->spec, "unit_norm(axis=2)");
}

TEST(ConstraintSpecTest, MalformedSpecsAreRefused) {
  for (const char* spec :
       {"", "()", "foo()", "max_norm(max_value=abc)", "max_norm(bogus=1)",
        "max_norm(max_value=1,max_value=2)", "max_norm(max_value=1",
        "max_norm(max_value)", "max_norm(axis=[0,x])", "max_norm(axis=[0",
        "non_neg(axis=0)", "unit_norm(axis=1.5)", "custom",
        "radial_constraint(x=1)"}) {
    SCOPED_TRACE(spec);
    EXPECT_TRUE(IsError(ConstraintFromSpec(spec),
                        absl::StatusCode::kInvalidArgument,
                        {"invalid constraint spec '"}));
  }
  EXPECT_TRUE(IsError(ConstraintFromSpec("custom"),
                      absl::StatusCode::kInvalidArgument, {"custom"}));
  EXPECT_TRUE(IsError(ConstraintFromSpec("max_norm(rate=1)"),
                      absl::StatusCode::kInvalidArgument,
                      {"'max_norm' has no parameter 'rate'"}));
}

TEST(GetConstraintTest, KerasIdentifiers) {
  const std::map<std::string, std::string> ids = {
      {"max_norm", "max_norm(max_value=2,axis=0)"},
      {"maxnorm", "max_norm(max_value=2,axis=0)"},
      {"MaxNorm", "max_norm(max_value=2,axis=0)"},
      {"non_neg", "non_neg()"},
      {"nonneg", "non_neg()"},
      {"unit_norm", "unit_norm(axis=0)"},
      {"unitnorm", "unit_norm(axis=0)"},
      {"min_max_norm", "min_max_norm(min_value=0,max_value=1,rate=1,axis=0)"},
      {"radial_constraint", "radial_constraint()"},
  };
  for (const auto& [id, spec] : ids) {
    absl::StatusOr<Constraint> c = GetConstraint(id);
    ASSERT_TRUE(c.ok()) << id << ": " << c.status();
    EXPECT_EQ(c->spec, spec);
    EXPECT_TRUE(static_cast<bool>(*c));
  }
  absl::StatusOr<Constraint> none = GetConstraint("");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(static_cast<bool>(*none));
  for (const char* bad : {"max_norm(max_value=3)", "maxNorm", "l2"}) {
    absl::Status s = GetConstraint(bad).status();
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(s.message(),
              std::string("Could not interpret constraint identifier: ") + bad);
  }
}

}  // namespace
}  // namespace flowlet
