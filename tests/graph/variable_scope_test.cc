// Variable scopes: names, reuse inheritance, defaults, default-name
// uniquification.
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "flowlet/graph.h"
#include "flowlet/scope.h"
#include "gtest/gtest.h"
#include "tests/graph/scope_test_util.h"

namespace flowlet {
namespace {

using namespace ::flowlet::scope_testing;  // NOLINT(build/namespaces)

// --- Variable scopes. ------------------------------------------------------

TEST(VariableScopeTest, RootScope) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  EXPECT_EQ(root.variable_scope().name, "");
  EXPECT_EQ(root.variable_scope().reuse, Reuse::kInherit);
  EXPECT_FALSE(root.variable_scope().initializer);
  EXPECT_FALSE(root.variable_scope().regularizer);
  EXPECT_EQ(root.name_scope(), "");
  EXPECT_TRUE(root.status().ok());
}

TEST(VariableScopeTest, NamedScopeIsNotUniquifiedButItsNameScopeIs) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  Scope a = root.WithVariableScope("scope");
  EXPECT_EQ(a.variable_scope().name, "scope");
  EXPECT_EQ(a.name_scope(), "scope");
  Scope b = root.WithVariableScope("scope");
  EXPECT_EQ(b.variable_scope().name, "scope");
  EXPECT_EQ(b.name_scope(), "scope_1");

  Scope inner = a.WithVariableScope("deconv1");
  EXPECT_EQ(inner.variable_scope().name, "scope/deconv1");
  EXPECT_EQ(inner.name_scope(), "scope/deconv1");
  EXPECT_EQ(inner.GetUniqueNameForOp("add"), "scope/deconv1/add");

  // The variable scope follows variable scopes only, not name scopes.
  Scope ns = root.NewSubScope("ns");
  Scope v_in_ns = ns.WithVariableScope("v");
  EXPECT_EQ(v_in_ns.variable_scope().name, "v");
  EXPECT_EQ(v_in_ns.name_scope(), "ns/v");
  EXPECT_EQ(v_in_ns.NewSubScope("x").variable_scope().name, "v");

  EXPECT_EQ(g.variable_scope_counts().at("scope"), 2);
  EXPECT_EQ(g.variable_scope_counts().at("scope/deconv1"), 1);
}

TEST(VariableScopeTest, ReuseIsOwnOrParent) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  VariableScopeOptions reuse{Reuse::kReuse, {}, {}};
  VariableScopeOptions autoreuse{Reuse::kAutoReuse, {}, {}};
  VariableScopeOptions inherit{Reuse::kInherit, {}, {}};

  Scope r = root.WithVariableScope("r", reuse);
  EXPECT_EQ(r.variable_scope().reuse, Reuse::kReuse);
  // kInherit (None/False) cannot switch an enclosing reuse off.
  EXPECT_EQ(r.WithVariableScope("c", inherit).variable_scope().reuse,
            Reuse::kReuse);
  EXPECT_EQ(r.WithVariableScope("c", autoreuse).variable_scope().reuse,
            Reuse::kAutoReuse);
  Scope a = root.WithVariableScope("a", autoreuse);
  EXPECT_EQ(a.variable_scope().reuse, Reuse::kAutoReuse);
  EXPECT_EQ(a.WithVariableScope("c").variable_scope().reuse, Reuse::kAutoReuse);
  EXPECT_EQ(a.WithVariableScope("c", reuse).variable_scope().reuse,
            Reuse::kReuse);
  EXPECT_EQ(root.WithVariableScope("n").variable_scope().reuse,
            Reuse::kInherit);
  // Name scopes and other scope changes keep the variable scope.
  EXPECT_EQ(r.NewSubScope("s").WithDevice("d").variable_scope().reuse,
            Reuse::kReuse);
  EXPECT_EQ(r.NewSubScope("s").variable_scope().name, "r");
}

