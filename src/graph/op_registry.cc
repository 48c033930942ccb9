#include "src/graph/op_registry.h"

#include <cstdio>
#include <cstdlib>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "google/protobuf/text_format.h"
#include "src/core/attr_util.h"
#include "src/core/status_macros.h"

namespace flowlet {
namespace {

absl::Status SpecError(absl::string_view spec, absl::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("bad op spec '", spec, "': ", why));
}

// Splits "name: rest" into its two trimmed halves.
absl::Status SplitNameAndRest(absl::string_view spec, std::string* name,
                              std::string* rest) {
  size_t colon = spec.find(':');
  if (colon == absl::string_view::npos)
    return SpecError(spec, "expected 'name: ...'");
  *name = std::string(absl::StripAsciiWhitespace(spec.substr(0, colon)));
  *rest = std::string(absl::StripAsciiWhitespace(spec.substr(colon + 1)));
  if (name->empty() || rest->empty())
    return SpecError(spec, "empty name or type");
  return absl::OkStatus();
}

absl::StatusOr<DataType> ParseTypeName(absl::string_view spec,
                                       absl::string_view s) {
  s = absl::StripAsciiWhitespace(s);
  DataType dt;
  if (DataTypeFromString(s, &dt)) return dt;
  // DT_FLOAT style.
  if (absl::StartsWith(s, "DT_")) {
    std::string lower = absl::AsciiStrToLower(s.substr(3));
    if (DataTypeFromString(lower, &dt)) return dt;
  }
  return SpecError(spec, absl::StrCat("unknown type '", s, "'"));
}

absl::StatusOr<std::string> ParseQuoted(absl::string_view spec,
                                        absl::string_view s) {
  s = absl::StripAsciiWhitespace(s);
  if (s.size() >= 2 && ((s.front() == '\'' && s.back() == '\'') ||
                        (s.front() == '"' && s.back() == '"'))) {
    return std::string(s.substr(1, s.size() - 2));
  }
  return SpecError(spec, absl::StrCat("expected a quoted string, got ", s));
}

absl::StatusOr<tensorflow::AttrValue> ParseDefault(absl::string_view spec,
                                                   const AttrDef& def,
                                                   absl::string_view text) {
  text = absl::StripAsciiWhitespace(text);
  const std::string& t = def.type;
  if (t == "int") {
    int64_t v;
    if (!absl::SimpleAtoi(text, &v)) return SpecError(spec, "bad int default");
    return AttrInt(v);
  }
  if (t == "float") {
    float v;
    if (!absl::SimpleAtof(text, &v))
      return SpecError(spec, "bad float default");
    return AttrFloat(v);
  }
  if (t == "bool") {
    if (text == "true") return AttrBool(true);
    if (text == "false") return AttrBool(false);
    return SpecError(spec, "bad bool default");
  }
  if (t == "string") {
    FLOWLET_ASSIGN_OR_RETURN(std::string s, ParseQuoted(spec, text));
    return AttrString(s);
  }
  if (t == "type") {
    FLOWLET_ASSIGN_OR_RETURN(DataType dt, ParseTypeName(spec, text));
    return AttrType(dt);
  }
  if (t == "shape") {
    tensorflow::AttrValue v;
    absl::string_view inner = text;
    if (!absl::ConsumePrefix(&inner, "{") ||
        !absl::ConsumeSuffix(&inner, "}")) {
      return SpecError(
          spec, "shape default must be { text-format TensorShapeProto }");
    }
    if (!google::protobuf::TextFormat::ParseFromString(std::string(inner),
                                                       v.mutable_shape())) {
      return SpecError(spec, "bad shape default");
    }
    return v;
  }
  if (absl::StartsWith(t, "list(")) {
    absl::string_view inner = text;
    if (!absl::ConsumePrefix(&inner, "[") ||
        !absl::ConsumeSuffix(&inner, "]")) {
      return SpecError(spec, "list default must be [ ... ]");
    }
    tensorflow::AttrValue v;
    v.mutable_list();
    inner = absl::StripAsciiWhitespace(inner);
    if (inner.empty()) return v;
    for (absl::string_view item : absl::StrSplit(inner, ',')) {
      item = absl::StripAsciiWhitespace(item);
      if (t == "list(int)") {
        int64_t i;
        if (!absl::SimpleAtoi(item, &i))
          return SpecError(spec, "bad list(int) default");
        v.mutable_list()->add_i(i);
      } else if (t == "list(float)") {
        float f;
        if (!absl::SimpleAtof(item, &f))
          return SpecError(spec, "bad list(float) default");
        v.mutable_list()->add_f(f);
      } else if (t == "list(type)") {
        FLOWLET_ASSIGN_OR_RETURN(DataType dt, ParseTypeName(spec, item));
        v.mutable_list()->add_type(static_cast<tensorflow::DataType>(dt));
      } else if (t == "list(string)") {
        FLOWLET_ASSIGN_OR_RETURN(std::string s, ParseQuoted(spec, item));
        v.mutable_list()->add_s(s);
      } else {
        return SpecError(spec, "unsupported non-empty list default");
      }
    }
    return v;
  }
  return SpecError(spec, absl::StrCat("no default allowed for type ", t));
}

absl::StatusOr<AttrDef> ParseAttrSpec(absl::string_view spec) {
  AttrDef def;
  std::string rest;
  FLOWLET_RETURN_IF_ERROR(SplitNameAndRest(spec, &def.name, &rest));
  std::string default_text;
  bool has_default = false;
  // The default follows the first '=' outside braces and quotes.
  int depth = 0;
  char quote = 0;
  for (size_t i = 0; i < rest.size(); ++i) {
    char c = rest[i];
    if (quote) {
      if (c == quote) quote = 0;
      continue;
    }
    if (c == '\'' || c == '"') quote = c;
    if (c == '{' || c == '[' || c == '(') ++depth;
    if (c == '}' || c == ']' || c == ')') --depth;
    if (c == '=' && depth == 0 &&
        (i + 1 >= rest.size() || rest[i + 1] != '=') &&
        (i == 0 || (rest[i - 1] != '>' && rest[i - 1] != '<'))) {
      default_text = rest.substr(i + 1);
      rest = std::string(absl::StripAsciiWhitespace(rest.substr(0, i)));
      has_default = true;
      break;
    }
  }
  absl::string_view type = rest;
  if (absl::StartsWith(type, "{")) {
    absl::string_view inner = type;
    absl::ConsumePrefix(&inner, "{");
    if (!absl::ConsumeSuffix(&inner, "}")) return SpecError(spec, "unclosed {");
    std::vector<absl::string_view> items = absl::StrSplit(inner, ',');
    bool strings = !items.empty() &&
                   absl::StartsWith(absl::StripAsciiWhitespace(items[0]), "'");
    def.type = strings ? "string" : "type";
    for (absl::string_view item : items) {
      if (strings) {
        FLOWLET_ASSIGN_OR_RETURN(std::string s, ParseQuoted(spec, item));
        def.allowed_strings.push_back(s);
      } else {
        FLOWLET_ASSIGN_OR_RETURN(DataType dt, ParseTypeName(spec, item));
        def.allowed_types.push_back(dt);
      }
    }
  } else if (absl::StartsWith(type, "int") && absl::StrContains(type, ">=")) {
    def.type = "int";
    int64_t min;
    std::string bound(
        absl::StripAsciiWhitespace(type.substr(type.find(">=") + 2)));
    if (!absl::SimpleAtoi(bound, &min)) return SpecError(spec, "bad minimum");
    def.minimum = min;
  } else {
    static const char* const kTypes[] = {
        "int",          "float",       "bool",        "string",
        "type",         "shape",       "tensor",      "func",
        "list(int)",    "list(float)", "list(type)",  "list(shape)",
        "list(string)", "list(bool)",  "list(tensor)"};
    for (const char* k : kTypes) {
      if (type == k) def.type = k;
    }
    if (def.type.empty())
      return SpecError(spec, absl::StrCat("unknown attr type '", type, "'"));
  }
  if (has_default) {
    FLOWLET_ASSIGN_OR_RETURN(tensorflow::AttrValue v,
                             ParseDefault(spec, def, default_text));
    def.default_value = std::move(v);
  }
  return def;
}

absl::StatusOr<ArgDef> ParseArgSpec(absl::string_view spec,
                                    const std::vector<AttrDef>& attrs) {
  ArgDef arg;
  std::string rest;
  FLOWLET_RETURN_IF_ERROR(SplitNameAndRest(spec, &arg.name, &rest));
  absl::string_view t = rest;
  if (absl::ConsumePrefix(&t, "Ref(")) {
    if (!absl::ConsumeSuffix(&t, ")")) return SpecError(spec, "unclosed Ref(");
    arg.is_ref = true;
  }
  size_t star = t.find('*');
  if (star != absl::string_view::npos) {
    arg.number_attr =
        std::string(absl::StripAsciiWhitespace(t.substr(0, star)));
    t = absl::StripAsciiWhitespace(t.substr(star + 1));
    bool found = false;
    for (const AttrDef& a : attrs)
      found |= (a.name == arg.number_attr && a.type == "int");
    if (!found)
      return SpecError(spec,
                       absl::StrCat("no int attr '", arg.number_attr, "'"));
  }
  t = absl::StripAsciiWhitespace(t);
  for (const AttrDef& a : attrs) {
    if (a.name == t) {
      if (a.type == "type") {
        arg.type_attr = a.name;
      } else if (a.type == "list(type)" && arg.number_attr.empty()) {
        arg.type_list_attr = a.name;
      } else {
        return SpecError(
            spec, absl::StrCat("attr '", a.name, "' is not a type attr"));
      }
      return arg;
    }
  }
  FLOWLET_ASSIGN_OR_RETURN(arg.type, ParseTypeName(spec, t));
  return arg;
}

}  // namespace

