// Small helpers of the optimizer / saver / end-to-end tests.
#ifndef FLOWLET_TESTS_TRAIN_TRAIN_TEST_UTIL_H_
#define FLOWLET_TESTS_TRAIN_TRAIN_TEST_UTIL_H_

#include <cmath>
#include <string>
#include <vector>

#include "flowlet/flowlet.h"
#include "gtest/gtest.h"

namespace flowlet {
namespace train_test {

// The values of a float or double tensor, as doubles.
inline std::vector<double> AsDoubles(const Tensor& t) {
  std::vector<double> v(t.num_elements());
  for (int64_t i = 0; i < t.num_elements(); ++i) v[i] = t.ValueAsDouble(i);
  return v;
}

// Norms over axis set `axes` (keepdims) of a rank-4 float tensor, one per
// remaining index, as Keras' MaxNorm computes them.
inline std::vector<double> Norms(const Tensor& w,
                                 const std::vector<int>& axes) {
  const TensorShape& s = w.shape();
  const int r = s.rank();
  std::vector<bool> reduced(r, false);
  for (int a : axes) reduced[a] = true;
  std::vector<int64_t> strides(r, 1);
  for (int i = r - 2; i >= 0; --i) strides[i] = strides[i + 1] * s.dim(i + 1);
  std::vector<int64_t> out_dims;
  for (int i = 0; i < r; ++i) out_dims.push_back(reduced[i] ? 1 : s.dim(i));
  int64_t out_n = 1;
  for (int64_t d : out_dims) out_n *= d;
  std::vector<double> sums(out_n, 0.0);
  for (int64_t i = 0; i < w.num_elements(); ++i) {
    int64_t rem = i, o = 0;
    for (int d = 0; d < r; ++d) {
      const int64_t idx = rem / strides[d];
      rem %= strides[d];
      o = o * out_dims[d] + (reduced[d] ? 0 : idx);
    }
    const double x = w.ValueAsDouble(i);
    sums[o] += x * x;
  }
  for (double& x : sums) x = std::sqrt(x);
  return sums;
}

inline std::string TempDir() {
  const char* t = std::getenv("TEST_TMPDIR");
  std::string tmpl = std::string(t != nullptr ? t : "/tmp") + "/train.XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  return std::string(::mkdtemp(buf.data()));
}

}  // namespace train_test
}  // namespace flowlet

#endif  // FLOWLET_TESTS_TRAIN_TRAIN_TEST_UTIL_H_
