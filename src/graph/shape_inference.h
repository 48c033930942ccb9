// InferenceContext: what an op's shape function sees and sets.
#ifndef FLOWLET_SRC_GRAPH_SHAPE_INFERENCE_H_
#define FLOWLET_SRC_GRAPH_SHAPE_INFERENCE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "flowlet/graph.h"
#include "flowlet/tensor_shape.h"
#include "flowlet/types.h"
#include "src/graph/op_def.h"

namespace flowlet {

// Shape functions run when a node is added (static shapes, possibly partial)
// and again when a session compiles a plan for concrete feed shapes. They must
// never fail on unknown dims or unknown rank: they return what can be known.
// They return InvalidArgument only when the inputs are certainly inconsistent;
// the caller prefixes the node's name and op.
class InferenceContext {
 public:
  InferenceContext(const std::string& node_name, const OpDef& op_def,
                   const AttrMap& attrs, std::vector<DataType> input_types,
                   std::vector<TensorShape> input_shapes,
                   std::vector<std::optional<PartialValue>> input_values,
                   std::vector<DataType> output_types);

  const std::string& node_name() const { return node_name_; }
  const OpDef& op_def() const { return op_def_; }
  const AttrMap& attrs() const { return attrs_; }
  int num_inputs() const { return static_cast<int>(input_shapes_.size()); }
  int num_outputs() const { return static_cast<int>(output_types_.size()); }
  DataType input_type(int i) const { return input_types_[i]; }
  DataType output_type(int i) const { return output_types_[i]; }
  const TensorShape& input_shape(int i) const { return input_shapes_[i]; }
  // The input's known value, if construction knows it (Const, Shape of a known
  // shape, ...).
  const std::optional<PartialValue>& input_value(int i) const {
    return input_values_[i];
  }

  // Interprets input i (a 1-D int tensor) as a shape: known elements become
  // dims, unknown ones -1; an unknown value with a known length gives that many
  // unknown dims; else unknown rank.
  TensorShape InputAsShape(int i) const;

  void set_output_shape(int i, TensorShape shape) {
    output_shapes_[i] = std::move(shape);
  }
  void set_output_value(int i, PartialValue value) {
    output_values_[i] = std::move(value);
  }
  const std::vector<TensorShape>& output_shapes() const {
    return output_shapes_;
  }
  const std::vector<std::optional<PartialValue>>& output_values() const {
    return output_values_;
  }

 private:
  std::string node_name_;
  const OpDef& op_def_;
  const AttrMap& attrs_;
  std::vector<DataType> input_types_;
  std::vector<TensorShape> input_shapes_;
  std::vector<std::optional<PartialValue>> input_values_;
  std::vector<DataType> output_types_;
  std::vector<TensorShape> output_shapes_;
  std::vector<std::optional<PartialValue>> output_values_;
};

}  // namespace flowlet

#endif  // FLOWLET_SRC_GRAPH_SHAPE_INFERENCE_H_
