// `flowlet inspect G`: what a graph takes, computes and holds.
#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "flowlet/graph.h"
#include "tools/flowlet/cli_util.h"
#include "tools/flowlet/flops.h"
#include "tools/flowlet/graph_loading.h"
#include "tools/flowlet/subcommand.h"

namespace flowlet {
namespace cli {

const char kInspectUsage[] =
    "usage: flowlet inspect G.pb|G.pbtxt\n"
    "Prints the graph's inputs (placeholders), likely outputs (nodes nobody\n"
    "consumes, except init / NoOp / Assign), op counts, variables with\n"
    "parameter counts, collections and the FLOPs of its known-shape part.\n"
    "example: flowlet inspect model.meta.pb\n";

namespace {

bool NotAnOutput(const Node& n) {
  static const std::set<std::string> kOps = {
      "NoOp",       "Assign",       "AssignAdd", "AssignSub",
      "VariableV2", "SaveV2",       "RestoreV2", "ApplyGradientDescent",
      "ApplyAdam",  "ApplyMomentum"};
  return n.num_outputs() == 0 || kOps.count(n.op()) > 0 || n.name() == "init" ||
         absl::EndsWith(n.name(), "/init");
}

std::string ShapeOf(const Node& n, int i) {
  return n.output_shape(i).DebugString();
}

}  // namespace

int RunInspect(const std::vector<std::string>& args) {
  const std::string sub = "inspect";
  if (args.size() != 1) {
    return UsageError(sub, args.empty()
                               ? "expected a graph file"
                               : absl::StrCat("expected one graph file, got ",
                                              args.size(), " arguments"));
  }
  Graph graph;
  if (absl::Status s = LoadGraph(args[0], &graph); !s.ok())
    return RuntimeError(sub, s);

  std::vector<int> consumers(graph.num_nodes(), 0);
  std::map<std::string, int> op_counts;
  for (int i = 0; i < graph.num_nodes(); ++i) {
    const Node* n = graph.node(i);
    ++op_counts[n->op()];
    for (const Output& in : n->inputs()) ++consumers[in.node()->id()];
    for (const Node* c : n->control_inputs()) ++consumers[c->id()];
  }

  std::printf("graph: %s (%d nodes)\n", args[0].c_str(), graph.num_nodes());
  std::printf("inputs:\n");
  int inputs = 0;
  for (int i = 0; i < graph.num_nodes(); ++i) {
    const Node* n = graph.node(i);
    if (n->op() != "Placeholder" && n->op() != "PlaceholderWithDefault")
      continue;
    ++inputs;
    std::printf("  %s: %s %s%s\n", n->name().c_str(),
                DataTypeString(n->output_type(0)).c_str(),
                ShapeOf(*n, 0).c_str(),
                n->op() == "PlaceholderWithDefault" ? " (has a default)" : "");
  }
  if (inputs == 0) std::printf("  (none)\n");

  std::printf("likely outputs:\n");
  int outputs = 0;
  for (int i = 0; i < graph.num_nodes(); ++i) {
    const Node* n = graph.node(i);
    if (consumers[i] > 0 || NotAnOutput(*n)) continue;
    ++outputs;
    std::printf("  %s (%s): %s %s\n", n->name().c_str(), n->op().c_str(),
                DataTypeString(n->output_type(0)).c_str(),
                ShapeOf(*n, 0).c_str());
  }
  if (outputs == 0) std::printf("  (none)\n");

  std::vector<std::pair<std::string, int>> ops(op_counts.begin(),
                                               op_counts.end());
  std::stable_sort(ops.begin(), ops.end(), [](const auto& a, const auto& b) {
    return a.second > b.second;
  });
  std::printf("ops (%zu types):\n", ops.size());
  for (const auto& [op, count] : ops)
    std::printf("  %-28s %d\n", op.c_str(), count);

  // Variables: the registered ones (MetaGraphDef), then bare VariableV2 nodes.
  std::printf("variables:\n");
  int64_t total = 0, trainable_total = 0;
  int nvars = 0;
  std::set<const Node*> listed;
  for (const VariableInfo& v : graph.variables()) {
    listed.insert(v.variable);
    const TensorShape& shape = v.variable->output_shape(0);
    const int64_t params = shape.IsFullyDefined() ? shape.num_elements() : 0;
    total += params;
    if (v.trainable) trainable_total += params;
    ++nvars;
    std::printf("  %s: %s %s, %lld parameters, %s\n",
                v.variable->name().c_str(),
                DataTypeString(BaseType(v.variable->output_type(0))).c_str(),
                shape.DebugString().c_str(), static_cast<long long>(params),
                v.trainable ? "trainable" : "not trainable");
  }
  for (int i = 0; i < graph.num_nodes(); ++i) {
    const Node* n = graph.node(i);
    if (n->op() != "VariableV2" || listed.count(n)) continue;
    const TensorShape& shape = n->output_shape(0);
    const int64_t params = shape.IsFullyDefined() ? shape.num_elements() : 0;
    total += params;
    ++nvars;
    std::printf(
        "  %s: %s %s, %lld parameters, trainable: unknown (not in a "
        "collection)\n",
        n->name().c_str(), DataTypeString(BaseType(n->output_type(0))).c_str(),
        shape.DebugString().c_str(), static_cast<long long>(params));
  }
  if (nvars == 0) std::printf("  (none)\n");
  std::printf("parameters: %lld total, %lld trainable\n",
              static_cast<long long>(total),
              static_cast<long long>(trainable_total));

  std::printf("collections:\n");
  std::vector<std::string> keys = graph.CollectionKeys();
  int ncollections = 0;
  for (const std::string& key : keys) {
    const std::vector<Output>& items = graph.GetCollection(key);
    if (items.empty()) continue;
    ++ncollections;
    std::vector<std::string> names;
    for (size_t i = 0; i < items.size() && i < 8; ++i)
      names.push_back(items[i].node() ? items[i].tensor_name() : "?");
    std::printf("  %s (%zu): %s%s\n", key.c_str(), items.size(),
                absl::StrJoin(names, ", ").c_str(),
                items.size() > 8 ? ", ..." : "");
  }
  if (ncollections == 0) std::printf("  (none)\n");

  FlopCount flops = CountFlops(graph);
  std::printf(
      "flops: %.6g (%.3f GFLOP) in %d counted nodes of the known-shape "
      "part\n",
      flops.total, flops.total / 1e9, flops.counted);
  if (!flops.skipped.empty()) {
    std::printf("  skipped for unknown shapes: %s\n",
                absl::StrJoin(flops.skipped, ", ").c_str());
  }
  return kExitOk;
}

}  // namespace cli
}  // namespace flowlet
