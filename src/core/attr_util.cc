// Typed access to node attributes and builders for them.
#include "src/core/attr_util.h"

#include <limits>

#include "absl/strings/str_cat.h"
#include "src/core/status_macros.h"
#include "src/core/tensor_proto.h"

namespace flowlet {
namespace {

using tensorflow::AttrValue;

// The kind of a list: "list(int)", ...; "list(empty)" or "list(mixed)"
// otherwise.
std::string ListKindName(const AttrValue::ListValue& l) {
  std::string kind;
  int kinds = 0;
  auto note = [&](int size, const char* name) {
    if (size > 0) {
      ++kinds;
      kind = name;
    }
  };
  note(l.s_size(), "list(string)");
  note(l.i_size(), "list(int)");
  note(l.f_size(), "list(float)");
  note(l.b_size(), "list(bool)");
  note(l.type_size(), "list(type)");
  note(l.shape_size(), "list(shape)");
  note(l.tensor_size(), "list(tensor)");
  note(l.func_size(), "list(func)");
  if (kinds == 0) return "list(empty)";
  if (kinds > 1) return "list(mixed)";
  return kind;
}

// The kind of a value, named after its AttrValue field ("i", "f", "shape",
// ...).
std::string KindName(const AttrValue& v) {
  switch (v.value_case()) {
    case AttrValue::kS:
      return "s";
    case AttrValue::kI:
      return "i";
    case AttrValue::kF:
      return "f";
    case AttrValue::kB:
      return "b";
    case AttrValue::kType:
      return "type";
    case AttrValue::kShape:
      return "shape";
    case AttrValue::kTensor:
      return "tensor";
    case AttrValue::kList:
      return ListKindName(v.list());
    case AttrValue::kFunc:
      return "func";
    case AttrValue::kPlaceholder:
      return "placeholder";
    default:
      return "none";
  }
}

absl::Status WrongKind(absl::string_view name, const AttrValue& v,
                       absl::string_view expected) {
  return absl::InvalidArgumentError(absl::StrCat(
      "attr '", name, "' has kind ", KindName(v), ", expected ", expected));
}

// The attr `name` if it exists and has kind `kind`.
absl::StatusOr<const AttrValue*> Find(const AttrMap& attrs,
                                      absl::string_view name,
                                      AttrValue::ValueCase kind,
                                      absl::string_view expected) {
  auto it = attrs.find(name);
  if (it == attrs.end()) {
    return absl::InvalidArgumentError(
        absl::StrCat("attr '", name, "' is missing"));
  }
  if (it->second.value_case() != kind)
    return WrongKind(name, it->second, expected);
  return &it->second;
}

// The list attr `name` if it exists and is a list whose entries (if any) are in
// `field_size`.
absl::StatusOr<const AttrValue::ListValue*> FindList(
    const AttrMap& attrs, absl::string_view name,
    int (AttrValue::ListValue::*field_size)() const,
    absl::string_view expected) {
  FLOWLET_ASSIGN_OR_RETURN(const AttrValue* v,
                           Find(attrs, name, AttrValue::kList, expected));
  const AttrValue::ListValue& l = v->list();
  const std::string kind = ListKindName(l);
  if (kind != "list(empty)" &&
      (kind == "list(mixed)" || (l.*field_size)() == 0)) {
    return WrongKind(name, *v, expected);
  }
  return &l;
}

absl::Status ToInt(absl::string_view name, int64_t v, int* out) {
  if (v < std::numeric_limits<int>::min() ||
      v > std::numeric_limits<int>::max()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "attr '", name, "' value ", v, " does not fit in a 32-bit int"));
  }
  *out = static_cast<int>(v);
  return absl::OkStatus();
}

}  // namespace

absl::Status GetAttr(const AttrMap& attrs, absl::string_view name,
                     int64_t* out) {
  FLOWLET_ASSIGN_OR_RETURN(const AttrValue* v,
                           Find(attrs, name, AttrValue::kI, "i"));
  *out = v->i();
  return absl::OkStatus();
}

absl::Status GetAttr(const AttrMap& attrs, absl::string_view name, int* out) {
  FLOWLET_ASSIGN_OR_RETURN(const AttrValue* v,
                           Find(attrs, name, AttrValue::kI, "i"));
  return ToInt(name, v->i(), out);
}

absl::Status GetAttr(const AttrMap& attrs, absl::string_view name, float* out) {
  FLOWLET_ASSIGN_OR_RETURN(const AttrValue* v,
                           Find(attrs, name, AttrValue::kF, "f"));
  *out = v->f();
  return absl::OkStatus();
}

absl::Status GetAttr(const AttrMap& attrs, absl::string_view name, bool* out) {
  FLOWLET_ASSIGN_OR_RETURN(const AttrValue* v,
                           Find(attrs, name, AttrValue::kB, "b"));
  *out = v->b();
  return absl::OkStatus();
}

absl::Status GetAttr(const AttrMap& attrs, absl::string_view name,
                     std::string* out) {
  FLOWLET_ASSIGN_OR_RETURN(const AttrValue* v,
                           Find(attrs, name, AttrValue::kS, "s"));
  *out = v->s();
  return absl::OkStatus();
}

absl::Status GetAttr(const AttrMap& attrs, absl::string_view name,
                     DataType* out) {
  FLOWLET_ASSIGN_OR_RETURN(const AttrValue* v,
                           Find(attrs, name, AttrValue::kType, "type"));
  *out = static_cast<DataType>(v->type());
  return absl::OkStatus();
}

