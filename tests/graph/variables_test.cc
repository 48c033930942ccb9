// get_variable: the nodes it builds, initializers, regularizers, collections,
// and the initializer ops.
#include "flowlet/variables.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "flowlet/graph.h"
#include "flowlet/scope.h"
#include "gtest/gtest.h"
#include "src/core/attr_util.h"
#include "tests/graph/scope_test_util.h"

namespace flowlet {
namespace {

using namespace ::flowlet::scope_testing;  // NOLINT(build/namespaces)

// --- The nodes of a new variable. ------------------------------------------

TEST_F(VariablesTest, CreatesTensorFlowsNodesInTensorFlowsOrder) {
  VariableInfo v = MustGet(root_, "v", {2, 3});
  EXPECT_EQ(NodeNames(g_), std::vector<std::string>({"v/Initializer/zeros", "v",
                                                     "v/Assign", "v/read"}));
  Node* zeros = g_.FindNode("v/Initializer/zeros");
  Node* var = g_.FindNode("v");
  Node* assign = g_.FindNode("v/Assign");
  Node* read = g_.FindNode("v/read");
  ASSERT_TRUE(zeros && var && assign && read);
  EXPECT_EQ(zeros->op(), "Const");
  EXPECT_EQ(var->op(), "VariableV2");
  EXPECT_EQ(assign->op(), "Assign");
  EXPECT_EQ(read->op(), "Identity");

  TensorShape shape;
  DataType dtype = DT_INVALID;
  std::string s;
  ASSERT_TRUE(GetAttr(var->attrs(), "shape", &shape).ok());
  EXPECT_EQ(shape, TensorShape({2, 3}));
  ASSERT_TRUE(GetAttr(var->attrs(), "dtype", &dtype).ok());
  EXPECT_EQ(dtype, DT_FLOAT);
  ASSERT_TRUE(GetAttr(var->attrs(), "container", &s).ok());
  EXPECT_EQ(s, "");
  ASSERT_TRUE(GetAttr(var->attrs(), "shared_name", &s).ok());
  EXPECT_EQ(s, "");
  EXPECT_EQ(var->output_type(0), DT_FLOAT_REF);
  EXPECT_EQ(var->output_shape(0), TensorShape({2, 3}));
  EXPECT_EQ(var->num_inputs(), 0);

  bool b = false;
  ASSERT_TRUE(GetAttr(assign->attrs(), "T", &dtype).ok());
  EXPECT_EQ(dtype, DT_FLOAT);
  ASSERT_TRUE(GetAttr(assign->attrs(), "validate_shape", &b).ok());
  EXPECT_TRUE(b);
  ASSERT_TRUE(GetAttr(assign->attrs(), "use_locking", &b).ok());
  EXPECT_TRUE(b);
  ASSERT_EQ(assign->num_inputs(), 2);
  EXPECT_EQ(assign->input(0), Output(var, 0));
  EXPECT_EQ(assign->input(1), Output(zeros, 0));

  ASSERT_TRUE(GetAttr(read->attrs(), "T", &dtype).ok());
  EXPECT_EQ(dtype, DT_FLOAT);
  ASSERT_EQ(read->num_inputs(), 1);
  EXPECT_EQ(read->input(0), Output(var, 0));
  EXPECT_EQ(read->output_type(0), DT_FLOAT);

  ASSERT_TRUE(GetAttr(zeros->attrs(), "dtype", &dtype).ok());
  EXPECT_EQ(dtype, DT_FLOAT);
  EXPECT_EQ(zeros->output_shape(0), TensorShape({2, 3}));

  EXPECT_EQ(v.variable, var);
  EXPECT_EQ(v.initializer, assign);
  EXPECT_EQ(v.snapshot, Output(read, 0));
  EXPECT_EQ(v.initial_value, Output(zeros, 0));
  EXPECT_TRUE(v.trainable);
  ASSERT_EQ(g_.variables().size(), 1u);
  EXPECT_EQ(g_.FindVariable("v")->variable, var);
}

TEST_F(VariablesTest, FullNameFollowsTheVariableScopeNotTheNameScope) {
  Scope s =
      root_.NewSubScope("ns").WithVariableScope("scope").WithVariableScope(
          "deconv1");
  VariableInfo v = MustGet(s, "kernel", {3, 3, 32, 4});
  EXPECT_EQ(v.variable->name(), "scope/deconv1/kernel");
  EXPECT_EQ(v.snapshot.name(), "scope/deconv1/kernel/read");
  EXPECT_EQ(v.initializer->name(), "scope/deconv1/kernel/Assign");
  EXPECT_EQ(v.initial_value.name(), "scope/deconv1/kernel/Initializer/zeros");
  EXPECT_NE(g_.FindVariable("scope/deconv1/kernel"), nullptr);
  // A later op or name scope of the variable's name is uniquified.
  EXPECT_EQ(root_.GetUniqueNameForOp("scope/deconv1/kernel"),
            "scope/deconv1/kernel_1");
}

TEST_F(VariablesTest, LargeZerosUseFill) {
  VariableInfo big = MustGet(root_, "big", {10, 10, 10});
  EXPECT_EQ(NodeNames(g_),
            std::vector<std::string>({"big/Initializer/zeros/shape_as_tensor",
                                      "big/Initializer/zeros/Const",
                                      "big/Initializer/zeros", "big",
                                      "big/Assign", "big/read"}));
  Node* fill = g_.FindNode("big/Initializer/zeros");
  ASSERT_NE(fill, nullptr);
  EXPECT_EQ(fill->op(), "Fill");
  EXPECT_EQ(fill->output_type(0), DT_FLOAT);
  Node* dims = g_.FindNode("big/Initializer/zeros/shape_as_tensor");
  ASSERT_NE(dims, nullptr);
  ASSERT_NE(g_.FindNode("big/Initializer/zeros/Const"), nullptr);
  EXPECT_EQ(dims->output_type(0), DT_INT32);
  EXPECT_EQ(dims->output_shape(0), TensorShape({3}));
  EXPECT_EQ(g_.FindNode("big/Initializer/zeros/Const")->output_shape(0),
            TensorShape({}));
  EXPECT_EQ(big.initial_value, Output(fill, 0));

  // One element fewer stays a Const.
  VariableInfo small = MustGet(root_, "small", {999});
  EXPECT_EQ(small.initial_value.node()->op(), "Const");
  EXPECT_EQ(small.initial_value.name(), "small/Initializer/zeros");
}

TEST_F(VariablesTest, ZerosForEveryDtype) {
  for (DataType t : {DT_FLOAT, DT_DOUBLE, DT_HALF, DT_BFLOAT16, DT_INT32,
                     DT_INT64, DT_INT8, DT_UINT8, DT_BOOL}) {
    const std::string name = "v" + DataTypeString(t);
    VariableInfo v = MustGet(root_, name, {2}, OfType(t));
    ASSERT_NE(v.variable, nullptr) << name;
    EXPECT_EQ(v.variable->output_type(0), MakeRefType(t));
    EXPECT_EQ(v.initial_value.name(), name + "/Initializer/zeros");
    EXPECT_EQ(v.initial_value.dtype(), t);
    EXPECT_EQ(v.snapshot.dtype(), t);
  }
}

TEST_F(VariablesTest, RegisteredDefaultInitializerIsForFloatsOnly) {
  SetDefaultFloatInitializer(Ones("glorot"));
  EXPECT_EQ(MustGet(root_, "f", {2}).initial_value.name(),
            "f/Initializer/glorot");
  EXPECT_EQ(MustGet(root_, "h", {2}, OfType(DT_HALF)).initial_value.name(),
            "h/Initializer/glorot");
  EXPECT_EQ(MustGet(root_, "i", {2}, OfType(DT_INT32)).initial_value.name(),
            "i/Initializer/zeros");
  EXPECT_EQ(MustGet(root_, "b", {2}, OfType(DT_BOOL)).initial_value.name(),
            "b/Initializer/zeros");
  // The scope's initializer beats it; an empty registration restores zeros.
  VariableScopeOptions o;
  o.initializer = Ones("scoped");
  EXPECT_EQ(
      MustGet(root_.WithVariableScope("s", o), "f", {2}).initial_value.name(),
      "s/f/Initializer/scoped");
  Initializer previous = SetDefaultFloatInitializer(nullptr);
  EXPECT_TRUE(previous);
  EXPECT_EQ(MustGet(root_, "g", {2}).initial_value.name(),
            "g/Initializer/zeros");
}

TEST_F(VariablesTest, ScopeInitializerIsUsedAndExplicitBeatsIt) {
  VariableScopeOptions o;
  o.initializer = Ones("scope_ones");
  Scope s = root_.WithVariableScope("s", o);
  EXPECT_EQ(MustGet(s, "kernel", {2}).initial_value.name(),
            "s/kernel/Initializer/scope_ones");
  // Inherited by nested scopes.
  EXPECT_EQ(MustGet(s.WithVariableScope("in"), "k", {2}).initial_value.name(),
            "s/in/k/Initializer/scope_ones");
  // Also for int variables (the scope's initializer is used for any dtype).
  EXPECT_EQ(MustGet(s, "i", {2}, OfType(DT_INT32)).initial_value.name(),
            "s/i/Initializer/scope_ones");
  GetVariableOptions explicit_init;
  explicit_init.initializer = Ones("explicit_ones");
  VariableInfo bias = MustGet(s, "bias", {2}, explicit_init);
  EXPECT_EQ(bias.initial_value.name(), "s/bias/Initializer/explicit_ones");
  EXPECT_EQ(bias.initializer->input(1), bias.initial_value);
}

TEST_F(VariablesTest, InitializerSeesItsNameScopeAndNoDevice) {
  std::string seen_scope, seen_device = "unset";
  GetVariableOptions o;
  o.initializer = [&](const Scope& s, const TensorShape& shape, DataType t) {
    seen_scope = s.name_scope();
    seen_device = s.device();
    EXPECT_EQ(shape, TensorShape({4, 5}));
    EXPECT_EQ(t, DT_DOUBLE);
    EXPECT_TRUE(s.control_dependencies().empty());
    return Ones("x")(s, shape, t);
  };
  o.dtype = DT_DOUBLE;
  Node* dep = *root_.AddNode("NoOp", "dep", {});
  Scope s = root_.WithVariableScope("vs")
                .WithDevice("/device:CPU:0")
                .WithControlDependencies(std::vector<Node*>{dep});
  VariableInfo v = MustGet(s, "w", {4, 5}, o);
  EXPECT_EQ(seen_scope, "vs/w/Initializer");
  EXPECT_EQ(seen_device, "");
  EXPECT_EQ(v.initial_value.node()->device(), "");
  // The variable nodes get the device but not the control dependencies.
  EXPECT_EQ(v.variable->device(), "/device:CPU:0");
  EXPECT_EQ(v.initializer->device(), "/device:CPU:0");
  EXPECT_EQ(v.snapshot.node()->device(), "/device:CPU:0");
  EXPECT_TRUE(v.variable->control_inputs().empty());
  EXPECT_TRUE(v.initializer->control_inputs().empty());
  EXPECT_TRUE(v.snapshot.node()->control_inputs().empty());
}

// --- Initializer errors. ---------------------------------------------------

TEST_F(VariablesTest, InitializerErrorsFailBeforeTheVariableExists) {
  GetVariableOptions o;
  o.initializer = [](const Scope&, const TensorShape&, DataType) {
    return Output(absl::InvalidArgumentError("bad init"));
  };
  absl::StatusOr<VariableInfo> v = get_variable(root_, "v", {2}, o);
  EXPECT_TRUE(HasError(v.status(), absl::StatusCode::kInvalidArgument,
                       "initializer of variable v: bad init"));
  EXPECT_EQ(g_.FindNode("v"), nullptr);
  EXPECT_EQ(g_.FindVariable("v"), nullptr);
  EXPECT_EQ(g_.num_nodes(), 0);

  o.initializer = [](const Scope&, const TensorShape&, DataType) {
    return Output();
  };
  v = get_variable(root_, "v", {2}, o);
  EXPECT_EQ(v.status().code(), absl::StatusCode::kFailedPrecondition);

  o.initializer = Ones("wrong_dtype");
  o.dtype = DT_INT32;
  // Ones() builds a Const of the requested dtype; force a mismatch.
  o.initializer = [](const Scope& s, const TensorShape& shape, DataType) {
    return Ones("wrong_dtype")(s, shape, DT_FLOAT);
  };
  v = get_variable(root_, "v", {2}, o);
  EXPECT_TRUE(HasError(v.status(), absl::StatusCode::kInvalidArgument,
                       "has dtype float32, expected int32"));
  EXPECT_EQ(g_.FindNode("v"), nullptr);

  o.dtype = DT_FLOAT;
  o.initializer = [](const Scope& s, const TensorShape&, DataType t) {
    return Ones("wrong_shape")(s, TensorShape({3}), t);
  };
  v = get_variable(root_, "v", {2}, o);
  EXPECT_TRUE(HasError(v.status(), absl::StatusCode::kInvalidArgument,
                       "has shape (3,), expected (2,)"));
  EXPECT_EQ(g_.FindNode("v"), nullptr);
  EXPECT_TRUE(g_.variables().empty());

  // After the failures the variable can still be made, with its exact name.
  VariableInfo ok = MustGet(root_, "v", {2});
  EXPECT_EQ(ok.variable->name(), "v");
  EXPECT_EQ(ok.snapshot.name(), "v/read");
}

// --- Regularizers. ---------------------------------------------------------

TEST_F(VariablesTest, RegularizerLossAddedOnceAtCreation) {
  GetVariableOptions o;
  o.regularizer = IdentityLoss("l2");
  VariableInfo v = MustGet(root_.WithVariableScope("layer"), "kernel", {2}, o);
  Node* loss = g_.FindNode("layer/kernel/Regularizer/l2");
  ASSERT_NE(loss, nullptr);
  EXPECT_EQ(loss->input(0), v.snapshot);
  EXPECT_EQ(Names(g_.GetCollection(GraphKeys::kRegularizationLosses)),
            std::vector<std::string>({"layer/kernel/Regularizer/l2:0"}));

  // Reuse evaluates no regularizer and adds no loss.
  o.reuse = Reuse::kReuse;
  const int nodes = g_.num_nodes();
  MustGet(root_.WithVariableScope("layer"), "kernel", {2}, o);
  EXPECT_EQ(g_.num_nodes(), nodes);
  EXPECT_EQ(g_.GetCollection(GraphKeys::kRegularizationLosses).size(), 1u);
}

TEST_F(VariablesTest, ScopeRegularizerAppliesToEveryVariableExplicitBeatsIt) {
  VariableScopeOptions so;
  so.regularizer = IdentityLoss("scope_loss");
  Scope s = root_.WithVariableScope("s", so);
  MustGet(s, "kernel", {2});
  MustGet(s, "bias", {2});
  GetVariableOptions o;
  o.regularizer = IdentityLoss("own_loss");
  MustGet(s.WithVariableScope("in"), "w", {2}, o);
  EXPECT_EQ(Names(g_.GetCollection(GraphKeys::kRegularizationLosses)),
            std::vector<std::string>({"s/kernel/Regularizer/scope_loss:0",
                                      "s/bias/Regularizer/scope_loss:0",
                                      "s/in/w/Regularizer/own_loss:0"}));
}

TEST_F(VariablesTest, RegularizerReturningNothingAddsNoLoss) {
  GetVariableOptions o;
  int calls = 0;
  o.regularizer = [&calls](const Scope&, Output) {
    ++calls;
    return Output();
  };
  MustGet(root_, "v", {2}, o);
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(g_.GetCollection(GraphKeys::kRegularizationLosses).empty());
}

TEST_F(VariablesTest, RegularizerReturningTheSameLossTwiceIsKeptOnce) {
  Output shared;
  GetVariableOptions o;
  o.regularizer = [&shared](const Scope& s, Output x) {
    if (shared.empty()) shared = MakeOutput(s.AddNode("Identity", "l", {x}));
    return shared;
  };
  MustGet(root_, "a", {2}, o);
  MustGet(root_, "b", {2}, o);
  EXPECT_EQ(Names(g_.GetCollection(GraphKeys::kRegularizationLosses)),
            std::vector<std::string>({"a/Regularizer/l:0"}));
}

TEST_F(VariablesTest, RegularizerUsesTheScopesControlDependencies) {
  Node* dep = *root_.AddNode("NoOp", "dep", {});
  Scope s = root_.WithControlDependencies(std::vector<Node*>{dep});
  GetVariableOptions o;
  std::string seen;
  o.regularizer = [&seen](const Scope& rs, Output x) {
    seen = rs.name_scope();
    return MakeOutput(rs.AddNode("Identity", "loss", {x}));
  };
  VariableInfo v = MustGet(s, "v", {2}, o);
  EXPECT_EQ(seen, "v/Regularizer");
  EXPECT_TRUE(v.variable->control_inputs().empty());
  EXPECT_EQ(g_.FindNode("v/Regularizer/loss")->control_inputs(),
            std::vector<Node*>({dep}));
}

TEST_F(VariablesTest, RegularizerErrorFailsTheCall) {
  GetVariableOptions o;
  o.regularizer = [](const Scope&, Output) {
    return Output(absl::InvalidArgumentError("bad loss"));
  };
  absl::StatusOr<VariableInfo> v = get_variable(root_, "v", {2}, o);
  EXPECT_TRUE(HasError(v.status(), absl::StatusCode::kInvalidArgument,
                       "regularizer of variable v: bad loss"));
  EXPECT_TRUE(g_.GetCollection(GraphKeys::kRegularizationLosses).empty());
  // As in TensorFlow the variable was already created.
  EXPECT_NE(g_.FindVariable("v"), nullptr);
}

// --- Collections and variable lists. --------------------------------------

TEST_F(VariablesTest, CollectionsContentsAndOrder) {
  MustGet(root_, "a", {1});
  GetVariableOptions frozen;
  frozen.trainable = false;
  MustGet(root_, "b", {1}, frozen);
  GetVariableOptions extra;
  extra.collections = {"mine", GraphKeys::kGlobalVariables, "mine", "other"};
  MustGet(root_.WithVariableScope("s"), "c", {1}, extra);

  EXPECT_EQ(Names(g_.GetCollection(GraphKeys::kGlobalVariables)),
            std::vector<std::string>({"a:0", "b:0", "s/c:0"}));
  EXPECT_EQ(Names(g_.GetCollection(GraphKeys::kTrainableVariables)),
            std::vector<std::string>({"a:0", "s/c:0"}));
  EXPECT_EQ(Names(g_.GetCollection("mine")),
            std::vector<std::string>({"s/c:0"}));
  EXPECT_EQ(Names(g_.GetCollection("other")),
            std::vector<std::string>({"s/c:0"}));
  // Collections hold the VariableV2 output (the ref), not the read.
  EXPECT_EQ(g_.GetCollection(GraphKeys::kGlobalVariables)[0].dtype(),
            DT_FLOAT_REF);

  EXPECT_EQ(Names(global_variables(g_)),
            std::vector<std::string>({"a", "b", "s/c"}));
  EXPECT_EQ(Names(trainable_variables(g_)),
            std::vector<std::string>({"a", "s/c"}));
  EXPECT_FALSE(g_.FindVariable("b")->trainable);
}

TEST_F(VariablesTest, OnlyNonTrainable) {
  GetVariableOptions frozen;
  frozen.trainable = false;
  MustGet(root_, "kernel", {2}, frozen);
  MustGet(root_, "bias", {2}, frozen);
  EXPECT_TRUE(trainable_variables(g_).empty());
  EXPECT_TRUE(g_.GetCollection(GraphKeys::kTrainableVariables).empty());
  EXPECT_EQ(Names(global_variables(g_)),
            std::vector<std::string>({"kernel", "bias"}));
}

TEST_F(VariablesTest, ConstraintIsKeptWithTheVariable) {
  GetVariableOptions o;
  o.constraint_spec = "max_norm:max_value=2;axis=0";
  o.constraint = [](const Scope& s, Output v) {
    return MakeOutput(s.AddNode("Identity", "clip", {v}));
  };
  MustGet(root_, "v", {2}, o);
  const VariableInfo* v = g_.FindVariable("v");
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->constraint_spec, "max_norm:max_value=2;axis=0");
  ASSERT_TRUE(v->constraint);
  Output c = v->constraint(root_, v->snapshot);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c.name(), "clip");
}

