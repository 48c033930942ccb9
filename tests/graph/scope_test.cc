// Scope: name uniquification (TensorFlow's scope_test.cc strings), WithOpName,
// control dependencies, devices, AddNode errors, MakeOutput.
#include "flowlet/scope.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "flowlet/graph.h"
#include "gtest/gtest.h"
#include "src/graph/op_registry.h"
#include "tests/graph/scope_test_util.h"

namespace flowlet {
namespace {

using namespace ::flowlet::scope_testing;  // NOLINT(build/namespaces)

// Test-only ops, so these tests do not depend on //src/ops.
FLOWLET_REGISTER_OP("ScopeTestSource").Output("out: float");
FLOWLET_REGISTER_OP("ScopeTestUnary").Input("x: float").Output("y: float");
FLOWLET_REGISTER_OP("ScopeTestSink").Input("x: float");

Node* Source(const Scope& s) {
  absl::StatusOr<Node*> n = s.AddNode("ScopeTestSource", "Source", {});
  EXPECT_TRUE(n.ok()) << n.status();
  return n.ok() ? *n : nullptr;
}

// --- TensorFlow's tensorflow/cc/framework/scope_test.cc, same strings. -----

TEST(ScopeTest, BasicNames) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  EXPECT_EQ(root.GetUniqueNameForOp("add"), "add");
  EXPECT_EQ(root.GetUniqueNameForOp("add"), "add_1");
  EXPECT_EQ(root.GetUniqueNameForOp("add"), "add_2");
  EXPECT_EQ(root.GetUniqueNameForOp("mul"), "mul");
}

TEST(ScopeTest, OpAndScopeNameCollision) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  EXPECT_EQ(root.GetUniqueNameForOp("foo"), "foo");
  EXPECT_EQ(root.GetUniqueNameForOp("foo"), "foo_1");
  EXPECT_EQ(root.GetUniqueNameForOp("foo_1"), "foo_1_1");
  EXPECT_EQ(root.GetUniqueNameForOp("foo_2"), "foo_2");
  EXPECT_EQ(root.GetUniqueNameForOp("foo"), "foo_3");
  EXPECT_EQ(root.GetUniqueNameForOp("foo_2"), "foo_2_1");
}

TEST(ScopeTest, HierarchicalNames) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  Scope child = root.NewSubScope("child");
  EXPECT_EQ(child.name_scope(), "child");
  EXPECT_EQ(child.GetUniqueNameForOp("add"), "child/add");
  EXPECT_EQ(child.GetUniqueNameForOp("add"), "child/add_1");
  EXPECT_EQ(child.GetUniqueNameForOp("mul"), "child/mul");

  Scope child_1 = root.NewSubScope("child");
  EXPECT_EQ(child_1.name_scope(), "child_1");
  EXPECT_EQ(child_1.GetUniqueNameForOp("add"), "child_1/add");
  EXPECT_EQ(child_1.GetUniqueNameForOp("add"), "child_1/add_1");
  EXPECT_EQ(child_1.GetUniqueNameForOp("mul"), "child_1/mul");

  Scope c_c = root.NewSubScope("c").NewSubScope("c");
  EXPECT_EQ(c_c.GetUniqueNameForOp("add"), "c/c/add");

  Scope c_1 = root.NewSubScope("c");
  Scope c_1_c = c_1.NewSubScope("c");
  EXPECT_EQ(c_1_c.GetUniqueNameForOp("add"), "c_1/c/add");

  Scope c_1_c_1 = c_1.NewSubScope("c");
  EXPECT_EQ(c_1_c_1.GetUniqueNameForOp("add"), "c_1/c_1/add");

  EXPECT_EQ(root.NewSubScope("").NewSubScope("").GetUniqueNameForOp("d"), "d");
  EXPECT_EQ(root.NewSubScope("").GetUniqueNameForOp("d"), "d_1");
  EXPECT_EQ(root.GetUniqueNameForOp("d"), "d_2");
}

