// get_variable (TensorFlow's variable store rules), the default initializers,
// and the variable initializer ops. The nodes are built with Scope::AddNode
// directly (not the builders of //src/ops, which depends on this library).
#include "flowlet/variables.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "flowlet/tensor.h"
#include "src/core/attr_util.h"
#include "src/core/status_macros.h"

namespace flowlet {
namespace {

// Python's DType.name: "float32", "float16", "int32", ..., "float32_ref".
std::string PythonDTypeName(DataType t) {
  std::string base;
  switch (BaseType(t)) {
    case DT_FLOAT:
      base = "float32";
      break;
    case DT_DOUBLE:
      base = "float64";
      break;
    case DT_HALF:
      base = "float16";
      break;
    default:
      base = DataTypeString(BaseType(t));
  }
  return IsRefType(t) ? base + "_ref" : base;
}

// Python's str(TensorShape): "(3, 3, 32, 4)", "(4,)", "()", "(None, 3)",
// "<unknown>".
std::string PythonShapeString(const TensorShape& shape) {
  if (shape.unknown_rank()) return "<unknown>";
  std::vector<std::string> dims;
  for (int64_t d : shape.dims()) {
    dims.push_back(d < 0 ? "None" : absl::StrCat(d));
  }
  if (dims.size() == 1) return absl::StrCat("(", dims[0], ",)");
  return absl::StrCat("(", absl::StrJoin(dims, ", "), ")");
}

// TensorFlow's node-name rule: [A-Za-z0-9.][A-Za-z0-9_.\-/>]*
bool IsValidNodeName(absl::string_view name) {
  if (name.empty()) return false;
  if (!absl::ascii_isalnum(name[0]) && name[0] != '.') return false;
  for (char c : name.substr(1)) {
    if (!absl::ascii_isalnum(c) && c != '_' && c != '.' && c != '-' &&
        c != '/' && c != '>') {
      return false;
    }
  }
  return name.back() != '/';
}

std::mutex& DefaultInitializerMutex() {
  static std::mutex* mu = new std::mutex();
  return *mu;
}

Initializer& DefaultFloatInitializerSlot() {
  static Initializer* init = new Initializer();
  return *init;
}

Initializer DefaultFloatInitializer() {
  std::lock_guard<std::mutex> lock(DefaultInitializerMutex());
  return DefaultFloatInitializerSlot();
}

AttrMap ConstAttrs(const Tensor& value) {
  return {{"dtype", AttrType(value.dtype())}, {"value", AttrTensor(value)}};
}

// TensorFlow's array_ops.zeros(shape, dtype) under `scope`: a Const named
// "zeros" below 1000 elements, else Fill("zeros/shape_as_tensor",
// "zeros/Const") named "zeros".
Output Zeros(const Scope& scope, const TensorShape& shape, DataType dtype) {
  const Scope zeros = scope.NewSubScope("zeros");
  const Scope exact = scope.WithOpName(zeros.name_scope() + "/");
  const int64_t n = shape.num_elements();
  if (n >= 0 && n < 1000) {
    return MakeOutput(
        exact.AddNode("Const", "Const", {}, ConstAttrs(Tensor(dtype, shape))));
  }
  bool wide = false;
  for (int64_t d : shape.dims()) {
    wide = wide || d > std::numeric_limits<int32_t>::max();
  }
  Tensor dims;
  if (wide) {
    dims = Tensor::Vector<int64_t>(shape.dims());
  } else {
    std::vector<int32_t> d32(shape.dims().begin(), shape.dims().end());
    dims = Tensor::Vector<int32_t>(d32);
  }
  Output shape_t =
      MakeOutput(zeros.WithOpName("shape_as_tensor")
                     .AddNode("Const", "Const", {}, ConstAttrs(dims)));
  Output zero = MakeOutput(
      zeros.AddNode("Const", "Const", {}, ConstAttrs(Tensor(dtype, {}))));
  AttrMap fill_attrs = {{"T", AttrType(dtype)}};
  if (wide) fill_attrs["index_type"] = AttrType(DT_INT64);
  return MakeOutput(exact.AddNode("Fill", "Fill", {shape_t, zero}, fill_attrs));
}

// The initializer get_variable uses: the explicit one, the variable scope's,
// the registered default for floats (glorot_uniform), or zeros.
Initializer ResolveInitializer(const GetVariableOptions& options,
                               const VariableScopeState& vs, DataType dtype) {
  if (options.initializer) return options.initializer;
  if (vs.initializer) return vs.initializer;
  if (IsFloatingDataType(dtype)) {
    Initializer registered = DefaultFloatInitializer();
    if (registered) return registered;
  }
  return Zeros;
}

// Checks made before any node is added, so that a rejected call leaves the
// graph unchanged.
absl::Status ValidateNewVariable(const Graph& graph, const std::string& full,
                                 const TensorShape& shape, DataType dtype,
                                 bool has_initializer) {
  if (!IsValidNodeName(full)) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", full,
                     "' is not a valid variable name (expected "
                     "[A-Za-z0-9.][A-Za-z0-9_.\\-/>]*)"));
  }
  if (const Node* node = graph.FindNode(full)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Cannot create variable ", full, ": the graph already has a node '",
        full, "' (", node->op(),
        ") that is not a variable created with get_variable"));
  }
  if (!shape.IsFullyDefined()) {
    return absl::InvalidArgumentError(
        absl::StrCat("Shape of a new variable (", full,
                     ") must be fully defined, but instead was ",
                     PythonShapeString(shape), "."));
  }
  if (shape.num_elements() < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("Shape of a new variable (", full, ") ",
                     PythonShapeString(shape), " has too many elements"));
  }
  if (!IsSupportedDataType(dtype)) {
    if (!has_initializer) {
      return absl::InvalidArgumentError(
          absl::StrCat("An initializer for variable ", full, " of type ",
                       PythonDTypeName(dtype), " is required"));
    }
    return absl::InvalidArgumentError(
        absl::StrCat("Variable ", full, ": dtype ", PythonDTypeName(dtype),
                     " is not supported (float32, float64, float16, "
                     "bfloat16, int32, int64, int8, uint8, bool)"));
  }
  return absl::OkStatus();
}

