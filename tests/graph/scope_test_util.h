// Helpers shared by the Scope and get_variable tests.
#ifndef FLOWLET_TESTS_GRAPH_SCOPE_TEST_UTIL_H_
#define FLOWLET_TESTS_GRAPH_SCOPE_TEST_UTIL_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "flowlet/graph.h"
#include "flowlet/scope.h"
#include "flowlet/tensor.h"
#include "flowlet/variables.h"
#include "gtest/gtest.h"
#include "src/core/attr_util.h"

namespace flowlet {
namespace scope_testing {

inline ::testing::AssertionResult HasError(const absl::Status& s,
                                           absl::StatusCode code,
                                           const std::string& substr) {
  if (s.code() != code) {
    return ::testing::AssertionFailure()
           << "expected " << absl::StatusCodeToString(code) << ", got " << s;
  }
  if (std::string(s.message()).find(substr) == std::string::npos) {
    return ::testing::AssertionFailure()
           << "message \"" << s.message() << "\" lacks \"" << substr << "\"";
  }
  return ::testing::AssertionSuccess();
}

// A float initializer making a Const of ones named `op_name`.
inline Initializer Ones(const std::string& op_name) {
  return [op_name](const Scope& s, const TensorShape& shape, DataType dtype) {
    Tensor t(dtype, shape);
    if (dtype == DT_FLOAT) {
      for (int64_t i = 0; i < t.num_elements(); ++i) t.data<float>()[i] = 1;
    }
    return MakeOutput(
        s.AddNode("Const", op_name, {},
                  {{"dtype", AttrType(dtype)}, {"value", AttrTensor(t)}}));
  };
}

// A regularizer whose "loss" is an Identity named `op_name` of the weight.
inline Regularizer IdentityLoss(const std::string& op_name) {
  return [op_name](const Scope& s, Output x) {
    return MakeOutput(s.AddNode("Identity", op_name, {x}));
  };
}

inline VariableScopeOptions WithReuse(Reuse r) {
  VariableScopeOptions o;
  o.reuse = r;
  return o;
}

inline GetVariableOptions OfType(DataType t) {
  GetVariableOptions o;
  o.dtype = t;
  return o;
}

inline std::vector<std::string> NodeNames(const Graph& g) {
  std::vector<std::string> names;
  for (int i = 0; i < g.num_nodes(); ++i) names.push_back(g.node(i)->name());
  return names;
}

inline std::vector<std::string> Names(const std::vector<Output>& outs) {
  std::vector<std::string> names;
  for (const Output& o : outs) names.push_back(o.tensor_name());
  return names;
}

inline std::vector<std::string> Names(const std::vector<VariableInfo>& vars) {
  std::vector<std::string> names;
  for (const VariableInfo& v : vars) names.push_back(v.variable->name());
  return names;
}

inline std::vector<std::string> Names(const std::vector<Node*>& nodes) {
  std::vector<std::string> names;
  for (const Node* n : nodes) names.push_back(n->name());
  return names;
}

// Everything a rejected call must leave as it was.
struct GraphSnapshot {
  explicit GraphSnapshot(Graph& g)
      : num_nodes(g.num_nodes()),
        version(g.version()),
        num_variables(g.variables().size()),
        name_counts(g.name_counts()),
        variable_scope_counts(g.variable_scope_counts()) {
    for (const std::string& key : g.CollectionKeys()) {
      collections[key] = g.GetCollection(key).size();
    }
  }
  bool operator==(const GraphSnapshot& o) const {
    return num_nodes == o.num_nodes && version == o.version &&
           num_variables == o.num_variables && name_counts == o.name_counts &&
           variable_scope_counts == o.variable_scope_counts &&
           collections == o.collections;
  }
  int num_nodes;
  uint64_t version;
  size_t num_variables;
  std::map<std::string, int> name_counts;
  std::map<std::string, int> variable_scope_counts;
  std::map<std::string, size_t> collections;
};

class VariablesTest : public ::testing::Test {
 protected:
  // Whatever a linked library registered, these tests expect the zeros
  // fallback unless they set an initializer themselves.
  void SetUp() override { saved_ = SetDefaultFloatInitializer(nullptr); }
  void TearDown() override { SetDefaultFloatInitializer(saved_); }

  VariableInfo MustGet(const Scope& s, const std::string& name,
                       const TensorShape& shape,
                       const GetVariableOptions& options = {}) {
    absl::StatusOr<VariableInfo> v = get_variable(s, name, shape, options);
    EXPECT_TRUE(v.ok()) << v.status();
    return v.ok() ? *v : VariableInfo();
  }

  Graph g_;
  Scope root_ = Scope::NewRootScope(&g_);
  Initializer saved_;
};

}  // namespace scope_testing
}  // namespace flowlet

#endif  // FLOWLET_TESTS_GRAPH_SCOPE_TEST_UTIL_H_
