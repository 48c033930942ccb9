// TF1 reference variables: VariableV2 and Assign.
#ifndef FLOWLET_OPS_STATE_OPS_H_
#define FLOWLET_OPS_STATE_OPS_H_

#include <string>

#include "flowlet/graph.h"
#include "flowlet/scope.h"
#include "flowlet/tensor_shape.h"
#include "flowlet/types.h"

namespace flowlet {
namespace ops {

// VariableV2 (attrs shape, dtype, container, shared_name); its output is a
// Ref(dtype). Most users want get_variable (flowlet/variables.h).
Output VariableV2(const Scope& scope, const TensorShape& shape, DataType dtype);
// Assign(ref, value): stores value in the variable, outputs the ref. With
// validate_shape the shapes must agree.
Output Assign(const Scope& scope, Output ref, Output value,
              bool validate_shape = true, bool use_locking = true);

}  // namespace ops
}  // namespace flowlet

#endif  // FLOWLET_OPS_STATE_OPS_H_
