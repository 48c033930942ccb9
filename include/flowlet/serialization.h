// Graph <-> tensorflow.GraphDef / MetaGraphDef, and graph files (.pb binary,
// .pbtxt text).
//
// Export writes what TensorFlow writes: nodes in creation order, inputs "n" /
// "n:1" then control inputs "^n", every attr (defaults included), the device.
// Import is TensorFlow's import_graph_def(name=prefix) for untrusted input:
// everything is validated before the target graph changes
// (shared/UNTRUSTED_INPUT.md rule 7), and no step recurses on the graph's size
// or depth.
#ifndef FLOWLET_SERIALIZATION_H_
#define FLOWLET_SERIALIZATION_H_

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "flowlet/graph.h"
#include "flowlet/resource_limits.h"
#include "google/protobuf/message_lite.h"
#include "proto/graph.pb.h"
#include "proto/meta_graph.pb.h"

namespace flowlet {

// versions.producer of every exported GraphDef (min_consumer 0).
constexpr int kGraphDefProducer = 1087;
// meta_info_def.meta_graph_version and tensorflow_version of every exported
// MetaGraphDef.
constexpr const char* kMetaGraphVersion = "v1.0";
constexpr const char* kFlowletVersionString = "flowlet-0.1";
// The flowlet-specific MetaGraphDef collection keeping
// VariableInfo::constraint_spec: a bytes_list with one
// "<variable node name>\t<constraint_spec>" entry per constrained variable
// (except spec "custom", a user function that cannot be rebuilt).
constexpr const char* kVariableConstraintsCollection =
    "flowlet_variable_constraints";

// The bytes of `message` with deterministic serialization (map entries sorted
// by key): the same message always gives the same bytes. Empty on failure (a
// message over 2 GiB).
std::string SerializeDeterministic(
    const google::protobuf::MessageLite& message);

// Fills `graph_def` (cleared first) with every node of `graph` in id order and
// versions { producer: kGraphDefProducer min_consumer: 0 }. Fails only on a
// graph holding an invalid node reference.
absl::Status ExportGraphDef(const Graph& graph,
                            tensorflow::GraphDef* graph_def);

// VariableInfo::constraint's type.
using ConstraintFn = decltype(VariableInfo::constraint);

struct ImportOptions {
  // Non-empty: every imported node "x" becomes "<prefix>/x", and its inputs and
  // the collection entries and variables that name it likewise
  // (import_graph_def(name=prefix)). A trailing '/' is allowed.
  std::string prefix;
  // max_graph_nodes bounds the node count; max_proto_nesting bounds parsing
  // (ReadGraphFile).
  ResourceLimits limits;
  // MetaGraphDef import: builds VariableInfo::constraint from a variable's
  // constraint_spec, e.g. from layers' ConstraintFromSpec (src/graph cannot
  // depend on layers). Unset: constraint_spec is kept and `constraint` stays
  // empty. An error refuses the import.
  std::function<absl::StatusOr<ConstraintFn>(const std::string& spec)>
      make_constraint;
};

// Adds the nodes of `graph_def` to `graph` in a topological order (the
// GraphDef's own order when it is already topological, so export -> import ->
// export is byte-identical).
//
// Refused, naming the node, with the target graph left unchanged:
//  - more than options.limits.max_graph_nodes nodes (ResourceExhausted);
//  - a non-empty function library (InvalidArgument);
//  - an invalid or duplicate node name (InvalidArgument), or a name that
//    already exists in `graph` after prefixing (AlreadyExists);
//  - an unknown op: "node 'x': Op type not registered 'Foo'" (NotFound);
//  - a malformed input string, an input naming no node, an output index the
//    node does not have ("node 'x': input 1 'y:3' refers to output 3 but 'y'
//    has 1 output"), a data input after a control input (InvalidArgument);
//  - a cycle, reported with the nodes on it (InvalidArgument);
//  - anything Graph::AddNode refuses (attrs, dtypes, shapes).
// The nodes are first built in a private scratch graph and only copied into
// `graph` once all of them were accepted, so a failed import never leaves part
// of the graph behind.
absl::Status ImportGraphDef(const tensorflow::GraphDef& graph_def, Graph* graph,
                            const ImportOptions& options = {});

// graph_def (ExportGraphDef), meta_info_def { meta_graph_version: "v1.0"
// tensorflow_version: kFlowletVersionString } and collection_def:
//  - "variables" / "trainable_variables": bytes_list of serialized
//    VariableDef (variable_name "v:0", initializer_name "v/Assign",
//    snapshot_name "v/read:0", initial_value_name, trainable, is_resource
//    false) from Graph::variables() (all / the trainable ones);
//  - kVariableConstraintsCollection when some variable has a constraint_spec;
//  - every other non-empty collection of the graph: node_list of tensor names
//    ("loss:0"), or the node name for a node without outputs (a NoOp
//    train_op).
absl::Status ExportMetaGraphDef(const Graph& graph,
                                tensorflow::MetaGraphDef* meta_graph_def);

// ImportGraphDef of meta_graph_def.graph_def, then: RegisterVariable for each
// VariableDef of "variables" (and of "trainable_variables" not in "variables"),
// in order, with trainable from the VariableDef or membership of
// "trainable_variables"; constraint specs from kVariableConstraintsCollection;
// every node_list collection rebuilt in order (appended to the graph's
// collections of the same key). Collections of other kinds (TensorFlow's
// cond_context, savers...) are skipped; saver_def and signature_def are
// ignored. Every entry is validated before the graph changes; a failed import
// leaves it unchanged.
absl::Status ImportMetaGraphDef(const tensorflow::MetaGraphDef& meta_graph_def,
                                Graph* graph,
                                const ImportOptions& options = {});

// Writes ExportGraphDef / ExportMetaGraphDef of `graph` to `path`: text format
// if the path ends in ".pbtxt" or ".txt", deterministic binary otherwise.
// Atomic: written to a temporary file in the same directory, fsync'ed and
// renamed over `path`; on failure no temporary file remains. A binary file
// starts with an integrity record (the graph's byte count and CRC-32, in a
// field number no schema uses, which TensorFlow's parsers skip as unknown).
absl::Status WriteGraphDefFile(const Graph& graph, const std::string& path);
absl::Status WriteMetaGraphFile(const Graph& graph, const std::string& path);

// Reads a MetaGraphDef or a GraphDef, binary or text, whatever the extension; a
// GraphDef comes back wrapped in a MetaGraphDef without meta_info_def or
// collections. Parsing is bounded by limits.max_proto_nesting; text
// MetaGraphDefs may hold fields flowlet does not know (stripped_op_list...).
// Refuses an unreadable, empty, unparsable or node-less file. Every error names
// the file. A file with flowlet's integrity record whose size or CRC-32
// disagrees with it (truncated, corrupted) is DataLoss; files without one
// (from TensorFlow, text) have no such check.
absl::StatusOr<tensorflow::MetaGraphDef> ReadGraphFile(
    const std::string& path, const ResourceLimits& limits = {});

}  // namespace flowlet

#endif  // FLOWLET_SERIALIZATION_H_
