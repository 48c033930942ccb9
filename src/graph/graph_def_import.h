// Internals of GraphDef import shared with MetaGraphDef import
// (src/graph/meta_graph.cc).
#ifndef FLOWLET_SRC_GRAPH_GRAPH_DEF_IMPORT_H_
#define FLOWLET_SRC_GRAPH_GRAPH_DEF_IMPORT_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "flowlet/graph.h"
#include "flowlet/serialization.h"
#include "proto/graph.pb.h"

namespace flowlet {
namespace internal {

// One entry of NodeDef.input: "node", "node:3" or "^node".
struct TensorRef {
  absl::string_view node;
  int index = 0;  // 0 for a control input.
  bool control = false;
};
// InvalidArgument (without a node prefix) if `text` is none of the three forms.
absl::Status ParseTensorRef(absl::string_view text, TensorRef* ref);

// The prefix of ImportOptions without its trailing '/', after checking that it
// is a valid node name; "" for none.
absl::StatusOr<std::string> NormalizePrefix(const std::string& prefix);
// "<prefix>/<name>", or `name` when the prefix is empty.
std::string PrefixedName(const std::string& prefix, absl::string_view name);

// Validates `graph_def` (every structural rule of UNTRUSTED_INPUT.md rule 7)
// and builds its nodes, under their own names, in a new graph, in topological
// order (the GraphDef's order when it is already topological).
absl::StatusOr<std::unique_ptr<Graph>> BuildScratchGraph(
    const tensorflow::GraphDef& graph_def, const ImportOptions& options);

// Copies every node of `scratch` into `target` under "<prefix>/<name>", in id
// order. Checks first that none of those names exists in `target`
// (AlreadyExists, graph unchanged). Returns the target node of each scratch
// node id.
absl::StatusOr<std::vector<Node*>> ReplayInto(const Graph& scratch,
                                              const std::string& prefix,
                                              Graph* target);

}  // namespace internal
}  // namespace flowlet

#endif  // FLOWLET_SRC_GRAPH_GRAPH_DEF_IMPORT_H_