const AttrDef* OpDef::FindAttr(const std::string& attr_name) const {
  for (const AttrDef& a : attrs) {
    if (a.name == attr_name) return &a;
  }
  return nullptr;
}

OpRegistry* OpRegistry::Global() {
  static OpRegistry* const registry = new OpRegistry();
  return registry;
}

absl::Status OpRegistry::Register(OpDef def) {
  if (def.name.empty())
    return absl::InvalidArgumentError("op with an empty name");
  if (ops_.count(def.name) > 0) {
    return absl::AlreadyExistsError(
        absl::StrCat("op '", def.name, "' is registered twice"));
  }
  std::string name = def.name;
  ops_[name] = std::make_unique<OpDef>(std::move(def));
  return absl::OkStatus();
}

const OpDef* OpRegistry::Find(absl::string_view name) const {
  auto it = ops_.find(name);
  return it == ops_.end() ? nullptr : it->second.get();
}

absl::StatusOr<const OpDef*> OpRegistry::Lookup(absl::string_view name) const {
  const OpDef* def = Find(name);
  if (def == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("Op type not registered '", name, "'"));
  }
  return def;
}

std::vector<std::string> OpRegistry::OpNames() const {
  std::vector<std::string> names;
  for (const auto& [k, v] : ops_) names.push_back(k);
  return names;
}