// --- Initializer ops. ------------------------------------------------------

TEST_F(VariablesTest, GlobalVariablesInitializerDependsOnEveryInitializer) {
  MustGet(root_, "a", {1});
  GetVariableOptions frozen;
  frozen.trainable = false;
  MustGet(root_, "b", {1}, frozen);
  MustGet(root_.WithVariableScope("s"), "c", {1});

  Operation init = global_variables_initializer(root_);
  ASSERT_TRUE(init.ok()) << init.status();
  EXPECT_EQ(init.name(), "init");
  EXPECT_EQ(init.node()->op(), "NoOp");
  EXPECT_EQ(init.node()->num_inputs(), 0);
  EXPECT_EQ(Names(init.node()->control_inputs()),
            std::vector<std::string>({"a/Assign", "b/Assign", "s/c/Assign"}));

  Operation init2 = global_variables_initializer(root_);
  EXPECT_EQ(init2.name(), "init_1");
  EXPECT_EQ(global_variables_initializer(root_.NewSubScope("sub")).name(),
            "sub/init");

  Operation some = variables_initializer(
      root_, {*g_.FindVariable("s/c"), *g_.FindVariable("a")}, "some_init");
  ASSERT_TRUE(some.ok());
  EXPECT_EQ(some.name(), "some_init");
  EXPECT_EQ(Names(some.node()->control_inputs()),
            std::vector<std::string>({"s/c/Assign", "a/Assign"}));

  // The scope's own control dependencies come first.
  Node* dep = *root_.AddNode("NoOp", "dep", {});
  Operation with_dep = global_variables_initializer(
      root_.WithControlDependencies(std::vector<Node*>{dep}));
  EXPECT_EQ(
      Names(with_dep.node()->control_inputs()),
      std::vector<std::string>({"dep", "a/Assign", "b/Assign", "s/c/Assign"}));
}

TEST_F(VariablesTest, InitializerOfNoVariablesIsAPlainNoOp) {
  Operation init = global_variables_initializer(root_);
  ASSERT_TRUE(init.ok()) << init.status();
  EXPECT_EQ(init.name(), "init");
  EXPECT_TRUE(init.node()->control_inputs().empty());
  Operation none = variables_initializer(root_, {});
  EXPECT_EQ(none.name(), "init_1");

  Operation no_graph =
      global_variables_initializer(Scope::NewRootScope(nullptr));
  EXPECT_EQ(no_graph.status().code(), absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace flowlet