TEST(ScopeTest, ScopeAndOpNames) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  Scope child = root.NewSubScope("child");

  EXPECT_EQ(child.GetUniqueNameForOp("add"), "child/add");
  EXPECT_EQ(root.GetUniqueNameForOp("child"), "child_1");

  EXPECT_EQ(root.NewSubScope("child").GetUniqueNameForOp("p"), "child_2/p");
}

// --- Name counts are the graph's, shared by every Scope. -------------------

TEST(ScopeTest, CountsAreSharedThroughTheGraph) {
  Graph g;
  Scope a = Scope::NewRootScope(&g);
  Scope b = Scope::NewRootScope(&g);
  EXPECT_EQ(a.GetUniqueNameForOp("x"), "x");
  EXPECT_EQ(b.GetUniqueNameForOp("x"), "x_1");
  EXPECT_EQ(g.name_counts().at("x"), 2);
  EXPECT_EQ(g.name_counts().at("x_1"), 1);

  Graph other;
  EXPECT_EQ(Scope::NewRootScope(&other).GetUniqueNameForOp("x"), "x");
}

TEST(ScopeTest, UniquificationSkipsNamesTakenByNodes) {
  Graph g;
  // Nodes added to the graph directly (as an import does) bypass the counts.
  NodeSpec spec;
  spec.op = "ScopeTestSource";
  spec.name = "src";
  ASSERT_TRUE(g.AddNode(spec).ok());
  spec.name = "src_1";
  ASSERT_TRUE(g.AddNode(spec).ok());
  spec.name = "solo_1";
  ASSERT_TRUE(g.AddNode(spec).ok());

  Scope root = Scope::NewRootScope(&g);
  EXPECT_EQ(root.GetUniqueNameForOp("src"), "src_2");
  EXPECT_EQ(root.GetUniqueNameForOp("src"), "src_3");
  EXPECT_EQ(root.GetUniqueNameForOp("solo"), "solo");
  EXPECT_EQ(root.GetUniqueNameForOp("solo"), "solo_2");
  EXPECT_EQ(root.NewSubScope("src").name_scope(), "src_4");
}

TEST(ScopeTest, NamesAreCaseSensitive) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  EXPECT_EQ(root.GetUniqueNameForOp("Conv"), "Conv");
  EXPECT_EQ(root.GetUniqueNameForOp("conv"), "conv");
}

TEST(ScopeTest, DefaultOpNamesUseTheGivenDefault) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  EXPECT_EQ(Source(root)->name(), "Source");
  EXPECT_EQ(Source(root)->name(), "Source_1");
  Scope block = root.NewSubScope("block");
  EXPECT_EQ(Source(block)->name(), "block/Source");
  EXPECT_EQ(Source(block)->name(), "block/Source_1");
  EXPECT_EQ(Source(root)->name(), "Source_2");
  EXPECT_EQ(g.num_nodes(), 5);
}

TEST(ScopeTest, WithNameScopeIsExactAndNotUniquified) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  Scope block = root.NewSubScope("block");
  EXPECT_EQ(block.name_scope(), "block");
  Scope again = root.WithNameScope("block");
  EXPECT_EQ(again.name_scope(), "block");
  EXPECT_EQ(Source(block)->name(), "block/Source");
  EXPECT_EQ(Source(again)->name(), "block/Source_1");
  EXPECT_EQ(root.WithNameScope("a/b/").name_scope(), "a/b");
  EXPECT_EQ(block.WithNameScope("x/y").GetUniqueNameForOp("op"), "x/y/op");
  EXPECT_EQ(block.WithNameScope("").GetUniqueNameForOp("op"), "op");
  // Re-entering did not reserve "block" again.
  EXPECT_EQ(root.NewSubScope("block").name_scope(), "block_1");
}

// --- WithOpName. -----------------------------------------------------------

