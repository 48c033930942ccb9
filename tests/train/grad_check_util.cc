#include "tests/train/grad_check_util.h"

#include <cmath>
#include <random>

#include "flowlet/ops/array_ops.h"
#include "flowlet/session.h"
#include "flowlet/train/gradients.h"

namespace flowlet {
namespace grad_check {
namespace {

void Set(Tensor& t, int64_t i, double v) {
  if (t.dtype() == DT_DOUBLE) {
    t.data<double>()[i] = v;
  } else {
    t.data<float>()[i] = static_cast<float>(v);
  }
}

Tensor Copy(const Tensor& t) {
  Tensor c(t.dtype(), t.shape());
  for (int64_t i = 0; i < t.num_elements(); ++i) Set(c, i, Get(t, i));
  return c;
}

}  // namespace

double Get(const Tensor& t, int64_t i) {
  return t.dtype() == DT_DOUBLE ? t.data<double>()[i]
                                : static_cast<double>(t.data<float>()[i]);
}

Tensor Random(DataType dtype, const TensorShape& shape, uint32_t seed,
              double lo, double hi, double min_abs) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> dist(lo, hi);
  Tensor t(dtype, shape);
  for (int64_t i = 0; i < t.num_elements(); ++i) {
    double v = dist(gen);
    if (std::abs(v) < min_abs) v = v < 0 ? -min_abs : min_abs;
    Set(t, i, v);
  }
  return t;
}

::testing::AssertionResult CheckGradients(
    const Scope& scope, const Output& y, const std::vector<Output>& xs,
    const std::vector<std::pair<Output, Tensor>>& feeds,
    const Options& options) {
  if (!y.ok()) return ::testing::AssertionFailure() << "y: " << y.status();
  // The forward value gives w's shape; w is fed through a placeholder so the
  // same graph serves every run.
  std::vector<Tensor> out;
  {
    Session probe(scope.graph());
    absl::Status s = probe.Run(feeds, {y}, {}, &out);
    if (!s.ok()) return ::testing::AssertionFailure() << "forward: " << s;
  }
  const Tensor w =
      Random(out[0].dtype(), out[0].shape(), options.seed + 1000, -1, 1, 0);
  const Output w_const = ops::Const(scope.NewSubScope("grad_check"), w);
  absl::StatusOr<std::vector<Output>> grads =
      gradients(scope, {y}, xs, {w_const});
  if (!grads.ok())
    return ::testing::AssertionFailure() << "gradients: " << grads.status();
  std::vector<Output> fetch;
  for (size_t i = 0; i < xs.size(); ++i) {
    if ((*grads)[i].empty())
      return ::testing::AssertionFailure() << "no gradient for x" << i;
    if (!(*grads)[i].ok())
      return ::testing::AssertionFailure() << (*grads)[i].status();
    fetch.push_back((*grads)[i]);
  }
  Session session(scope.graph());
  std::vector<Tensor> symbolic;
  absl::Status s = session.Run(feeds, fetch, {}, &symbolic);
  if (!s.ok())
    return ::testing::AssertionFailure() << "running the gradients: " << s;
  auto loss = [&](const std::vector<std::pair<Output, Tensor>>& f,
                  double* l) -> absl::Status {
    std::vector<Tensor> o;
    absl::Status st = session.Run(f, {y}, {}, &o);
    if (!st.ok()) return st;
    double sum = 0;
    for (int64_t i = 0; i < o[0].num_elements(); ++i)
      sum += Get(o[0], i) * Get(w, i);
    *l = sum;
    return absl::OkStatus();
  };
  for (size_t k = 0; k < xs.size(); ++k) {
    int feed_index = -1;
    for (size_t f = 0; f < feeds.size(); ++f) {
      if (feeds[f].first == xs[k]) feed_index = static_cast<int>(f);
    }
    if (feed_index < 0)
      return ::testing::AssertionFailure() << "x" << k << " is not fed";
    const Tensor& x0 = feeds[feed_index].second;
    if (symbolic[k].shape() != x0.shape()) {
      return ::testing::AssertionFailure()
             << "gradient " << k << " has shape "
             << symbolic[k].shape().DebugString() << ", x has "
             << x0.shape().DebugString();
    }
    for (int64_t i = 0; i < x0.num_elements(); ++i) {
      std::vector<std::pair<Output, Tensor>> f = feeds;
      double lp = 0, lm = 0;
      f[feed_index].second = Copy(x0);
      Set(f[feed_index].second, i, Get(x0, i) + options.delta);
      s = loss(f, &lp);
      if (!s.ok()) return ::testing::AssertionFailure() << s;
      f[feed_index].second = Copy(x0);
      Set(f[feed_index].second, i, Get(x0, i) - options.delta);
      s = loss(f, &lm);
      if (!s.ok()) return ::testing::AssertionFailure() << s;
      const double numeric = (lp - lm) / (2 * options.delta);
      const double got = Get(symbolic[k], i);
      if (!(std::abs(got - numeric) <=
            options.tolerance * (1 + std::abs(numeric)))) {
        return ::testing::AssertionFailure()
               << "x" << k << "[" << i << "]: symbolic " << got
               << " vs numeric " << numeric;
      }
    }
  }
  return ::testing::AssertionSuccess();
}

}  // namespace grad_check
}  // namespace flowlet