absl::StatusOr<VariableInfo> CreateVariable(const Scope& scope,
                                            const std::string& full,
                                            const TensorShape& shape,
                                            DataType dtype,
                                            const GetVariableOptions& options) {
  Graph* graph = scope.graph();
  const VariableScopeState& vs = scope.variable_scope();
  // TensorFlow builds variables in init_scope: no control dependencies.
  const Scope var_scope = scope.WithNoControlDependencies().WithNameScope(full);

  // The initial value, under "<var>/Initializer/" and on no device.
  const Initializer init_fn = ResolveInitializer(options, vs, dtype);
  const Scope init_scope = var_scope.WithDevice("").NewSubScope("Initializer");
  const Output init = init_fn(init_scope, shape, dtype);
  const std::string init_where =
      absl::StrCat("initializer of variable ", full, ": ");
  if (!init.ok()) return AnnotateStatus(init.status(), init_where);
  if (BaseType(init.dtype()) != dtype) {
    return absl::InvalidArgumentError(absl::StrCat(
        init_where, "'", init.name(), "' has dtype ",
        PythonDTypeName(init.dtype()), ", expected ", PythonDTypeName(dtype)));
  }
  if (!init.shape().IsCompatibleWith(shape)) {
    return absl::InvalidArgumentError(
        absl::StrCat(init_where, "'", init.name(), "' has shape ",
                     PythonShapeString(init.shape()), ", expected ",
                     PythonShapeString(shape)));
  }

  FLOWLET_ASSIGN_OR_RETURN(Node * var,
                           var_scope.WithOpName(full + "/")
                               .AddNode("VariableV2", "VariableV2", {},
                                        {{"shape", AttrShape(shape)},
                                         {"dtype", AttrType(dtype)},
                                         {"container", AttrString("")},
                                         {"shared_name", AttrString("")}}));
  FLOWLET_ASSIGN_OR_RETURN(
      Node * assign,
      var_scope.AddNode("Assign", "Assign", {var->output(0), init},
                        {{"T", AttrType(dtype)},
                         {"validate_shape", AttrBool(true)},
                         {"use_locking", AttrBool(true)}}));
  FLOWLET_ASSIGN_OR_RETURN(
      Node * read, var_scope.AddNode("Identity", "read", {var->output(0)},
                                     {{"T", AttrType(dtype)}}));

  VariableInfo info;
  info.variable = var;
  info.initializer = assign;
  info.snapshot = read->output(0);
  info.initial_value = init;
  info.trainable = options.trainable;
  info.constraint_spec = options.constraint_spec;
  info.constraint = options.constraint;
  graph->RegisterVariable(info);

  std::vector<std::string> keys = {GraphKeys::kGlobalVariables};
  if (options.trainable) keys.push_back(GraphKeys::kTrainableVariables);
  for (const std::string& key : options.collections) keys.push_back(key);
  std::vector<std::string> added;
  for (const std::string& key : keys) {
    if (std::find(added.begin(), added.end(), key) != added.end()) continue;
    added.push_back(key);
    graph->AddToCollection(key, var->output(0));
  }

  // The regularizer runs once, at creation, on the read value.
  const Regularizer regularizer =
      options.regularizer ? options.regularizer : vs.regularizer;
  if (regularizer) {
    const Output loss = regularizer(
        scope.WithNameScope(absl::StrCat(full, "/Regularizer")), info.snapshot);
    if (!loss.empty()) {
      if (!loss.ok()) {
        return AnnotateStatus(
            loss.status(),
            absl::StrCat("regularizer of variable ", full, ": "));
      }
      const std::vector<Output>& losses =
          graph->GetCollection(GraphKeys::kRegularizationLosses);
      if (std::find(losses.begin(), losses.end(), loss) == losses.end()) {
        graph->AddToCollection(GraphKeys::kRegularizationLosses, loss);
      }
    }
  }
  return info;
}

