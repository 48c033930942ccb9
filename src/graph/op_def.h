// OpDef: the declaration of an op (TensorFlow's name, inputs, outputs, attrs,
// shape function).
#ifndef FLOWLET_SRC_GRAPH_OP_DEF_H_
#define FLOWLET_SRC_GRAPH_OP_DEF_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "flowlet/types.h"
#include "proto/attr_value.pb.h"

namespace flowlet {

class InferenceContext;

// One declared input or output. Exactly one of `type` (fixed) or `type_attr` is
// set, or `type_list_attr` for a list of any types. `number_attr` makes it a
// list of that many tensors of one type ("values: N * T").
struct ArgDef {
  std::string name;
  DataType type = DT_INVALID;
  std::string type_attr;
  std::string number_attr;
  std::string type_list_attr;
  bool is_ref = false;
};

// One declared attr. `type` is TensorFlow's attr type string: "int", "float",
// "bool", "string", "type", "shape", "tensor", "func", "list(int)",
// "list(float)", "list(type)", "list(shape)", "list(string)".
struct AttrDef {
  std::string name;
  std::string type;
  std::optional<tensorflow::AttrValue> default_value;
  // For "type" / "list(type)": the allowed dtypes (empty = any supported). For
  // "string": the allowed values (empty = any).
  std::vector<DataType> allowed_types;
  std::vector<std::string> allowed_strings;
  // For "int": a lower bound ("N: int >= 1").
  std::optional<int64_t> minimum;
};

using ShapeFn = std::function<absl::Status(InferenceContext&)>;

struct OpDef {
  std::string name;
  std::vector<ArgDef> inputs;
  std::vector<ArgDef> outputs;
  std::vector<AttrDef> attrs;
  ShapeFn shape_fn;
  // Stateful ops (variables, random, Assign) are never constant-folded or
  // deduplicated.
  bool is_stateful = false;

  const AttrDef* FindAttr(const std::string& attr_name) const;
};

}  // namespace flowlet

#endif  // FLOWLET_SRC_GRAPH_OP_DEF_H_
