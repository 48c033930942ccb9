// VariableV2 and Assign on the harness's variable store.
#include <cstdint>
#include <vector>

#include "gtest/gtest.h"
#include "src/core/attr_util.h"
#include "tests/kernels/kernel_test_util.h"

namespace flowlet {
namespace {

using kernel_test::BitEqual;
using kernel_test::IsError;
using kernel_test::KernelRunner;
using kernel_test::RandomTensor;

AttrMap VariableAttrs(DataType dtype, const TensorShape& shape,
                      const std::string& shared_name = "") {
  return AttrMap{{"dtype", AttrType(dtype)},
                 {"shape", AttrShape(shape)},
                 {"container", AttrString("")},
                 {"shared_name", AttrString(shared_name)}};
}

AttrMap AssignAttrs(DataType t, bool validate_shape = true) {
  return AttrMap{{"T", AttrType(t)},
                 {"validate_shape", AttrBool(validate_shape)},
                 {"use_locking", AttrBool(true)}};
}

TEST(VariableV2Kernel, OutputsARefToTheNamedVariable) {
  KernelRunner var("VariableV2", VariableAttrs(DT_FLOAT, {2, 3}));
  ASSERT_TRUE(var.Init({}, {}).ok());
  ASSERT_TRUE(var.Compute({}).ok());
  Variable* v = var.output_ref(0);
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v, var.variable("test_VariableV2"));       // Named after the node.
  EXPECT_FALSE(var.output_tensor(0).IsInitialized());  // Not yet assigned.

