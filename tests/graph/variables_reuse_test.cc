// get_variable: TensorFlow's reuse rules and their messages, and validation
// (a rejected call leaves the graph unchanged).
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "flowlet/graph.h"
#include "flowlet/scope.h"
#include "flowlet/variables.h"
#include "gtest/gtest.h"
#include "src/core/attr_util.h"
#include "tests/graph/scope_test_util.h"

namespace flowlet {
namespace {

using namespace ::flowlet::scope_testing;  // NOLINT(build/namespaces)

// --- Reuse rules and messages (TF_LAYER_SPEC.md section 9). ----------------

TEST_F(VariablesTest, ExistingWithoutReuseIsDisallowed) {
  MustGet(root_.WithVariableScope("deconv1"), "kernel", {2});
  GraphSnapshot before(g_);
  absl::StatusOr<VariableInfo> v =
      get_variable(root_.WithVariableScope("deconv1"), "kernel", {2});
  EXPECT_EQ(v.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(v.status().message(),
            "Variable deconv1/kernel already exists, disallowed. Did you mean "
            "to set reuse=True or reuse=tf.AUTO_REUSE in VarScope?");
  // The variable scope entry counted (as in TF), nothing else changed.
  GraphSnapshot after(g_);
  after.variable_scope_counts = before.variable_scope_counts;
  after.name_counts = before.name_counts;
  EXPECT_TRUE(after == before);

  // Rejected from the same scope object: nothing at all changes.
  Scope s = root_.WithVariableScope("deconv1");
  GraphSnapshot before2(g_);
  EXPECT_FALSE(get_variable(s, "kernel", {2}).ok());
  EXPECT_TRUE(GraphSnapshot(g_) == before2);
}

TEST_F(VariablesTest, ReuseReturnsTheExistingVariable) {
  VariableInfo created = MustGet(root_.WithVariableScope("s"), "k", {3, 3});
  const int nodes = g_.num_nodes();
  Scope reuse = root_.WithVariableScope("s", WithReuse(Reuse::kReuse));
  GraphSnapshot before(g_);
  VariableInfo again = MustGet(reuse, "k", {3, 3});
  EXPECT_TRUE(GraphSnapshot(g_) == before);
  EXPECT_EQ(again.variable, created.variable);
  EXPECT_EQ(again.initializer, created.initializer);
  EXPECT_EQ(again.snapshot, created.snapshot);
  EXPECT_EQ(g_.num_nodes(), nodes);
  EXPECT_EQ(g_.variables().size(), 1u);
  // A compatible partial shape is accepted, like TensorFlow.
  EXPECT_EQ(MustGet(reuse, "k", {-1, 3}).variable, created.variable);
  EXPECT_EQ(MustGet(reuse, "k", TensorShape::UnknownRank()).variable,
            created.variable);
}

TEST_F(VariablesTest, ReuseOfMissingVariableFails) {
  Scope reuse = root_.WithVariableScope("r", WithReuse(Reuse::kReuse));
  GraphSnapshot before(g_);
  absl::StatusOr<VariableInfo> v = get_variable(reuse, "w", {2});
  EXPECT_EQ(v.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(v.status().message(),
            "Variable r/w does not exist, or was not created with "
            "tf.get_variable(). Did you mean to set reuse=tf.AUTO_REUSE in "
            "VarScope?");
  EXPECT_TRUE(GraphSnapshot(g_) == before);
}

TEST_F(VariablesTest, AutoReuseCreatesThenReuses) {
  Scope s = root_.WithVariableScope("a", WithReuse(Reuse::kAutoReuse));
  VariableInfo first = MustGet(s, "w", {2});
  const int nodes = g_.num_nodes();
  EXPECT_EQ(nodes, 4);
  VariableInfo second = MustGet(s, "w", {2});
  EXPECT_EQ(second.variable, first.variable);
  EXPECT_EQ(g_.num_nodes(), nodes);
  // Nested scopes inherit AUTO_REUSE.
  VariableInfo nested = MustGet(s.WithVariableScope("n"), "w", {2});
  EXPECT_EQ(nested.variable->name(), "a/n/w");
  EXPECT_EQ(MustGet(s.WithVariableScope("n"), "w", {2}).variable,
            nested.variable);
  EXPECT_EQ(g_.GetCollection(GraphKeys::kGlobalVariables).size(), 2u);
}

TEST_F(VariablesTest, ReuseIsInheritedAndCannotBeSwitchedOff) {
  VariableInfo v = MustGet(
      root_.WithVariableScope("outer").WithVariableScope("inner"), "v", {2});
  Scope outer_reuse =
      root_.WithVariableScope("outer", WithReuse(Reuse::kReuse));
  EXPECT_EQ(MustGet(outer_reuse.WithVariableScope("inner"), "v", {2}).variable,
            v.variable);
  // kInherit (None/False) on the inner scope keeps reuse=True.
  absl::StatusOr<VariableInfo> missing = get_variable(
      outer_reuse.WithVariableScope("other", WithReuse(Reuse::kInherit)), "v",
      {2});
  EXPECT_TRUE(HasError(missing.status(), absl::StatusCode::kInvalidArgument,
                       "Variable outer/other/v does not exist"));
  // Also through a default-named sub-scope.
  absl::StatusOr<Scope> d = outer_reuse.WithDefaultVariableScope("conv");
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(HasError(get_variable(*d, "kernel", {2}).status(),
                       absl::StatusCode::kInvalidArgument,
                       "Variable outer/conv/kernel does not exist"));
}

TEST_F(VariablesTest, OptionsReuseOverridesTheScope) {
  VariableInfo v = MustGet(root_, "v", {2});
  GetVariableOptions reuse;
  reuse.reuse = Reuse::kReuse;
  EXPECT_EQ(MustGet(root_, "v", {2}, reuse).variable, v.variable);
  EXPECT_TRUE(HasError(get_variable(root_, "w", {2}, reuse).status(),
                       absl::StatusCode::kInvalidArgument,
                       "Variable w does not exist"));
  // AUTO_REUSE in the options creates under a reuse=True scope.
  Scope r = root_.WithVariableScope("r", WithReuse(Reuse::kReuse));
  GetVariableOptions autoreuse;
  autoreuse.reuse = Reuse::kAutoReuse;
  EXPECT_EQ(MustGet(r, "x", {2}, autoreuse).variable->name(), "r/x");
  // kInherit in the options means the scope's reuse.
  GetVariableOptions inherit;
  inherit.reuse = Reuse::kInherit;
  EXPECT_TRUE(HasError(get_variable(r, "y", {2}, inherit).status(),
                       absl::StatusCode::kInvalidArgument,
                       "Variable r/y does not exist"));
  EXPECT_TRUE(HasError(get_variable(root_, "v", {2}, inherit).status(),
                       absl::StatusCode::kInvalidArgument,
                       "Variable v already exists, disallowed."));
}

TEST_F(VariablesTest, SharingChecksShapeThenDtype) {
  MustGet(root_.WithVariableScope("s"), "k", {3, 3, 32, 4});
  Scope reuse = root_.WithVariableScope("s", WithReuse(Reuse::kReuse));
  GraphSnapshot before(g_);
  absl::StatusOr<VariableInfo> v = get_variable(reuse, "k", {3, 3, 4, 32});
  EXPECT_EQ(v.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(v.status().message(),
            "Trying to share variable s/k, but specified shape (3, 3, 4, 32) "
            "and found shape (3, 3, 32, 4).");
  v = get_variable(reuse, "k", {4});
  EXPECT_EQ(v.status().message(),
            "Trying to share variable s/k, but specified shape (4,) and found "
            "shape (3, 3, 32, 4).");
  v = get_variable(reuse, "k", {});
  EXPECT_EQ(v.status().message(),
            "Trying to share variable s/k, but specified shape () and found "
            "shape (3, 3, 32, 4).");
  v = get_variable(reuse, "k", {-1, 3, 5, -1});
  EXPECT_EQ(v.status().message(),
            "Trying to share variable s/k, but specified shape (None, 3, 5, "
            "None) and found shape (3, 3, 32, 4).");

  v = get_variable(reuse, "k", {3, 3, 32, 4}, OfType(DT_INT32));
  EXPECT_EQ(v.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(v.status().message(),
            "Trying to share variable s/k, but specified dtype int32 and found "
            "dtype float32.");
  v = get_variable(reuse, "k", {3, 3, 32, 4}, OfType(DT_HALF));
  EXPECT_EQ(v.status().message(),
            "Trying to share variable s/k, but specified dtype float16 and "
            "found dtype float32.");
  // Shape is checked first.
  v = get_variable(reuse, "k", {1}, OfType(DT_INT32));
  EXPECT_TRUE(HasError(v.status(), absl::StatusCode::kInvalidArgument,
                       "specified shape (1,)"));
  // AUTO_REUSE checks too; a ref dtype is taken as its base type.
  Scope autoreuse = root_.WithVariableScope("s", WithReuse(Reuse::kAutoReuse));
  EXPECT_TRUE(HasError(get_variable(autoreuse, "k", {1}).status(),
                       absl::StatusCode::kInvalidArgument,
                       "Trying to share variable s/k"));
  GraphSnapshot after(g_);
  after.variable_scope_counts = before.variable_scope_counts;
  after.name_counts = before.name_counts;
  EXPECT_TRUE(after == before);
  EXPECT_TRUE(
      get_variable(autoreuse, "k", {3, 3, 32, 4}, OfType(DT_FLOAT_REF)).ok());
}

// --- Validation of new variables: rejected calls change nothing. ---------

TEST_F(VariablesTest, RejectedCreationsLeaveTheGraphUnchanged) {
  MustGet(root_, "existing", {1});
  Node* taken = *root_.WithOpName("taken").AddNode("NoOp", "NoOp", {});
  ASSERT_EQ(taken->name(), "taken");
  Scope s = root_.WithVariableScope("s");
  GraphSnapshot before(g_);

  struct Case {
    std::string name;
    TensorShape shape;
    GetVariableOptions options;
    std::string message;
  };
  GetVariableOptions str = OfType(DT_STRING);
  GetVariableOptions str_init = OfType(DT_STRING);
  str_init.initializer = Ones("x");
  std::vector<Case> cases = {
      {"p",
       {-1, 3},
       {},
       "Shape of a new variable (s/p) must be fully "
       "defined, but instead was (None, 3)."},
      {"u",
       TensorShape::UnknownRank(),
       {},
       "Shape of a new variable (s/u) "
       "must be fully defined, but "
       "instead was <unknown>."},
      {"str",
       {2},
       str,
       "An initializer for variable s/str of type string "
       "is required"},
      {"str2",
       {2},
       str_init,
       "Variable s/str2: dtype string is not "
       "supported"},
      {"bad name", {2}, {}, "'s/bad name' is not a valid variable name"},
      {"", {2}, {}, "get_variable: the name is empty"},
      {"trailing/", {2}, {}, "'s/trailing/' is not a valid variable name"},
      {"huge", {int64_t{1} << 40, int64_t{1} << 40}, {}, "too many elements"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<VariableInfo> v =
        get_variable(s, c.name, c.shape, c.options);
    EXPECT_TRUE(
        HasError(v.status(), absl::StatusCode::kInvalidArgument, c.message))
        << c.name;
    EXPECT_TRUE(GraphSnapshot(g_) == before) << c.name;
  }

  // A node of that name that is not a variable.
  absl::StatusOr<VariableInfo> v = get_variable(root_, "taken", {2});
  EXPECT_TRUE(HasError(v.status(), absl::StatusCode::kInvalidArgument,
                       "Cannot create variable taken: the graph already has "
                       "a node 'taken' (NoOp)"));
  EXPECT_TRUE(GraphSnapshot(g_) == before);

  // A scope carrying an error.
  Scope broken = s.WithControlDependencies(
      std::vector<Operation>{Operation(absl::InternalError("broken dep"))});
  v = get_variable(broken, "w", {2});
  EXPECT_TRUE(HasError(v.status(), absl::StatusCode::kInternal, "broken dep"));
  EXPECT_TRUE(GraphSnapshot(g_) == before);

  // A scope without a graph.
  v = get_variable(Scope::NewRootScope(nullptr), "w", {2});
  EXPECT_EQ(v.status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(VariablesTest, ScalarAndEmptyShapesAreFine) {
  EXPECT_EQ(MustGet(root_, "scalar", {}).variable->output_shape(0),
            TensorShape({}));
  EXPECT_EQ(MustGet(root_, "empty", {0, 3}).variable->output_shape(0),
            TensorShape({0, 3}));
}

}  // namespace
}  // namespace flowlet
