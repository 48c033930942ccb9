#include "flowlet/graph.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "src/core/attr_util.h"
#include "src/core/status_macros.h"
#include "src/graph/op_def.h"
#include "src/graph/op_registry.h"
#include "src/graph/shape_inference.h"

namespace flowlet {
namespace {

// TensorFlow's node-name rule: [A-Za-z0-9.][A-Za-z0-9_.\-/>]*
bool IsValidNodeName(absl::string_view name) {
  if (name.empty()) return false;
  auto first_ok = [](char c) { return absl::ascii_isalnum(c) || c == '.'; };
  auto rest_ok = [](char c) {
    return absl::ascii_isalnum(c) || c == '_' || c == '.' || c == '-' ||
           c == '/' || c == '>';
  };
  if (!first_ok(name[0])) return false;
  for (char c : name.substr(1)) {
    if (!rest_ok(c)) return false;
  }
  return true;
}

const char* AttrKind(const tensorflow::AttrValue& v) {
  switch (v.value_case()) {
    case tensorflow::AttrValue::kS:
      return "string";
    case tensorflow::AttrValue::kI:
      return "int";
    case tensorflow::AttrValue::kF:
      return "float";
    case tensorflow::AttrValue::kB:
      return "bool";
    case tensorflow::AttrValue::kType:
      return "type";
    case tensorflow::AttrValue::kShape:
      return "shape";
    case tensorflow::AttrValue::kTensor:
      return "tensor";
    case tensorflow::AttrValue::kList:
      return "list";
    case tensorflow::AttrValue::kFunc:
      return "func";
    case tensorflow::AttrValue::kPlaceholder:
      return "placeholder";
    default:
      return "empty";
  }
}

// Checks that `v` has the kind `def.type` asks for, and its allowed values.
absl::Status CheckAttrValue(const AttrDef& def,
                            const tensorflow::AttrValue& v) {
  const std::string& t = def.type;
  bool kind_ok = false;
  if (t == "int") kind_ok = v.value_case() == tensorflow::AttrValue::kI;
  if (t == "float") kind_ok = v.value_case() == tensorflow::AttrValue::kF;
  if (t == "bool") kind_ok = v.value_case() == tensorflow::AttrValue::kB;
  if (t == "string") kind_ok = v.value_case() == tensorflow::AttrValue::kS;
  if (t == "type") kind_ok = v.value_case() == tensorflow::AttrValue::kType;
  if (t == "shape") kind_ok = v.value_case() == tensorflow::AttrValue::kShape;
  if (t == "tensor") kind_ok = v.value_case() == tensorflow::AttrValue::kTensor;
  if (t == "func") kind_ok = v.value_case() == tensorflow::AttrValue::kFunc;
  if (absl::StartsWith(t, "list(")) {
    // An empty list may arrive as an unset AttrValue from some writers.
    kind_ok = v.value_case() == tensorflow::AttrValue::kList ||
              v.value_case() == tensorflow::AttrValue::VALUE_NOT_SET;
  }
  if (!kind_ok) {
    return absl::InvalidArgumentError(absl::StrCat(
        "attr '", def.name, "' has kind ", AttrKind(v), ", expected ", t));
  }
  if (t == "int" && def.minimum.has_value() && v.i() < *def.minimum) {
    return absl::InvalidArgumentError(absl::StrCat(
        "attr '", def.name, "' is ", v.i(), ", expected >= ", *def.minimum));
  }
  auto type_allowed = [&](int raw) -> absl::Status {
    DataType dt = static_cast<DataType>(raw);
    if (def.allowed_types.empty()) {
      if (!IsSupportedDataType(dt)) {
        return absl::InvalidArgumentError(
            absl::StrCat("attr '", def.name, "' is ", DataTypeString(dt),
                         ", which flowlet does not support"));
      }
      return absl::OkStatus();
    }
    for (DataType a : def.allowed_types) {
      if (a == dt) return absl::OkStatus();
    }
    std::vector<std::string> names;
    for (DataType a : def.allowed_types) names.push_back(DataTypeString(a));
    return absl::InvalidArgumentError(
        absl::StrCat("attr '", def.name, "' is ", DataTypeString(dt),
                     ", expected one of {", absl::StrJoin(names, ", "), "}"));
  };
  if (t == "type") FLOWLET_RETURN_IF_ERROR(type_allowed(v.type()));
  if (t == "list(type)") {
    for (int raw : v.list().type()) FLOWLET_RETURN_IF_ERROR(type_allowed(raw));
  }
  if (t == "string" && !def.allowed_strings.empty()) {
    for (const std::string& a : def.allowed_strings) {
      if (a == v.s()) return absl::OkStatus();
    }
    return absl::InvalidArgumentError(absl::StrCat(
        "attr '", def.name, "' is '", v.s(), "', expected one of {'",
        absl::StrJoin(def.allowed_strings, "', '"), "'}"));
  }
  return absl::OkStatus();
}

}  // namespace

bool PartialValue::IsFullyKnown() const {
  for (int64_t v : values) {
    if (v == kUnknown) return false;
  }
  return true;
}

// ----------------------------------------------------------------------------------------------
// Output / Operation

Output::Output(absl::Status error)
    : error_(std::make_shared<const absl::Status>(
          error.ok()
              ? absl::InternalError("Output constructed from an OK status")
              : error)) {}

absl::Status Output::status() const {
  if (error_ != nullptr) return *error_;
  if (node_ == nullptr)
    return absl::FailedPreconditionError("empty Output (no node)");
  return absl::OkStatus();
}

DataType Output::dtype() const {
  return ok() ? node_->output_type(index_) : DT_INVALID;
}

const TensorShape& Output::shape() const {
  static const TensorShape* const kUnknown =
      new TensorShape(TensorShape::UnknownRank());
  return ok() ? node_->output_shape(index_) : *kUnknown;
}

std::string Output::name() const {
  if (node_ == nullptr) return "<invalid>";
  return index_ == 0 ? node_->name() : absl::StrCat(node_->name(), ":", index_);
}

std::string Output::tensor_name() const {
  if (node_ == nullptr) return "<invalid>";
  return absl::StrCat(node_->name(), ":", index_);
}

bool Output::operator<(const Output& o) const {
  int a = node_ ? node_->id() : -1;
  int b = o.node_ ? o.node_->id() : -1;
  return a != b ? a < b : index_ < o.index_;
}

Operation::Operation(absl::Status error)
    : error_(std::make_shared<const absl::Status>(
          error.ok()
              ? absl::InternalError("Operation constructed from an OK status")
              : error)) {}

absl::Status Operation::status() const {
  if (error_ != nullptr) return *error_;
  if (node_ == nullptr)
    return absl::FailedPreconditionError("empty Operation (no node)");
  return absl::OkStatus();
}

std::string Operation::name() const {
  return node_ ? node_->name() : "<invalid>";
}

const tensorflow::AttrValue* Node::FindAttr(absl::string_view name) const {
  auto it = attrs_.find(name);
  return it == attrs_.end() ? nullptr : &it->second;
}

// ----------------------------------------------------------------------------------------------
// Graph

Graph::Graph() = default;
Graph::~Graph() = default;

absl::StatusOr<Node*> Graph::AddNode(NodeSpec spec) {
  const std::string where =
      absl::StrCat("node '", spec.name, "' (", spec.op, "): ");
  if (!IsValidNodeName(spec.name)) {
    return absl::InvalidArgumentError(absl::StrCat(
        where, "invalid node name; expected [A-Za-z0-9.][A-Za-z0-9_.\\-/>]*"));
  }
  if (by_name_.count(spec.name) > 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        where, "a node named '", spec.name, "' already exists in the graph"));
  }
  const OpDef* def = OpRegistry::Global()->Find(spec.op);
  if (def == nullptr) {
    return absl::NotFoundError(
        absl::StrCat(where, "Op type not registered '", spec.op, "'"));
  }
  for (size_t i = 0; i < spec.inputs.size(); ++i) {
    const Output& in = spec.inputs[i];
    if (!in.ok())
      return AnnotateStatus(in.status(),
                            absl::StrCat(where, "input ", i, ": "));
    if (in.node()->graph() != this) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, "input ", i, " '", in.name(), "' is from another graph"));
    }
    if (in.index() < 0 || in.index() >= in.node()->num_outputs()) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, "input ", i, " refers to output ", in.index(), " but '",
          in.node()->name(), "' has ", in.node()->num_outputs(), " output(s)"));
    }
  }
  for (Node* c : spec.control_inputs) {
    if (c == nullptr || c->graph() != this) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, "control input is not a node of this graph"));
    }
  }

  // Attrs: reject unknown ones (except internal "_" attrs), infer type and
  // length attrs from the inputs, fill defaults.
  AttrMap attrs = std::move(spec.attrs);
  for (const auto& [name, value] : attrs) {
    if (!absl::StartsWith(name, "_") && def->FindAttr(name) == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, "unknown attr '", name, "' for op ", def->name));
    }
  }
  {
    size_t pos = 0;
    for (const ArgDef& arg : def->inputs) {
      if (!arg.number_attr.empty()) {
        // A list of N tensors of one type: N is everything up to the next
        // fixed-size args.
        auto it = attrs.find(arg.number_attr);
        if (it == attrs.end()) {
          size_t fixed_after = 0;
          bool after = false;
          for (const ArgDef& a : def->inputs) {
            if (after) fixed_after += 1;
            if (&a == &arg) after = true;
          }
          int64_t n = static_cast<int64_t>(spec.inputs.size()) -
                      static_cast<int64_t>(pos) -
                      static_cast<int64_t>(fixed_after);
          if (n < 0) n = 0;
          attrs[arg.number_attr] = AttrInt(n);
          it = attrs.find(arg.number_attr);
        }
        int64_t n = it->second.i();
        if (!arg.type_attr.empty() && attrs.count(arg.type_attr) == 0 &&
            n > 0 && pos < spec.inputs.size()) {
          attrs[arg.type_attr] = AttrType(BaseType(spec.inputs[pos].dtype()));
        }
        pos += n > 0 ? static_cast<size_t>(n) : 0;
      } else if (!arg.type_list_attr.empty()) {
        if (attrs.count(arg.type_list_attr) == 0) {
          std::vector<DataType> types;
          for (size_t i = pos; i < spec.inputs.size(); ++i) {
            types.push_back(BaseType(spec.inputs[i].dtype()));
          }
          attrs[arg.type_list_attr] = AttrTypeList(types);
        }
        pos += attrs[arg.type_list_attr].list().type_size();
      } else {
        if (!arg.type_attr.empty() && attrs.count(arg.type_attr) == 0 &&
            pos < spec.inputs.size()) {
          attrs[arg.type_attr] = AttrType(BaseType(spec.inputs[pos].dtype()));
        }
        pos += 1;
      }
    }
  }
  for (const AttrDef& a : def->attrs) {
    auto it = attrs.find(a.name);
    if (it == attrs.end()) {
      if (!a.default_value.has_value()) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, "missing attr '", a.name, "' (", a.type, ")"));
      }
      attrs[a.name] = *a.default_value;
      continue;
    }
    FLOWLET_RETURN_IF_ERROR(
        AnnotateStatus(CheckAttrValue(a, it->second), where));
  }

  // Expand the declared args into per-tensor types.
  auto expand = [&](const std::vector<ArgDef>& args,
                    std::vector<DataType>* types) -> absl::Status {
    for (const ArgDef& arg : args) {
      int64_t count = 1;
      if (!arg.number_attr.empty()) count = attrs[arg.number_attr].i();
      if (!arg.type_list_attr.empty()) {
        for (int raw : attrs[arg.type_list_attr].list().type()) {
          DataType dt = static_cast<DataType>(raw);
          types->push_back(arg.is_ref ? MakeRefType(dt) : dt);
        }
        continue;
      }
      DataType dt = arg.type;
      if (!arg.type_attr.empty())
        dt = static_cast<DataType>(attrs[arg.type_attr].type());
      if (arg.is_ref) dt = MakeRefType(dt);
      if (count < 0 || count > (int64_t{1} << 20)) {
        return absl::InvalidArgumentError(absl::StrCat(
            "attr '", arg.number_attr, "' is ", count, ", out of range"));
      }
      for (int64_t i = 0; i < count; ++i) types->push_back(dt);
    }
    return absl::OkStatus();
  };
  std::vector<DataType> input_types, output_types;
  FLOWLET_RETURN_IF_ERROR(
      AnnotateStatus(expand(def->inputs, &input_types), where));
  FLOWLET_RETURN_IF_ERROR(
      AnnotateStatus(expand(def->outputs, &output_types), where));
  if (input_types.size() != spec.inputs.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, "expected ", input_types.size(), " input(s), got ",
                     spec.inputs.size()));
  }
  for (size_t i = 0; i < input_types.size(); ++i) {
    DataType actual = spec.inputs[i].dtype();
    DataType expected = input_types[i];
    bool ok =
        IsRefType(expected) ? actual == expected : BaseType(actual) == expected;
    if (!ok) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, "input ", i, " '", spec.inputs[i].name(), "' has dtype ",
          DataTypeString(actual), ", expected ", DataTypeString(expected)));
    }
  }
  for (const auto& [name, value] : attrs) {
    (void)name;
    if (value.value_case() == tensorflow::AttrValue::kPlaceholder) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, "attr placeholders are unsupported"));
    }
  }

  // Shape inference.
  std::vector<TensorShape> input_shapes;
  std::vector<std::optional<PartialValue>> input_values;
  for (const Output& in : spec.inputs) {
    input_shapes.push_back(in.node()->output_shape(in.index()));
    input_values.push_back(in.node()->output_value(in.index()));
  }
  InferenceContext ctx(spec.name, *def, attrs, input_types,
                       std::move(input_shapes), std::move(input_values),
                       output_types);
  if (def->shape_fn)
    FLOWLET_RETURN_IF_ERROR(AnnotateStatus(def->shape_fn(ctx), where));

  auto node = std::unique_ptr<Node>(new Node());
  node->graph_ = this;
  node->id_ = static_cast<int>(nodes_.size());
  node->name_ = std::move(spec.name);
  node->op_ = def->name;
  node->device_ = std::move(spec.device);
  node->op_def_ = def;
  node->inputs_ = std::move(spec.inputs);
  node->input_types_ = std::move(input_types);
  node->control_inputs_ = std::move(spec.control_inputs);
  node->attrs_ = std::move(attrs);
  node->output_types_ = std::move(output_types);
  node->output_shapes_ = ctx.output_shapes();
  node->output_values_ = ctx.output_values();
  Node* raw = node.get();
  nodes_.push_back(std::move(node));
  by_name_[raw->name()] = raw;
  ++version_;
  return raw;
}