  KernelRunner shared("VariableV2", VariableAttrs(DT_FLOAT, {2, 3}, "weights"));
  ASSERT_TRUE(shared.Init({}, {}).ok());
  ASSERT_TRUE(shared.Compute({}).ok());
  EXPECT_EQ(shared.output_ref(0), shared.variable("weights"));
}

TEST(VariableV2Kernel, DtypeOfAnExistingValueMustMatch) {
  KernelRunner var("VariableV2", VariableAttrs(DT_FLOAT, {2}, "w"));
  ASSERT_TRUE(var.Init({}, {}).ok());
  var.variable("w")->value = Tensor::Vector<int32_t>({1, 2});
  EXPECT_TRUE(IsError(var.Compute({}), absl::StatusCode::kInvalidArgument,
                      {"variable 'w' holds int32", "float"}));
}

class AssignTest : public ::testing::Test {
 protected:
  // An Assign whose ref input was declared with `declared`.
  absl::Status InitAssign(KernelRunner& runner, const TensorShape& declared,
                          DataType t) {
    return runner.Init({t, t}, {declared, TensorShape::UnknownRank()}, {},
                       {true, false});
  }
};

TEST_F(AssignTest, InitializesThenCopiesIntoTheSameBuffer) {
  KernelRunner assign("Assign", AssignAttrs(DT_FLOAT));
  ASSERT_TRUE(InitAssign(assign, {2, 3}, DT_FLOAT).ok());
  Variable* v = assign.variable("w");
  Tensor a = RandomTensor(DT_FLOAT, {2, 3}, 1);
  absl::StatusOr<std::vector<Tensor>> out =
      assign.Compute({v->value, a}, {v, nullptr});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(v->initialized.load());
  EXPECT_EQ(v->version.load(), 1u);
  EXPECT_TRUE(BitEqual(v->value, a));
  EXPECT_FALSE(v->value.SharesBufferWith(a));  // The variable owns a copy.
  EXPECT_EQ(assign.output_ref(0), v);
  EXPECT_TRUE(BitEqual((*out)[0], a));

  const void* buffer = v->value.raw_data();
  Tensor b = RandomTensor(DT_FLOAT, {2, 3}, 2);
  ASSERT_TRUE(assign.Compute({v->value, b}, {v, nullptr}).ok());
  EXPECT_EQ(v->value.raw_data(), buffer);  // Same shape: written in place.
  EXPECT_TRUE(BitEqual(v->value, b));
  EXPECT_EQ(v->version.load(), 2u);
}

TEST_F(AssignTest, ValidateShapeChecksDeclaredThenCurrentShape) {
  KernelRunner assign("Assign", AssignAttrs(DT_FLOAT));
  ASSERT_TRUE(InitAssign(assign, {2, 3}, DT_FLOAT).ok());
  Variable* v = assign.variable("w");
  EXPECT_TRUE(IsError(
      assign.Compute({v->value, RandomTensor(DT_FLOAT, {3}, 1)}, {v, nullptr}),
      absl::StatusCode::kInvalidArgument,
      {"Assign requires shapes of both tensors to match. lhs shape= [2,3] rhs "
       "shape= [3]"}));
  EXPECT_FALSE(v->initialized.load());
  EXPECT_FALSE(v->value.IsInitialized());
  ASSERT_TRUE(
      assign
          .Compute({v->value, RandomTensor(DT_FLOAT, {2, 3}, 1)}, {v, nullptr})
          .ok());
  EXPECT_TRUE(
      IsError(assign.Compute({v->value, RandomTensor(DT_FLOAT, {3, 2}, 1)},
                             {v, nullptr}),
              absl::StatusCode::kInvalidArgument,
              {"lhs shape= [2,3] rhs shape= [3,2]"}));
}

TEST_F(AssignTest, PartialDeclaredShapeAcceptsCompatibleValues) {
  KernelRunner assign("Assign", AssignAttrs(DT_FLOAT));
  ASSERT_TRUE(InitAssign(assign, TensorShape({-1, 3}), DT_FLOAT).ok());
  Variable* v = assign.variable("w");
  EXPECT_TRUE(
      assign
          .Compute({v->value, RandomTensor(DT_FLOAT, {5, 3}, 1)}, {v, nullptr})
          .ok());
  EXPECT_EQ(v->value.shape(), TensorShape({5, 3}));
}

TEST_F(AssignTest, WithoutValidateShapeReplacesTheValue) {
  KernelRunner assign("Assign", AssignAttrs(DT_FLOAT, false));
  ASSERT_TRUE(InitAssign(assign, {2, 3}, DT_FLOAT).ok());
  Variable* v = assign.variable("w");
  ASSERT_TRUE(
      assign
          .Compute({v->value, RandomTensor(DT_FLOAT, {2, 3}, 1)}, {v, nullptr})
          .ok());
  const uint64_t first = v->version.load();
  EXPECT_NE(first, 0u);
  Tensor c = RandomTensor(DT_FLOAT, {7}, 3);
  ASSERT_TRUE(assign.Compute({v->value, c}, {v, nullptr}).ok());
  EXPECT_TRUE(BitEqual(v->value, c));
  // Every write gives the variable a new, never reused version.
  EXPECT_GT(v->version.load(), first);
}

TEST_F(AssignTest, Errors) {
  KernelRunner assign("Assign", AssignAttrs(DT_FLOAT));
  ASSERT_TRUE(InitAssign(assign, {2}, DT_FLOAT).ok());
  Variable* v = assign.variable("w");
  // No variable behind input 0.
  EXPECT_TRUE(IsError(assign.Compute({Tensor(), Tensor::Vector<float>({1, 2})}),
                      absl::StatusCode::kInvalidArgument,
                      {"input 0 ('ref')", "variable"}));
  // Wrong value dtype.
  EXPECT_TRUE(IsError(
      assign.Compute({v->value, Tensor::Vector<int32_t>({1, 2})}, {v, nullptr}),
      absl::StatusCode::kInvalidArgument,
      {"input 1 ('value') must be float, got int32"}));
  // An uninitialized value (CVE-2022-23573).
  EXPECT_TRUE(IsError(assign.Compute({v->value, Tensor()}, {v, nullptr}),
                      absl::StatusCode::kInvalidArgument,
                      {"'value'", "uninitialized"}));
  // The variable already holds another dtype.
  v->value = Tensor::Vector<int32_t>({1, 2});
  EXPECT_TRUE(IsError(
      assign.Compute({v->value, Tensor::Vector<float>({1, 2})}, {v, nullptr}),
      absl::StatusCode::kInvalidArgument, {"holds int32"}));
}

}  // namespace
}  // namespace flowlet