TEST(ScopeTest, WithOpNameExactWhenFreeElseUniquified) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  EXPECT_EQ(Source(root.WithOpName("input"))->name(), "input");
  EXPECT_EQ(Source(root.WithOpName("input"))->name(), "input_1");
  // A default name colliding with an op name is uniquified as well.
  EXPECT_EQ(Source(root.WithOpName("Source"))->name(), "Source");
  EXPECT_EQ(Source(root)->name(), "Source_1");
  // Under a name scope the op name is relative to it.
  Scope block = root.NewSubScope("block");
  EXPECT_EQ(Source(block.WithOpName("input"))->name(), "block/input");
  EXPECT_EQ(Source(block.WithOpName("input"))->name(), "block/input_1");
  // WithOpName collides with a sub-scope name.
  EXPECT_EQ(Source(root.WithOpName("block"))->name(), "block_1");
  EXPECT_EQ(root.NewSubScope("block").name_scope(), "block_2");
}

TEST(ScopeTest, WithOpNameCollidesWithNodeAddedDirectly) {
  Graph g;
  NodeSpec spec;
  spec.op = "ScopeTestSource";
  spec.name = "x";
  ASSERT_TRUE(g.AddNode(spec).ok());
  Scope root = Scope::NewRootScope(&g);
  EXPECT_EQ(Source(root.WithOpName("x"))->name(), "x_1");
}

TEST(ScopeTest, WithOpNameAppliesToEveryOpOfThatScope) {
  Graph g;
  Scope named = Scope::NewRootScope(&g).WithOpName("n");
  EXPECT_EQ(Source(named)->name(), "n");
  EXPECT_EQ(Source(named)->name(), "n_1");
  EXPECT_EQ(named.GetUniqueNameForOp("ignored_default"), "n_2");
}

TEST(ScopeTest, WithOpNameIsClearedBySubScopes) {
  Graph g;
  Scope named = Scope::NewRootScope(&g).WithOpName("n");
  EXPECT_EQ(named.NewSubScope("s").GetUniqueNameForOp("add"), "s/add");
  EXPECT_EQ(named.WithNameScope("t").GetUniqueNameForOp("add"), "t/add");
  EXPECT_EQ(named.WithVariableScope("v").GetUniqueNameForOp("add"), "v/add");
  // Device and control dependencies keep it.
  EXPECT_EQ(named.WithDevice("/cpu:0").GetUniqueNameForOp("add"), "n");
  EXPECT_EQ(named.WithNoControlDependencies().GetUniqueNameForOp("add"), "n_1");
}

TEST(ScopeTest, TrailingSlashNamesAnOpExactlyLikeItsNameScope) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  Scope outer = root.NewSubScope("outer");
  Scope ru = outer.NewSubScope("random_uniform");
  EXPECT_EQ(Source(ru)->name(), "outer/random_uniform/Source");
  // TensorFlow's `name=scope` idiom: the absolute name, verbatim.
  Node* n = Source(outer.WithOpName(ru.name_scope() + "/"));
  ASSERT_NE(n, nullptr);
  EXPECT_EQ(n->name(), "outer/random_uniform");
  // The counter advanced by the name scope is not advanced again.
  EXPECT_EQ(outer.NewSubScope("random_uniform").name_scope(),
            "outer/random_uniform_1");
  // An exact name that is taken is an error, not uniquified.
  absl::StatusOr<Node*> dup = outer.WithOpName("outer/random_uniform/")
                                  .AddNode("ScopeTestSource", "Source", {});
  EXPECT_TRUE(HasError(dup.status(), absl::StatusCode::kInvalidArgument,
                       "already exists"));
}

// --- AddNode errors leave the graph and the name counts unchanged. -------

TEST(ScopeTest, InputErrorIsReturnedAndGraphUnchanged) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  Output bad(absl::InvalidArgumentError("upstream broke"));
  absl::StatusOr<Node*> n = root.AddNode("ScopeTestUnary", "Unary", {bad});
  EXPECT_TRUE(HasError(n.status(), absl::StatusCode::kInvalidArgument,
                       "upstream broke"));
  EXPECT_EQ(g.num_nodes(), 0);
  EXPECT_EQ(g.name_counts().count("Unary"), 0u);

  // A default Output is an error too.
  n = root.AddNode("ScopeTestUnary", "Unary", {Output()});
  EXPECT_EQ(n.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(g.num_nodes(), 0);

  // MakeOutput passes the error on, so expressions nest.
  Output nested = MakeOutput(root.AddNode(
      "ScopeTestUnary", "Outer",
      {MakeOutput(root.AddNode("ScopeTestUnary", "Inner", {bad}))}));
  EXPECT_FALSE(nested.ok());
  EXPECT_TRUE(HasError(nested.status(), absl::StatusCode::kInvalidArgument,
                       "upstream broke"));
  EXPECT_EQ(g.num_nodes(), 0);
}

