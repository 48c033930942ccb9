// Constraint specs: the canonical texts, ConstraintFromSpec (their parser) and
// Keras' identifier lookup.
#include "src/layers/constraint_spec.h"

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "flowlet/layers/constraints.h"
#include "src/core/status_macros.h"
#include "src/layers/value_util.h"

namespace flowlet {
namespace constraint_spec {
namespace {

using layers_internal::ShortestDouble;

std::string AxisText(const std::vector<int>& axis) {
  if (axis.size() == 1) return absl::StrCat(axis[0]);
  return absl::StrCat("[", absl::StrJoin(axis, ","), "]");
}

}  // namespace

std::string MaxNorm(double max_value, const std::vector<int>& axis) {
  return absl::StrCat("max_norm(max_value=", ShortestDouble(max_value),
                      ",axis=", AxisText(axis), ")");
}

std::string NonNeg() { return "non_neg()"; }

std::string UnitNorm(const std::vector<int>& axis) {
  return absl::StrCat("unit_norm(axis=", AxisText(axis), ")");
}

std::string MinMaxNorm(double min_value, double max_value, double rate,
                       const std::vector<int>& axis) {
  return absl::StrCat("min_max_norm(min_value=", ShortestDouble(min_value),
                      ",max_value=", ShortestDouble(max_value),
                      ",rate=", ShortestDouble(rate), ",axis=", AxisText(axis),
                      ")");
}

std::string Radial() { return "radial_constraint()"; }

}  // namespace constraint_spec

namespace {

enum class Kind { kMaxNorm, kNonNeg, kUnitNorm, kMinMaxNorm, kRadial };

// Keras' names for each constraint (functions, aliases and classes).
bool KindFromName(absl::string_view name, Kind* kind) {
  static const std::map<std::string, Kind, std::less<>>* const kNames =
      new std::map<std::string, Kind, std::less<>>{
          {"max_norm", Kind::kMaxNorm},
          {"maxnorm", Kind::kMaxNorm},
          {"MaxNorm", Kind::kMaxNorm},
          {"non_neg", Kind::kNonNeg},
          {"nonneg", Kind::kNonNeg},
          {"NonNeg", Kind::kNonNeg},
          {"unit_norm", Kind::kUnitNorm},
          {"unitnorm", Kind::kUnitNorm},
          {"UnitNorm", Kind::kUnitNorm},
          {"min_max_norm", Kind::kMinMaxNorm},
          {"MinMaxNorm", Kind::kMinMaxNorm},
          {"radial_constraint", Kind::kRadial},
          {"RadialConstraint", Kind::kRadial},
      };
  auto it = kNames->find(name);
  if (it == kNames->end()) return false;
  *kind = it->second;
  return true;
}

// The parameters each constraint takes.
std::vector<std::string> ParamsOf(Kind kind) {
  switch (kind) {
    case Kind::kMaxNorm:
      return {"max_value", "axis"};
    case Kind::kUnitNorm:
      return {"axis"};
    case Kind::kMinMaxNorm:
      return {"min_value", "max_value", "rate", "axis"};
    default:
      return {};
  }
}

// Splits "a=1,axis=[0,1]" at the commas outside brackets.
absl::StatusOr<std::vector<std::string>> SplitParams(absl::string_view text) {
  std::vector<std::string> items;
  if (absl::StripAsciiWhitespace(text).empty()) return items;
  int depth = 0;
  std::string current;
  for (char ch : text) {
    if (ch == '[') ++depth;
    if (ch == ']' && --depth < 0) {
      return absl::InvalidArgumentError("unbalanced ']'");
    }
    if (ch == ',' && depth == 0) {
      items.push_back(current);
      current.clear();
    } else {
      current.push_back(ch);
    }
  }
  if (depth != 0) return absl::InvalidArgumentError("unbalanced '['");
  items.push_back(current);
  return items;
}

absl::StatusOr<double> ParseNumber(absl::string_view key,
                                   absl::string_view text) {
  double v;
  if (!absl::SimpleAtod(text, &v)) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", key, "' is not a number: '", text, "'"));
  }
  return v;
}

absl::StatusOr<std::vector<int>> ParseAxis(absl::string_view text) {
  text = absl::StripAsciiWhitespace(text);
  std::vector<std::string> parts;
  if (absl::ConsumePrefix(&text, "[")) {
    if (!absl::ConsumeSuffix(&text, "]")) {
      return absl::InvalidArgumentError("'axis' list does not end with ']'");
    }
    if (!absl::StripAsciiWhitespace(text).empty()) {
      parts = absl::StrSplit(text, ',');
    }
  } else {
    parts.push_back(std::string(text));
  }
  std::vector<int> axis;
  for (const std::string& part : parts) {
    int a;
    if (!absl::SimpleAtoi(part, &a)) {
      return absl::InvalidArgumentError(
          absl::StrCat("'axis' entry is not an integer: '", part, "'"));
    }
    axis.push_back(a);
  }
  return axis;
}

absl::StatusOr<Constraint> ParseSpec(const std::string& spec) {
  absl::string_view text = absl::StripAsciiWhitespace(spec);
  absl::string_view name = text;
  absl::string_view params;
  const size_t open = text.find('(');
  if (open != absl::string_view::npos) {
    name = absl::StripAsciiWhitespace(text.substr(0, open));
    absl::string_view rest = text.substr(open + 1);
    if (!absl::ConsumeSuffix(&rest, ")")) {
      return absl::InvalidArgumentError("missing ')' at the end");
    }
    params = rest;
  }
  if (name == "custom") {
    return absl::InvalidArgumentError(
        "a custom constraint function cannot be rebuilt from its spec");
  }
  Kind kind;
  if (!KindFromName(name, &kind)) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown constraint '", name, "'"));
  }
  const std::vector<std::string> known = ParamsOf(kind);
  FLOWLET_ASSIGN_OR_RETURN(std::vector<std::string> items, SplitParams(params));
  std::map<std::string, std::string> values;
  for (const std::string& item : items) {
    const size_t eq = item.find('=');
    if (eq == std::string::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("expected <name>=<value>, got '", item, "'"));
    }
    const std::string key(absl::StripAsciiWhitespace(item.substr(0, eq)));
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("'", name, "' has no parameter '", key, "'"));
    }
    if (!values.emplace(key, item.substr(eq + 1)).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("parameter '", key, "' is given twice"));
    }
  }
  double max_value = kind == Kind::kMaxNorm ? 2.0 : 1.0;
  double min_value = 0.0;
  double rate = 1.0;
  std::vector<int> axis = {0};
  for (const auto& [key, value] : values) {
    if (key == "axis") {
      FLOWLET_ASSIGN_OR_RETURN(axis, ParseAxis(value));
    } else {
      FLOWLET_ASSIGN_OR_RETURN(double v, ParseNumber(key, value));
      if (key == "max_value") max_value = v;
      if (key == "min_value") min_value = v;
      if (key == "rate") rate = v;
    }
  }
  switch (kind) {
    case Kind::kMaxNorm:
      return constraints::max_norm(max_value, axis);
    case Kind::kNonNeg:
      return constraints::non_neg();
    case Kind::kUnitNorm:
      return constraints::unit_norm(axis);
    case Kind::kMinMaxNorm:
      return constraints::min_max_norm(min_value, max_value, rate, axis);
    case Kind::kRadial:
      return constraints::radial_constraint();
  }
  return absl::InternalError("unreachable");
}

}  // namespace

absl::StatusOr<Constraint> ConstraintFromSpec(const std::string& spec) {
  absl::StatusOr<Constraint> c = ParseSpec(spec);
  if (!c.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid constraint spec '", spec, "': ", c.status().message()));
  }
  return c;
}

absl::StatusOr<Constraint> GetConstraint(const std::string& identifier) {
  if (identifier.empty()) return Constraint();
  Kind kind;
  if (KindFromName(identifier, &kind)) return ConstraintFromSpec(identifier);
  return absl::InvalidArgumentError(
      absl::StrCat("Could not interpret constraint identifier: ", identifier));
}

}  // namespace flowlet
