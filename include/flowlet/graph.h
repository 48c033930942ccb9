// Graph, Node, Output and Operation: the dataflow graph users build and
// sessions run.
#ifndef FLOWLET_GRAPH_H_
#define FLOWLET_GRAPH_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "flowlet/attr_map.h"
#include "flowlet/tensor.h"
#include "flowlet/tensor_shape.h"
#include "flowlet/types.h"
#include "proto/attr_value.pb.h"

namespace flowlet {

class Graph;
class Node;
class Scope;
struct OpDef;

// What graph construction knows of an integer tensor's value: its (fully known)
// shape and each element, or kUnknown. Shape, StridedSlice, Pack, Mul...
// propagate it, so the output size of a layer whose batch is unknown still has
// its static dims (tensorflow#8972).
struct PartialValue {
  static constexpr int64_t kUnknown = INT64_MIN;
  TensorShape shape;
  std::vector<int64_t> values;
  bool IsFullyKnown() const;
};

// The index-th output of a node. An Output may instead carry the error that
// stopped its construction: op builders return Output, check their inputs'
// status first and pass the first error on, so expressions nest and the error
// surfaces where the result is used.
class Output {
 public:
  Output() = default;
  Output(Node* node, int index) : node_(node), index_(index) {}
  // An Output carrying an error (status must not be OK).
  explicit Output(absl::Status error);

  bool ok() const { return error_ == nullptr && node_ != nullptr; }
  // True for a default-constructed Output: no node and no error ("nothing",
  // e.g. a regularizer that adds no loss). An Output carrying an error is not
  // empty.
  bool empty() const { return error_ == nullptr && node_ == nullptr; }
  // OK, the construction error, or FailedPrecondition for a default-constructed
  // Output.
  absl::Status status() const;

  Node* node() const { return node_; }
  int index() const { return index_; }
  DataType dtype() const;
  const TensorShape& shape() const;
  // "name" for output 0, "name:1" otherwise (TensorFlow's input-string form).
  std::string name() const;
  // "name:0" style (TensorFlow's tensor name, used in collections).
  std::string tensor_name() const;

  bool operator==(const Output& o) const {
    return node_ == o.node_ && index_ == o.index_;
  }
  bool operator!=(const Output& o) const { return !(*this == o); }
  bool operator<(const Output& o) const;

 private:
  Node* node_ = nullptr;
  int index_ = 0;
  std::shared_ptr<const absl::Status> error_;
};

// A node used for its effect (a target of Session::Run), possibly carrying a
// construction error.
class Operation {
 public:
  Operation() = default;
  explicit Operation(Node* node) : node_(node) {}
  explicit Operation(absl::Status error);
  bool ok() const { return error_ == nullptr && node_ != nullptr; }
  absl::Status status() const;
  Node* node() const { return node_; }
  std::string name() const;

 private:
  Node* node_ = nullptr;
  std::shared_ptr<const absl::Status> error_;
};

class Node {
 public:
  const std::string& name() const { return name_; }
  const std::string& op() const { return op_; }
  const std::string& device() const { return device_; }
  // Position in the graph (creation order); stable for the graph's lifetime.
  int id() const { return id_; }
  const OpDef& op_def() const { return *op_def_; }
  Graph* graph() const { return graph_; }

  int num_inputs() const { return static_cast<int>(inputs_.size()); }
  const Output& input(int i) const { return inputs_[i]; }
  const std::vector<Output>& inputs() const { return inputs_; }
  const std::vector<Node*>& control_inputs() const { return control_inputs_; }
  // Data type each input expects (refs for inputs declared Ref(T)).
  DataType input_type(int i) const { return input_types_[i]; }

  int num_outputs() const { return static_cast<int>(output_types_.size()); }
  DataType output_type(int i) const { return output_types_[i]; }
  const TensorShape& output_shape(int i) const { return output_shapes_[i]; }
  const std::optional<PartialValue>& output_value(int i) const {
    return output_values_[i];
  }
  Output output(int i) { return Output(this, i); }

  const AttrMap& attrs() const { return attrs_; }
  // nullptr if absent.
  const tensorflow::AttrValue* FindAttr(absl::string_view name) const;

 private:
  friend class Graph;
  Node() = default;

