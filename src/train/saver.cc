// Saver: variable values <-> .npz checkpoints.
#include "flowlet/train/saver.h"

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "flowlet/io/npy.h"
#include "src/core/status_macros.h"

namespace flowlet {
namespace train {

Saver::Saver(const Graph* graph, SaverOptions options)
    : graph_(graph), options_(std::move(options)) {}

absl::StatusOr<std::vector<Saver::Target>> Saver::Targets() const {
  std::vector<Target> targets;
  auto add = [&](const VariableInfo& v) {
    targets.push_back({v.variable->name(), BaseType(v.variable->output_type(0)),
                       v.variable->output_shape(0)});
  };
  if (options_.var_list.empty()) {
    for (const VariableInfo& v : graph_->variables()) {
      if (v.variable != nullptr) add(v);
    }
    return targets;
  }
  std::map<std::string, bool> seen;
  for (const std::string& name : options_.var_list) {
    const VariableInfo* v = graph_->FindVariable(name);
    if (v == nullptr || v->variable == nullptr) {
      return absl::NotFoundError(
          absl::StrCat("Saver: the graph has no variable '", name, "'"));
    }
    if (seen[name]) {
      return absl::InvalidArgumentError(
          absl::StrCat("Saver: variable '", name, "' is listed twice"));
    }
    seen[name] = true;
    add(*v);
  }
  return targets;
}

absl::Status Saver::save(Session& session, const std::string& path) const {
  FLOWLET_ASSIGN_OR_RETURN(std::vector<Target> targets, Targets());
  std::vector<std::pair<std::string, Tensor>> values;
  values.reserve(targets.size());
  for (const Target& t : targets) {
    absl::StatusOr<Tensor> value = session.VariableValue(t.name);
    if (!value.ok()) {
      return AnnotateStatus(
          value.status(),
          absl::StrCat("cannot save '", path, "': variable '", t.name, "': "));
    }
    values.emplace_back(t.name, *std::move(value));
  }
  return io::WriteNpz(path, values);
}

absl::Status Saver::restore(Session& session, const std::string& path) const {
  FLOWLET_ASSIGN_OR_RETURN(std::vector<Target> targets, Targets());
  absl::StatusOr<std::vector<std::pair<std::string, Tensor>>> read =
      io::ReadNpz(path, options_.limits);
  if (!read.ok()) {
    return AnnotateStatus(read.status(), "restore: ");
  }
  std::map<std::string, const Tensor*> by_key;
  for (const auto& [key, tensor] : *read) by_key[key] = &tensor;
  std::vector<std::string> problems;
  for (const Target& t : targets) {
    auto it = by_key.find(t.name);
    if (it == by_key.end()) {
      problems.push_back(absl::StrCat("missing key '", t.name, "'"));
      continue;
    }
    const Tensor& value = *it->second;
    if (value.dtype() != t.dtype) {
      problems.push_back(absl::StrCat(
          "'", t.name, "': checkpoint dtype ", DataTypeString(value.dtype()),
          " but the variable has dtype ", DataTypeString(t.dtype)));
    }
    if (!t.shape.IsCompatibleWith(value.shape())) {
      problems.push_back(absl::StrCat(
          "'", t.name, "': checkpoint shape ", value.shape().DebugString(),
          " but the variable has shape ", t.shape.DebugString()));
    }
  }
  if (!problems.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "restore from '", path, "' does not match the graph (", problems.size(),
        " problem", problems.size() > 1 ? "s" : "",
        "; no variable was changed): ", absl::StrJoin(problems, "; ")));
  }
  for (const Target& t : targets) {
    FLOWLET_RETURN_IF_ERROR(
        AnnotateStatus(session.SetVariableValue(t.name, *by_key[t.name]),
                       absl::StrCat("restore from '", path, "': ")));
  }
  return absl::OkStatus();
}

}  // namespace train
}  // namespace flowlet
