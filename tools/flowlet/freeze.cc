// `flowlet freeze`: variables become Consts holding the checkpoint's values,
// and the graph is pruned to what the outputs need.
#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "flowlet/io/npy.h"
#include "flowlet/ops/array_ops.h"
#include "flowlet/scope.h"
#include "flowlet/serialization.h"
#include "tools/flowlet/cli_util.h"
#include "tools/flowlet/feed_spec.h"
#include "tools/flowlet/flags.h"
#include "tools/flowlet/graph_loading.h"
#include "tools/flowlet/subcommand.h"

namespace flowlet {
namespace cli {

const char kFreezeUsage[] =
    "usage: flowlet freeze --graph=G --checkpoint=C.npz --outputs=a,b "
    "--out=F [--overwrite]\n"
    "Replaces every variable the outputs read by a Const holding its value in\n"
    "the checkpoint (a missing one is an error), drops what the outputs do\n"
    "not need (initializers, Assign, training ops) and writes a GraphDef\n"
    "(text if F ends in .pbtxt / .txt) that runs without a checkpoint.\n"
    "example: flowlet freeze --graph=model.meta.pb --checkpoint=ckpt.npz "
    "--outputs=images --out=frozen.pb\n";

namespace {

// Ops whose control edges are dropped and which may not feed an output.
bool IsStateUpdate(const std::string& op) {
  return op == "Assign" || op == "AssignAdd" || op == "AssignSub" ||
         absl::StartsWith(op, "Apply") || absl::StartsWith(op, "ResourceApply");
}

// The NodeDef of a Const named `name` holding `value`, built through the
// public graph API.
absl::StatusOr<tensorflow::NodeDef> ConstNodeDef(const std::string& name,
                                                 const Tensor& value) {
  Graph scratch;
  Scope root = Scope::NewRootScope(&scratch);
  Output c = ops::Const(root.WithOpName(name + "/"), value);
  if (!c.ok()) return c.status();
  tensorflow::GraphDef def;
  if (absl::Status s = ExportGraphDef(scratch, &def); !s.ok()) return s;
  for (const tensorflow::NodeDef& n : def.node())
    if (n.name() == name) return n;
  return absl::InternalError(absl::StrCat("no Const '", name, "' built"));
}

}  // namespace

int RunFreeze(const std::vector<std::string>& args) {
  const std::string sub = "freeze";
  if (!args.empty())
    return UsageError(sub, absl::StrCat("unexpected argument '", args[0], "'"));
  const std::string graph_path = absl::GetFlag(FLAGS_graph);
  const std::string ckpt_path = absl::GetFlag(FLAGS_checkpoint);
  const std::string out_path = absl::GetFlag(FLAGS_out);
  if (graph_path.empty()) return UsageError(sub, "--graph is required");
  if (ckpt_path.empty()) return UsageError(sub, "--checkpoint is required");
  if (out_path.empty()) return UsageError(sub, "--out is required");
  absl::StatusOr<std::vector<std::string>> outputs =
      ParseNodeList(absl::GetFlag(FLAGS_outputs), "outputs");
  if (!outputs.ok())
    return UsageError(sub, std::string(outputs.status().message()));
  if (outputs->empty()) return UsageError(sub, "--outputs is required");
  if (!absl::GetFlag(FLAGS_overwrite) && FileExists(out_path)) {
    return RuntimeError(sub, absl::FailedPreconditionError(absl::StrCat(
                                 "output file ", out_path,
                                 " exists (pass --overwrite to replace it)")));
  }

  Graph graph;
  tensorflow::MetaGraphDef meta;
  if (absl::Status s = LoadGraph(graph_path, &graph, {}, &meta); !s.ok())
    return RuntimeError(sub, s);
  absl::StatusOr<std::vector<std::pair<std::string, Tensor>>> ckpt =
      io::ReadNpz(ckpt_path);
  if (!ckpt.ok()) return RuntimeError(sub, ckpt.status());
  std::map<std::string, Tensor> values(ckpt->begin(), ckpt->end());

  // What the outputs need, walking inputs iteratively.
  std::set<const Node*> keep;
  std::set<std::string> dropped_control;  // names of dropped control inputs
  std::vector<const Node*> stack;
  for (const std::string& name : *outputs) {
    const Node* n = graph.FindNode(name);
    if (n == nullptr) {
      return RuntimeError(
          sub, absl::NotFoundError(absl::StrCat(
                   "--outputs: the graph has no node '", name, "'")));
    }
    if (keep.insert(n).second) stack.push_back(n);
  }
  while (!stack.empty()) {
    const Node* n = stack.back();
    stack.pop_back();
    if (IsStateUpdate(n->op())) {
      return RuntimeError(
          sub, absl::InvalidArgumentError(absl::StrCat(
                   "node '", n->name(), "' (", n->op(),
                   ") updates a variable and an output needs its value; it "
                   "cannot be frozen")));
    }
    for (const Output& in : n->inputs()) {
      if (keep.insert(in.node()).second) stack.push_back(in.node());
    }
    for (const Node* c : n->control_inputs()) {
      if (IsStateUpdate(c->op()) || c->op() == "NoOp") {
        dropped_control.insert(c->name());
        continue;
      }
      if (keep.insert(c).second) stack.push_back(c);
    }
  }

  tensorflow::GraphDef frozen;
  *frozen.mutable_versions() = meta.graph_def().versions();
  int frozen_vars = 0;
  for (const tensorflow::NodeDef& def : meta.graph_def().node()) {
    const Node* n = graph.FindNode(def.name());
    if (n == nullptr || !keep.count(n)) continue;
    if (def.op() == "VariableV2") {
      auto it = values.find(def.name());
      if (it == values.end()) {
        return RuntimeError(
            sub, absl::NotFoundError(absl::StrCat("variable '", def.name(),
                                                  "' is not in the checkpoint ",
                                                  ckpt_path)));
      }
      const DataType dtype = BaseType(n->output_type(0));
      if (it->second.dtype() != dtype ||
          !n->output_shape(0).IsCompatibleWith(it->second.shape())) {
        return RuntimeError(
            sub, absl::InvalidArgumentError(absl::StrCat(
                     "variable '", def.name(), "' is ", DataTypeString(dtype),
                     " ", n->output_shape(0).DebugString(), ", the checkpoint ",
                     ckpt_path, " holds ", DataTypeString(it->second.dtype()),
                     " ", it->second.shape().DebugString())));
      }
      absl::StatusOr<tensorflow::NodeDef> c =
          ConstNodeDef(def.name(), it->second);
      if (!c.ok()) return RuntimeError(sub, c.status());
      c->set_device(def.device());
      *frozen.add_node() = *std::move(c);
      ++frozen_vars;
      continue;
    }
    tensorflow::NodeDef* copy = frozen.add_node();
    *copy = def;
    copy->clear_input();
    for (const std::string& in : def.input()) {
      if (absl::StartsWith(in, "^") && dropped_control.count(in.substr(1)))
        continue;
      copy->add_input(in);
    }
  }

  Graph result;
  if (absl::Status s = ImportGraphDef(frozen, &result); !s.ok()) {
    return RuntimeError(
        sub, absl::Status(s.code(), absl::StrCat("the frozen graph is "
                                                 "invalid: ",
                                                 s.message())));
  }
  if (absl::Status s = WriteGraphDefFile(result, out_path); !s.ok())
    return RuntimeError(sub, s);
  std::printf("froze %d variables; kept %d of %d nodes -> %s\n", frozen_vars,
              result.num_nodes(), graph.num_nodes(), out_path.c_str());
  return kExitOk;
}

}  // namespace cli
}  // namespace flowlet