// Initializers / regularizers tagged by the error they carry.
Initializer TaggedInitializer(const std::string& tag) {
  return [tag](const Scope&, const TensorShape&, DataType) {
    return Output(absl::InternalError(tag));
  };
}
Regularizer TaggedRegularizer(const std::string& tag) {
  return
      [tag](const Scope&, Output) { return Output(absl::InternalError(tag)); };
}
std::string Tag(const Initializer& init) {
  if (!init) return "<none>";
  return std::string(
      init(Scope::NewRootScope(nullptr), {}, DT_FLOAT).status().message());
}
std::string Tag(const Regularizer& reg) {
  if (!reg) return "<none>";
  return std::string(
      reg(Scope::NewRootScope(nullptr), Output()).status().message());
}

TEST(VariableScopeTest, InitializerAndRegularizerInheritUnlessSet) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  VariableScopeOptions outer_opts;
  outer_opts.initializer = TaggedInitializer("outer-init");
  outer_opts.regularizer = TaggedRegularizer("outer-reg");
  Scope outer = root.WithVariableScope("outer", outer_opts);
  EXPECT_EQ(Tag(outer.variable_scope().initializer), "outer-init");
  EXPECT_EQ(Tag(outer.variable_scope().regularizer), "outer-reg");

  Scope plain = outer.WithVariableScope("plain");
  EXPECT_EQ(Tag(plain.variable_scope().initializer), "outer-init");
  EXPECT_EQ(Tag(plain.variable_scope().regularizer), "outer-reg");

  VariableScopeOptions inner_opts;
  inner_opts.initializer = TaggedInitializer("inner-init");
  Scope inner = outer.WithVariableScope("inner", inner_opts);
  EXPECT_EQ(Tag(inner.variable_scope().initializer), "inner-init");
  EXPECT_EQ(Tag(inner.variable_scope().regularizer), "outer-reg");

  absl::StatusOr<Scope> dflt = inner.WithDefaultVariableScope("d");
  ASSERT_TRUE(dflt.ok());
  EXPECT_EQ(Tag(dflt->variable_scope().initializer), "inner-init");
  EXPECT_EQ(Tag(dflt->variable_scope().regularizer), "outer-reg");

  EXPECT_EQ(Tag(root.variable_scope().initializer), "<none>");
}

TEST(VariableScopeTest, DefaultNamesAreUniquePerParent) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  std::vector<std::string> names;
  for (int i = 0; i < 3; ++i) {
    absl::StatusOr<Scope> s = root.WithDefaultVariableScope("conv2d_transpose");
    ASSERT_TRUE(s.ok()) << s.status();
    names.push_back(s->variable_scope().name);
    EXPECT_EQ(s->name_scope(), s->variable_scope().name);
  }
  EXPECT_EQ(names,
            std::vector<std::string>({"conv2d_transpose", "conv2d_transpose_1",
                                      "conv2d_transpose_2"}));

  // Per parent: inside another scope the count starts over.
  Scope other = root.WithVariableScope("other");
  absl::StatusOr<Scope> s = other.WithDefaultVariableScope("conv2d_transpose");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->variable_scope().name, "other/conv2d_transpose");
  EXPECT_EQ(s->name_scope(), "other/conv2d_transpose");
}

TEST(VariableScopeTest, DefaultNameSkipsNamedScopesAndFillsGaps) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  root.WithVariableScope("conv");
  root.WithVariableScope("conv_2");
  absl::StatusOr<Scope> a = root.WithDefaultVariableScope("conv");
  absl::StatusOr<Scope> b = root.WithDefaultVariableScope("conv");
  absl::StatusOr<Scope> c = root.WithDefaultVariableScope("conv");
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(a->variable_scope().name, "conv_1");
  EXPECT_EQ(b->variable_scope().name, "conv_3");
  EXPECT_EQ(c->variable_scope().name, "conv_4");
}

