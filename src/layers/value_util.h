// Small helpers shared by the initializers, regularizers and constraints:
// constants of a given dtype and Python-style texts.
#ifndef FLOWLET_SRC_LAYERS_VALUE_UTIL_H_
#define FLOWLET_SRC_LAYERS_VALUE_UTIL_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "flowlet/graph.h"
#include "flowlet/scope.h"
#include "flowlet/tensor.h"
#include "flowlet/tensor_shape.h"
#include "flowlet/types.h"

namespace flowlet {
namespace layers_internal {

// A tensor of `dtype` and the fully defined `shape` holding `values` (one value
// is broadcast; otherwise exactly one per element). InvalidArgument for a
// value the dtype cannot hold exactly (integers: non-integral or out of range;
// bool: other than 0 and 1) or a wrong count.
absl::StatusOr<Tensor> FilledTensor(DataType dtype, const TensorShape& shape,
                                    const std::vector<double>& values);
// A scalar Const of `dtype` (floating) holding `value` rounded to the dtype.
Output ScalarConst(const Scope& scope, DataType dtype, double value);
// A 1-D int32 Const of `values`.
Output IntVectorConst(const Scope& scope, const std::vector<int>& values);

// Python's str(TensorShape): "(3, 3, 32, 4)", "(4,)", "()", "(None, 3)",
// "<unknown>".
std::string PythonShape(const TensorShape& shape);
// Python's repr of a float for messages: "0.01", "2.0", "inf", "-inf", "nan".
std::string PythonFloat(double v);
// The shortest decimal text that parses back to exactly `v` ("2", "0.01",
// "inf", "nan"): the canonical number form of specs.
std::string ShortestDouble(double v);

}  // namespace layers_internal
}  // namespace flowlet

#endif  // FLOWLET_SRC_LAYERS_VALUE_UTIL_H_