OpDefBuilder::OpDefBuilder(std::string name) { def_.name = std::move(name); }

OpDefBuilder& OpDefBuilder::Input(absl::string_view spec) {
  inputs_.emplace_back(spec);
  return *this;
}
OpDefBuilder& OpDefBuilder::Output(absl::string_view spec) {
  outputs_.emplace_back(spec);
  return *this;
}
OpDefBuilder& OpDefBuilder::Attr(absl::string_view spec) {
  attrs_.emplace_back(spec);
  return *this;
}
OpDefBuilder& OpDefBuilder::SetShapeFn(ShapeFn fn) {
  def_.shape_fn = std::move(fn);
  return *this;
}
OpDefBuilder& OpDefBuilder::SetIsStateful() {
  def_.is_stateful = true;
  return *this;
}

absl::StatusOr<OpDef> OpDefBuilder::Build() const {
  OpDef def = def_;
  for (const std::string& s : attrs_) {
    FLOWLET_ASSIGN_OR_RETURN(AttrDef a, ParseAttrSpec(s));
    def.attrs.push_back(std::move(a));
  }
  for (const std::string& s : inputs_) {
    FLOWLET_ASSIGN_OR_RETURN(ArgDef a, ParseArgSpec(s, def.attrs));
    def.inputs.push_back(std::move(a));
  }
  for (const std::string& s : outputs_) {
    FLOWLET_ASSIGN_OR_RETURN(ArgDef a, ParseArgSpec(s, def.attrs));
    def.outputs.push_back(std::move(a));
  }
  return def;
}

namespace internal {
OpRegistrar::OpRegistrar(const OpDefBuilder& builder) {
  absl::StatusOr<OpDef> def = builder.Build();
  absl::Status s =
      def.ok() ? OpRegistry::Global()->Register(*std::move(def)) : def.status();
  if (!s.ok()) {
    // A malformed op declaration is a bug in flowlet itself, found at start-up.
    std::fprintf(stderr, "flowlet: op registration failed: %s\n",
                 s.ToString().c_str());
    std::abort();
  }
}
}  // namespace internal

}  // namespace flowlet