TEST(VariableScopeTest, NameScopeAndVariableScopeCountersAreSeparate) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  // A plain name scope (e.g. a Keras layer) advances only the name counter.
  EXPECT_EQ(root.NewSubScope("dense").name_scope(), "dense");
  absl::StatusOr<Scope> s = root.WithDefaultVariableScope("dense");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->variable_scope().name, "dense");
  EXPECT_EQ(s->name_scope(), "dense_1");

  // A second layer named "deconv1": same variable scope, op scope deconv1_1.
  Scope l1 = root.WithVariableScope("deconv1");
  Scope l2 = root.WithVariableScope("deconv1");
  EXPECT_EQ(l1.variable_scope().name, l2.variable_scope().name);
  EXPECT_EQ(l1.name_scope(), "deconv1");
  EXPECT_EQ(l2.name_scope(), "deconv1_1");
}

TEST(VariableScopeTest, ReenteringAScopeResetsItsSubScopeCounts) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  auto default_name = [](const Scope& s) {
    absl::StatusOr<Scope> d = s.WithDefaultVariableScope("conv2d_transpose");
    return d.ok() ? d->variable_scope().name : d.status().ToString();
  };
  Scope tower = root.WithVariableScope("scope");
  EXPECT_EQ(default_name(tower), "scope/conv2d_transpose");
  EXPECT_EQ(default_name(tower), "scope/conv2d_transpose_1");
  // The TF1 "reuse a tower" idiom.
  VariableScopeOptions reuse{Reuse::kReuse, {}, {}};
  Scope tower2 = root.WithVariableScope("scope", reuse);
  EXPECT_EQ(default_name(tower2), "scope/conv2d_transpose");
  EXPECT_EQ(tower2.variable_scope().reuse, Reuse::kReuse);
  // Nested counts reset too.
  Scope deep = root.WithVariableScope("scope").WithVariableScope("inner");
  EXPECT_EQ(default_name(deep), "scope/inner/conv2d_transpose");
  Scope deep2 = root.WithVariableScope("scope").WithVariableScope("inner");
  EXPECT_EQ(default_name(deep2), "scope/inner/conv2d_transpose");

  // Top-level counts never reset.
  EXPECT_EQ(default_name(root), "conv2d_transpose");
  EXPECT_EQ(default_name(root), "conv2d_transpose_1");
  EXPECT_EQ(default_name(root), "conv2d_transpose_2");
  // Entering a variable scope with an empty name changes nothing.
  Scope same = root.WithVariableScope("");
  EXPECT_EQ(same.variable_scope().name, "");
  EXPECT_EQ(default_name(root), "conv2d_transpose_3");
}

TEST(VariableScopeTest, DefaultScopeRejectsReuse) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  VariableScopeOptions reuse{Reuse::kReuse, {}, {}};
  absl::StatusOr<Scope> s = root.WithDefaultVariableScope("conv", reuse);
  EXPECT_TRUE(HasError(s.status(), absl::StatusCode::kInvalidArgument,
                       "reuse=True cannot be used without a name_or_scope"));
  EXPECT_EQ(s.status().message(),
            "reuse=True cannot be used without a name_or_scope");
  VariableScopeOptions autoreuse{Reuse::kAutoReuse, {}, {}};
  s = root.WithDefaultVariableScope("conv", autoreuse);
  EXPECT_TRUE(HasError(s.status(), absl::StatusCode::kInvalidArgument,
                       "reuse=True cannot be used without a name_or_scope"));
  // Nothing was counted by the rejected calls.
  EXPECT_EQ(g.variable_scope_counts().count("conv"), 0u);
  EXPECT_EQ(root.GetUniqueNameForOp("conv"), "conv");

  // An inherited reuse is fine: only the scope's own reuse is checked.
  Scope r = root.WithVariableScope("r", reuse);
  absl::StatusOr<Scope> d = r.WithDefaultVariableScope("conv");
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->variable_scope().name, "r/conv");
  EXPECT_EQ(d->variable_scope().reuse, Reuse::kReuse);

  EXPECT_EQ(root.WithDefaultVariableScope("").status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace flowlet