TEST(ScopeTest, GraphRejectionDoesNotReserveTheName) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  absl::StatusOr<Node*> n = root.AddNode("NoSuchOpAnywhere", "x", {});
  EXPECT_EQ(n.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(g.num_nodes(), 0);
  EXPECT_EQ(root.GetUniqueNameForOp("x"), "x");

  // Wrong arity is rejected by the graph with the node's name.
  n = root.WithOpName("sink").AddNode("ScopeTestSink", "Sink", {});
  EXPECT_TRUE(
      HasError(n.status(), absl::StatusCode::kInvalidArgument, "'sink'"));
  EXPECT_EQ(Source(root.WithOpName("sink"))->name(), "sink");
}

TEST(ScopeTest, EmptyOpNameIsRejected) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  absl::StatusOr<Node*> n = root.AddNode("ScopeTestSource", "", {});
  EXPECT_TRUE(HasError(n.status(), absl::StatusCode::kInvalidArgument,
                       "name is empty"));
  EXPECT_EQ(g.num_nodes(), 0);
}

TEST(ScopeTest, InvalidNodeNameIsRejectedByTheGraph) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  absl::StatusOr<Node*> n =
      root.WithOpName("bad name").AddNode("ScopeTestSource", "Source", {});
  EXPECT_TRUE(HasError(n.status(), absl::StatusCode::kInvalidArgument,
                       "invalid node name"));
  EXPECT_EQ(g.num_nodes(), 0);
}

// --- Control dependencies and devices. -------------------------------------

TEST(ScopeTest, ControlDependenciesAreRecordedOnNodes) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  Node* a = Source(root.WithOpName("a"));
  Node* b = Source(root.WithOpName("b"));
  Node* c = Source(root.WithOpName("c"));

  Scope dep_a =
      root.WithControlDependencies(std::vector<Operation>{Operation(a)});
  EXPECT_EQ(dep_a.control_dependencies(), std::vector<Node*>({a}));
  Node* x = Source(dep_a.WithOpName("x"));
  EXPECT_EQ(x->control_inputs(), std::vector<Node*>({a}));

  // Nesting adds; duplicates are dropped; order is kept.
  Scope dep_abc = dep_a.WithControlDependencies(std::vector<Node*>{b, a, c});
  Node* y = Source(dep_abc.WithOpName("y"));
  EXPECT_EQ(y->control_inputs(), std::vector<Node*>({a, b, c}));

  // Sub-scopes inherit them.
  Node* z = Source(dep_abc.NewSubScope("sub"));
  EXPECT_EQ(z->name(), "sub/Source");
  EXPECT_EQ(z->control_inputs(), std::vector<Node*>({a, b, c}));

  Scope none = dep_abc.WithNoControlDependencies();
  EXPECT_TRUE(none.control_dependencies().empty());
  EXPECT_TRUE(Source(none)->control_inputs().empty());
  // The original scope is unchanged (value semantics).
  EXPECT_TRUE(Source(root)->control_inputs().empty());
}