Node* Graph::FindNode(absl::string_view name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : it->second;
}

absl::StatusOr<Output> Graph::FindOutput(absl::string_view tensor_name) const {
  absl::string_view node_name = tensor_name;
  int index = 0;
  size_t colon = tensor_name.rfind(':');
  if (colon != absl::string_view::npos) {
    node_name = tensor_name.substr(0, colon);
    if (!absl::SimpleAtoi(tensor_name.substr(colon + 1), &index) || index < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("'", tensor_name,
                       "' is not a tensor name (expected node or node:index)"));
    }
  }
  Node* node = FindNode(node_name);
  if (node == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("no node named '", node_name, "' in the graph"));
  }
  if (index >= node->num_outputs()) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", tensor_name, "' refers to output ", index, " but '",
                     node_name, "' has ", node->num_outputs(), " output(s)"));
  }
  return Output(node, index);
}

void Graph::AddToCollection(const std::string& key, Output value) {
  collections_[key].push_back(value);
  ++version_;
}

const std::vector<Output>& Graph::GetCollection(const std::string& key) const {
  static const std::vector<Output>* const kEmpty = new std::vector<Output>();
  auto it = collections_.find(key);
  return it == collections_.end() ? *kEmpty : it->second;
}

std::vector<std::string> Graph::CollectionKeys() const {
  std::vector<std::string> keys;
  for (const auto& [k, v] : collections_) keys.push_back(k);
  return keys;
}

void Graph::RegisterVariable(VariableInfo info) {
  variables_.push_back(std::move(info));
  ++version_;
}

const VariableInfo* Graph::FindVariable(absl::string_view name) const {
  for (const VariableInfo& v : variables_) {
    if (v.variable != nullptr && v.variable->name() == name) return &v;
  }
  return nullptr;
}

VariableInfo* Graph::MutableVariable(absl::string_view name) {
  for (VariableInfo& v : variables_) {
    if (v.variable != nullptr && v.variable->name() == name) return &v;
  }
  return nullptr;
}

}  // namespace flowlet