absl::Status GetAttr(const AttrMap& attrs, absl::string_view name,
                     TensorShape* out) {
  FLOWLET_ASSIGN_OR_RETURN(const AttrValue* v,
                           Find(attrs, name, AttrValue::kShape, "shape"));
  const tensorflow::TensorShapeProto& proto = v->shape();
  if (proto.unknown_rank() && proto.dim_size() > 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("attr '", name, "' has unknown_rank set and ",
                     proto.dim_size(), " dims"));
  }
  for (int i = 0; i < proto.dim_size(); ++i) {
    if (proto.dim(i).size() < -1) {
      return absl::InvalidArgumentError(absl::StrCat(
          "attr '", name, "' has dimension ", i, " = ", proto.dim(i).size(),
          "; sizes must be >= 0 or -1 (unknown)"));
    }
  }
  *out = ShapeFromProto(proto);
  return absl::OkStatus();
}

absl::Status GetAttr(const AttrMap& attrs, absl::string_view name,
                     std::vector<int64_t>* out) {
  FLOWLET_ASSIGN_OR_RETURN(
      const AttrValue::ListValue* l,
      FindList(attrs, name, &AttrValue::ListValue::i_size, "list(int)"));
  out->assign(l->i().begin(), l->i().end());
  return absl::OkStatus();
}

absl::Status GetAttr(const AttrMap& attrs, absl::string_view name,
                     std::vector<int>* out) {
  FLOWLET_ASSIGN_OR_RETURN(
      const AttrValue::ListValue* l,
      FindList(attrs, name, &AttrValue::ListValue::i_size, "list(int)"));
  std::vector<int> values(l->i_size());
  for (int i = 0; i < l->i_size(); ++i) {
    FLOWLET_RETURN_IF_ERROR(ToInt(name, l->i(i), &values[i]));
  }
  *out = std::move(values);
  return absl::OkStatus();
}

absl::Status GetAttr(const AttrMap& attrs, absl::string_view name,
                     std::vector<float>* out) {
  FLOWLET_ASSIGN_OR_RETURN(
      const AttrValue::ListValue* l,
      FindList(attrs, name, &AttrValue::ListValue::f_size, "list(float)"));
  out->assign(l->f().begin(), l->f().end());
  return absl::OkStatus();
}

absl::Status GetAttr(const AttrMap& attrs, absl::string_view name,
                     std::vector<DataType>* out) {
  FLOWLET_ASSIGN_OR_RETURN(
      const AttrValue::ListValue* l,
      FindList(attrs, name, &AttrValue::ListValue::type_size, "list(type)"));
  out->clear();
  out->reserve(l->type_size());
  for (int t : l->type()) out->push_back(static_cast<DataType>(t));
  return absl::OkStatus();
}

absl::Status GetAttr(const AttrMap& attrs, absl::string_view name,
                     const tensorflow::TensorProto** out) {
  FLOWLET_ASSIGN_OR_RETURN(const AttrValue* v,
                           Find(attrs, name, AttrValue::kTensor, "tensor"));
  *out = &v->tensor();
  return absl::OkStatus();
}

tensorflow::AttrValue AttrInt(int64_t v) {
  AttrValue a;
  a.set_i(v);
  return a;
}

tensorflow::AttrValue AttrFloat(float v) {
  AttrValue a;
  a.set_f(v);
  return a;
}

tensorflow::AttrValue AttrBool(bool v) {
  AttrValue a;
  a.set_b(v);
  return a;
}

tensorflow::AttrValue AttrString(absl::string_view v) {
  AttrValue a;
  a.set_s(std::string(v));
  return a;
}

tensorflow::AttrValue AttrType(DataType v) {
  AttrValue a;
  a.set_type(static_cast<tensorflow::DataType>(v));
  return a;
}

tensorflow::AttrValue AttrShape(const TensorShape& v) {
  AttrValue a;
  ShapeToProto(v, a.mutable_shape());
  return a;
}

tensorflow::AttrValue AttrIntList(const std::vector<int64_t>& v) {
  AttrValue a;
  AttrValue::ListValue* l = a.mutable_list();
  for (int64_t x : v) l->add_i(x);
  return a;
}

tensorflow::AttrValue AttrFloatList(const std::vector<float>& v) {
  AttrValue a;
  AttrValue::ListValue* l = a.mutable_list();
  for (float x : v) l->add_f(x);
  return a;
}

tensorflow::AttrValue AttrTypeList(const std::vector<DataType>& v) {
  AttrValue a;
  AttrValue::ListValue* l = a.mutable_list();
  for (DataType t : v) l->add_type(static_cast<tensorflow::DataType>(t));
  return a;
}

tensorflow::AttrValue AttrTensor(const Tensor& v) {
  AttrValue a;
  TensorToProto(v, a.mutable_tensor());
  return a;
}

TensorShape ShapeFromProto(const tensorflow::TensorShapeProto& proto) {
  if (proto.unknown_rank()) return TensorShape::UnknownRank();
  std::vector<int64_t> dims;
  dims.reserve(proto.dim_size());
  for (const auto& d : proto.dim())
    dims.push_back(d.size() < 0 ? TensorShape::kUnknownDim : d.size());
  return TensorShape(std::move(dims));
}

void ShapeToProto(const TensorShape& shape,
                  tensorflow::TensorShapeProto* proto) {
  proto->Clear();
  if (shape.unknown_rank()) {
    proto->set_unknown_rank(true);
    return;
  }
  for (int64_t d : shape.dims()) {
    proto->add_dim()->set_size(d < 0 ? TensorShape::kUnknownDim : d);
  }
}

}  // namespace flowlet