TEST(ScopeTest, ControlDependencyCarryingAnErrorFailsEveryOp) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  Node* a = Source(root.WithOpName("a"));
  Scope bad = root.WithControlDependencies(std::vector<Operation>{
      Operation(a), Operation(absl::InternalError("dep broke"))});
  EXPECT_TRUE(HasError(bad.status(), absl::StatusCode::kInternal, "dep broke"));
  const int before = g.num_nodes();
  absl::StatusOr<Node*> n = bad.AddNode("ScopeTestSource", "Source", {});
  EXPECT_TRUE(HasError(n.status(), absl::StatusCode::kInternal, "dep broke"));
  // Derived scopes keep the error.
  EXPECT_FALSE(bad.NewSubScope("s").WithNoControlDependencies().status().ok());
  EXPECT_EQ(g.num_nodes(), before);
  EXPECT_TRUE(root.status().ok());

  Scope null_dep = root.WithControlDependencies(std::vector<Node*>{nullptr});
  EXPECT_TRUE(HasError(null_dep.AddNode("ScopeTestSource", "S", {}).status(),
                       absl::StatusCode::kInvalidArgument, "null"));
  Scope empty_op =
      root.WithControlDependencies(std::vector<Operation>{Operation()});
  EXPECT_EQ(empty_op.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(g.num_nodes(), before);
}

TEST(ScopeTest, DeviceIsRecordedOnNodes) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  Scope cpu = root.WithDevice("/device:CPU:0");
  EXPECT_EQ(cpu.device(), "/device:CPU:0");
  EXPECT_EQ(Source(cpu)->device(), "/device:CPU:0");
  EXPECT_EQ(Source(cpu.NewSubScope("s"))->device(), "/device:CPU:0");
  EXPECT_EQ(Source(root)->device(), "");
  EXPECT_EQ(Source(cpu.WithDevice(""))->device(), "");
}

TEST(ScopeTest, NodeGetsInputsAttrsAndOp) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  Output x = MakeOutput(root.AddNode("ScopeTestSource", "x", {}));
  ASSERT_TRUE(x.ok());
  absl::StatusOr<Node*> y = root.AddNode("ScopeTestUnary", "y", {x});
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_EQ((*y)->op(), "ScopeTestUnary");
  ASSERT_EQ((*y)->num_inputs(), 1);
  EXPECT_EQ((*y)->input(0), x);
  EXPECT_EQ((*y)->output_type(0), DT_FLOAT);

  // Unknown attrs are the graph's to reject.
  AttrMap attrs;
  attrs["bogus"] = tensorflow::AttrValue();
  EXPECT_EQ(root.AddNode("ScopeTestSource", "z", {}, attrs).status().code(),
            absl::StatusCode::kInvalidArgument);
}

// --- MakeOutput / MakeOperation. -------------------------------------------

TEST(ScopeTest, MakeOutputAndMakeOperation) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  absl::StatusOr<Node*> n = root.AddNode("ScopeTestSource", "s", {});
  ASSERT_TRUE(n.ok());
  Output o = MakeOutput(n);
  EXPECT_TRUE(o.ok());
  EXPECT_EQ(o.node(), *n);
  EXPECT_EQ(o.index(), 0);
  EXPECT_EQ(o.name(), "s");
  EXPECT_EQ(o.tensor_name(), "s:0");

  Output out_of_range = MakeOutput(n, 1);
  EXPECT_TRUE(HasError(out_of_range.status(),
                       absl::StatusCode::kInvalidArgument, "output 1"));
  EXPECT_TRUE(HasError(MakeOutput(n, -1).status(),
                       absl::StatusCode::kInvalidArgument, "output -1"));

  absl::StatusOr<Node*> err = absl::NotFoundError("nope");
  EXPECT_TRUE(
      HasError(MakeOutput(err).status(), absl::StatusCode::kNotFound, "nope"));
  Operation op = MakeOperation(n);
  EXPECT_TRUE(op.ok());
  EXPECT_EQ(op.node(), *n);
  EXPECT_TRUE(HasError(MakeOperation(err).status(), absl::StatusCode::kNotFound,
                       "nope"));

  // A sink has no outputs: as an Output it is an error, as an Operation fine.
  absl::StatusOr<Node*> sink = root.AddNode("ScopeTestSink", "sink", {o});
  ASSERT_TRUE(sink.ok());
  EXPECT_FALSE(MakeOutput(sink).ok());
  EXPECT_TRUE(MakeOperation(sink).ok());

  EXPECT_TRUE(Output().empty());
  EXPECT_FALSE(Output(absl::InternalError("x")).empty());
  EXPECT_FALSE(o.empty());
}

}  // namespace
}  // namespace flowlet