  Graph* graph_ = nullptr;
  int id_ = -1;
  std::string name_;
  std::string op_;
  std::string device_;
  const OpDef* op_def_ = nullptr;
  std::vector<Output> inputs_;
  std::vector<DataType> input_types_;
  std::vector<Node*> control_inputs_;
  AttrMap attrs_;
  std::vector<DataType> output_types_;
  std::vector<TensorShape> output_shapes_;
  std::vector<std::optional<PartialValue>> output_values_;
};

// What a new node is made of. Attrs missing from `attrs` take their OpDef
// defaults.
struct NodeSpec {
  std::string name;
  std::string op;
  std::vector<Output> inputs;
  std::vector<Node*> control_inputs;
  AttrMap attrs;
  std::string device;
};

// A variable known to the graph (created by get_variable or imported from a
// MetaGraphDef).
struct VariableInfo {
  Node* variable = nullptr;     // VariableV2
  Node* initializer = nullptr;  // Assign of the initial value
  Output snapshot;              // Identity "<var>/read"
  Output initial_value;
  bool trainable = true;
  // The constraint's canonical spec (flowlet/layers/constraints.h:
  // "max_norm(max_value=2,axis=[0,1,2])", "non_neg()", ...; "custom" for a
  // user function), or empty. Kept across MetaGraphDef export/import.
  std::string constraint_spec;
  // Builds constraint(v) under `scope` for the optimizer; empty if
  // unconstrained. Rebuilt from constraint_spec on import (a custom function
  // is not serializable: it is lost on export).
  std::function<Output(const Scope& scope, Output v)> constraint;
};

// Standard collection keys (TensorFlow's GraphKeys).
struct GraphKeys {
  static constexpr const char* kGlobalVariables = "variables";
  static constexpr const char* kTrainableVariables = "trainable_variables";
  static constexpr const char* kRegularizationLosses = "regularization_losses";
  static constexpr const char* kLosses = "losses";
  static constexpr const char* kUpdateOps = "update_ops";
};

// A Graph owns its nodes. Nodes are only added, never removed; a rejected
// AddNode leaves the graph unchanged. Not thread-safe for concurrent mutation;
// sessions may run it while nobody adds nodes.
class Graph {
 public:
  Graph();
  ~Graph();
  Graph(const Graph&) = delete;
  Graph& operator=(const Graph&) = delete;

  // Validates `spec` against the op registry (known op, arity, input dtypes,
  // attrs and their defaults, unique name, inputs from this graph) and runs the
  // op's shape function. Errors name the node.
  absl::StatusOr<Node*> AddNode(NodeSpec spec);

  int num_nodes() const { return static_cast<int>(nodes_.size()); }
  Node* node(int id) const { return nodes_[id].get(); }
  // nullptr if absent.
  Node* FindNode(absl::string_view name) const;
  // Parses "name", "name:1" or "name:0"; NotFound / InvalidArgument if it is
  // not an output.
  absl::StatusOr<Output> FindOutput(absl::string_view tensor_name) const;
  // Incremented by every change (nodes, collections, variables); sessions key
  // caches on it.
  uint64_t version() const { return version_; }

  // Collections: ordered lists of outputs keyed by name (GraphKeys or user
  // keys). Variables are stored as output 0 of their VariableV2 node.
  void AddToCollection(const std::string& key, Output value);
  const std::vector<Output>& GetCollection(const std::string& key) const;
  std::vector<std::string> CollectionKeys() const;

  // Variables in creation order.
  void RegisterVariable(VariableInfo info);
  const std::vector<VariableInfo>& variables() const { return variables_; }
  // nullptr if `name` is not a registered variable.
  const VariableInfo* FindVariable(absl::string_view name) const;
  VariableInfo* MutableVariable(absl::string_view name);

  // Graph-level random seed (tf.compat.v1.set_random_seed); unset by default.
  void set_seed(int64_t seed) {
    seed_ = seed;
    ++version_;
  }
  std::optional<int64_t> seed() const { return seed_; }
  // Op-level seed for a stateful random op without an explicit one:
  // TensorFlow's rule gives each new op its own deterministic seed once a graph
  // seed is set.
  int64_t NextOpSeed() { return ++last_op_seed_; }

  // Name bookkeeping shared by every Scope on this graph: how many times a name
  // (scope prefix) has been handed out, so "dense", "dense_1", ... are unique
  // per graph.
  std::map<std::string, int>& name_counts() { return name_counts_; }
  // Variable-scope bookkeeping: use counts of default-named variable scopes per
  // parent.
  std::map<std::string, int>& variable_scope_counts() {
    return variable_scope_counts_;
  }

 private:
  std::vector<std::unique_ptr<Node>> nodes_;
  std::map<std::string, Node*, std::less<>> by_name_;
  std::map<std::string, std::vector<Output>> collections_;
  std::vector<VariableInfo> variables_;
  std::map<std::string, int> name_counts_;
  std::map<std::string, int> variable_scope_counts_;
  std::optional<int64_t> seed_;
  int64_t last_op_seed_ = 0;
  uint64_t version_ = 0;
};

}  // namespace flowlet

#endif  // FLOWLET_GRAPH_H_
