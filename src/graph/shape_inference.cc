#include "src/graph/shape_inference.h"

#include <utility>

namespace flowlet {

InferenceContext::InferenceContext(
    const std::string& node_name, const OpDef& op_def, const AttrMap& attrs,
    std::vector<DataType> input_types, std::vector<TensorShape> input_shapes,
    std::vector<std::optional<PartialValue>> input_values,
    std::vector<DataType> output_types)
    : node_name_(node_name),
      op_def_(op_def),
      attrs_(attrs),
      input_types_(std::move(input_types)),
      input_shapes_(std::move(input_shapes)),
      input_values_(std::move(input_values)),
      output_types_(std::move(output_types)),
      output_shapes_(output_types_.size(), TensorShape::UnknownRank()),
      output_values_(output_types_.size()) {}

TensorShape InferenceContext::InputAsShape(int i) const {
  const std::optional<PartialValue>& v = input_values_[i];
  if (v.has_value() && v->shape.rank() == 1) {
    std::vector<int64_t> dims;
    for (int64_t d : v->values)
      dims.push_back(d == PartialValue::kUnknown || d < 0 ? -1 : d);
    return TensorShape(std::move(dims));
  }
  const TensorShape& s = input_shapes_[i];
  if (s.rank() == 1 && s.dim(0) >= 0)
    return TensorShape::Unknown(static_cast<int>(s.dim(0)));
  if (s.rank() == 0)
    return TensorShape();  // A scalar shape tensor: rank 0... treat as scalar.
  return TensorShape::UnknownRank();
}

}  // namespace flowlet
