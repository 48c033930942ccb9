#include "tools/flowlet/dot_writer.h"

#include <algorithm>
#include <map>
#include <set>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace flowlet {
namespace cli {
namespace {

std::string ScopeOf(const std::string& name) {
  size_t slash = name.rfind('/');
  return slash == std::string::npos ? "" : name.substr(0, slash);
}

// True if `scope` is `parent` or inside it.
bool Within(const std::string& scope, const std::string& parent) {
  return parent.empty() || scope == parent ||
         (scope.size() > parent.size() && scope[parent.size()] == '/' &&
          scope.compare(0, parent.size(), parent) == 0);
}

}  // namespace

std::string DotQuote(absl::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string GraphToDot(const Graph& graph) {
  // Every scope and its ancestors, and the nodes directly in each.
  std::map<std::string, std::vector<const Node*>> members;
  std::set<std::vector<std::string>> scopes;  // by components: preorder
  for (int i = 0; i < graph.num_nodes(); ++i) {
    const Node* n = graph.node(i);
    std::string scope = ScopeOf(n->name());
    members[scope].push_back(n);
    if (scope.empty()) continue;
    std::vector<std::string> parts = absl::StrSplit(scope, '/');
    while (!parts.empty()) {
      scopes.insert(parts);
      parts.pop_back();
    }
  }
  std::string out = "digraph flowlet {\n  rankdir=TB;\n  node [shape=box];\n";
  auto emit_nodes = [&](const std::string& scope, const std::string& indent) {
    auto it = members.find(scope);
    if (it == members.end()) return;
    for (const Node* n : it->second) {
      absl::StrAppend(
          &out, indent, DotQuote(n->name()), " [label=",
          DotQuote(absl::StrCat(
              n->name().substr(scope.empty() ? 0 : scope.size() + 1), "\n",
              n->op())),
          "];\n");
    }
  };
  emit_nodes("", "  ");
  std::vector<std::string> open;  // stack of open cluster scopes
  for (const std::vector<std::string>& parts : scopes) {
    std::string scope = absl::StrJoin(parts, "/");
    while (!open.empty() && !Within(scope, open.back())) {
      open.pop_back();
      absl::StrAppend(&out, std::string(2 * open.size() + 2, ' '), "}\n");
    }
    const std::string indent(2 * open.size() + 2, ' ');
    absl::StrAppend(&out, indent, "subgraph ", DotQuote("cluster_" + scope),
                    " {\n", indent, "  label=", DotQuote(parts.back()), ";\n");
    open.push_back(scope);
    emit_nodes(scope, indent + "  ");
  }
  while (!open.empty()) {
    open.pop_back();
    absl::StrAppend(&out, std::string(2 * open.size() + 2, ' '), "}\n");
  }
  for (int i = 0; i < graph.num_nodes(); ++i) {
    const Node* n = graph.node(i);
    for (const Output& in : n->inputs()) {
      absl::StrAppend(&out, "  ", DotQuote(in.node()->name()), " -> ",
                      DotQuote(n->name()));
      const TensorShape& shape = in.node()->output_shape(in.index());
      if (!shape.unknown_rank())
        absl::StrAppend(&out, " [label=", DotQuote(shape.DebugString()), "]");
      absl::StrAppend(&out, ";\n");
    }
    for (const Node* c : n->control_inputs()) {
      absl::StrAppend(&out, "  ", DotQuote(c->name()), " -> ",
                      DotQuote(n->name()), " [style=dashed];\n");
    }
  }
  out += "}\n";
  return out;
}

}  // namespace cli
}  // namespace flowlet