std::vector<VariableInfo> VariablesIn(const Graph& graph,
                                      const std::string& key) {
  std::vector<VariableInfo> out;
  for (const Output& o : graph.GetCollection(key)) {
    if (o.node() == nullptr) continue;
    const VariableInfo* info = graph.FindVariable(o.node()->name());
    if (info != nullptr) out.push_back(*info);
  }
  return out;
}

}  // namespace

Initializer SetDefaultFloatInitializer(Initializer initializer) {
  std::lock_guard<std::mutex> lock(DefaultInitializerMutex());
  std::swap(DefaultFloatInitializerSlot(), initializer);
  return initializer;
}

absl::StatusOr<VariableInfo> get_variable(const Scope& scope,
                                          const std::string& name,
                                          const TensorShape& shape,
                                          const GetVariableOptions& options) {
  Graph* graph = scope.graph();
  if (graph == nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat("get_variable(", name, "): the scope has no graph"));
  }
  FLOWLET_RETURN_IF_ERROR(scope.status());
  if (name.empty()) {
    return absl::InvalidArgumentError("get_variable: the name is empty");
  }
  const VariableScopeState& vs = scope.variable_scope();
  const std::string full =
      vs.name.empty() ? name : absl::StrCat(vs.name, "/", name);
  const Reuse reuse =
      options.reuse.has_value() && *options.reuse != Reuse::kInherit
          ? *options.reuse
          : vs.reuse;
  const DataType dtype = BaseType(options.dtype);

  if (const VariableInfo* found = graph->FindVariable(full)) {
    if (reuse == Reuse::kInherit) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Variable ", full,
          " already exists, disallowed. Did you mean to set reuse=True or "
          "reuse=tf.AUTO_REUSE in VarScope?"));
    }
    const TensorShape& found_shape = found->variable->output_shape(0);
    if (!shape.IsCompatibleWith(found_shape)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Trying to share variable ", full, ", but specified shape ",
          PythonShapeString(shape), " and found shape ",
          PythonShapeString(found_shape), "."));
    }
    const DataType found_dtype = BaseType(found->variable->output_type(0));
    if (dtype != found_dtype) {
      return absl::InvalidArgumentError(
          absl::StrCat("Trying to share variable ", full,
                       ", but specified dtype ", PythonDTypeName(dtype),
                       " and found dtype ", PythonDTypeName(found_dtype), "."));
    }
    return *found;
  }
  if (reuse == Reuse::kReuse) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Variable ", full,
        " does not exist, or was not created with tf.get_variable(). Did you "
        "mean to set reuse=tf.AUTO_REUSE in VarScope?"));
  }
  FLOWLET_RETURN_IF_ERROR(ValidateNewVariable(
      *graph, full, shape, dtype,
      options.initializer != nullptr || vs.initializer != nullptr));
  return CreateVariable(scope, full, shape, dtype, options);
}

Operation variables_initializer(const Scope& scope,
                                const std::vector<VariableInfo>& vars,
                                const std::string& name) {
  std::vector<Node*> initializers;
  for (const VariableInfo& v : vars) {
    if (v.initializer != nullptr) initializers.push_back(v.initializer);
  }
  return MakeOperation(scope.WithOpName(name.empty() ? "init" : name)
                           .WithControlDependencies(initializers)
                           .AddNode("NoOp", "NoOp", {}));
}

Operation global_variables_initializer(const Scope& scope) {
  if (scope.graph() == nullptr) {
    return Operation(absl::FailedPreconditionError(
        "global_variables_initializer: the scope has no graph"));
  }
  return variables_initializer(scope, global_variables(*scope.graph()), "init");
}

std::vector<VariableInfo> global_variables(const Graph& graph) {
  return VariablesIn(graph, GraphKeys::kGlobalVariables);
}

std::vector<VariableInfo> trainable_variables(const Graph& graph) {
  return VariablesIn(graph, GraphKeys::kTrainableVariables);
}

}  // namespace flowlet
