#include "tools/flowlet/graph_loading.h"

#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "flowlet/io/npy.h"
#include "flowlet/serialization.h"

namespace flowlet {
namespace cli {
namespace {

absl::Status Prefix(const absl::Status& s, const std::string& what) {
  if (s.ok() || absl::StrContains(s.message(), what)) return s;
  return absl::Status(s.code(), absl::StrCat(what, ": ", s.message()));
}

}  // namespace

bool IsTextPath(const std::string& path) {
  return absl::EndsWith(path, ".pbtxt") || absl::EndsWith(path, ".txt");
}

bool IsMetaGraphPath(const std::string& path) {
  return absl::EndsWith(path, ".meta.pb") ||
         absl::EndsWith(path, ".meta.pbtxt") ||
         absl::EndsWith(path, ".meta.txt");
}

absl::Status LoadGraph(const std::string& path, Graph* graph,
                       const ResourceLimits& limits,
                       tensorflow::MetaGraphDef* meta) {
  absl::StatusOr<tensorflow::MetaGraphDef> read = ReadGraphFile(path, limits);
  if (!read.ok()) return Prefix(read.status(), path);
  ImportOptions options;
  options.limits = limits;
  absl::Status s = ImportMetaGraphDef(*read, graph, options);
  if (!s.ok()) return Prefix(s, path);
  if (meta != nullptr) *meta = *std::move(read);
  return absl::OkStatus();
}

absl::Status LoadCheckpoint(const std::string& path, Session* session,
                            const ResourceLimits& limits) {
  absl::StatusOr<std::vector<std::pair<std::string, Tensor>>> members =
      io::ReadNpz(path, limits);
  if (!members.ok()) return Prefix(members.status(), path);
  for (const auto& [key, value] : *members) {
    absl::Status s = session->SetVariableValue(key, value);
    if (!s.ok()) {
      return absl::Status(s.code(), absl::StrCat("checkpoint ", path, " key '",
                                                 key, "': ", s.message()));
    }
  }
  return absl::OkStatus();
}

absl::Status ImportWithShapes(const tensorflow::MetaGraphDef& meta,
                              const std::map<std::string, TensorShape>& shapes,
                              Graph* graph) {
  tensorflow::MetaGraphDef copy = meta;
  for (tensorflow::NodeDef& node : *copy.mutable_graph_def()->mutable_node()) {
    auto it = shapes.find(node.name());
    if (it == shapes.end() || node.op() != "Placeholder") continue;
    tensorflow::TensorShapeProto* shape =
        (*node.mutable_attr())["shape"].mutable_shape();
    shape->Clear();
    for (int64_t d : it->second.dims()) shape->add_dim()->set_size(d);
  }
  return ImportMetaGraphDef(copy, graph);
}

}  // namespace cli
}  // namespace flowlet
