// Conv2DBackpropInput kernel: every rejection of UNTRUSTED_INPUT.md rules 1, 3
// and 4, with its code and message.
#include <cstdint>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "src/core/attr_util.h"
#include "tests/kernels/kernel_test_util.h"
#include "tests/kernels/nn_test_util.h"

namespace flowlet {
namespace {

using absl::StatusCode;
using kernel_test::IsError;
using kernel_test::RandomTensor;
using kernel_test::RunKernel1;
using nn_test::DeconvAttrs;
using nn_test::DeconvCase;

constexpr char kOp[] = "Conv2DBackpropInput";

// A valid NHWC configuration: y [2,6,6,4] from dy [2,3,3,5], k3 s2 SAME.
struct Fixture {
  DeconvCase k;
  AttrMap attrs;
  Tensor sizes, filter, dy;
  Fixture() {
    k.n = 2, k.h = 6, k.w = 6, k.c = 4, k.od = 5, k.sh = 2, k.sw = 2;
    attrs = DeconvAttrs(k, "NHWC", DT_FLOAT);
    sizes = Tensor::Vector<int32_t>({2, 6, 6, 4});
    filter = RandomTensor(DT_FLOAT, TensorShape({3, 3, 4, 5}), 1);
    dy = RandomTensor(DT_FLOAT, TensorShape({2, 3, 3, 5}), 2);
  }
  absl::Status Run() const {
    return RunKernel1(kOp, attrs, {sizes, filter, dy}).status();
  }
};

TEST(Conv2DBackpropInputErrorsTest, TheFixtureIsValid) {
  EXPECT_TRUE(Fixture().Run().ok()) << Fixture().Run();
}

TEST(Conv2DBackpropInputErrorsTest, Ranks) {
  Fixture f;
  f.filter = RandomTensor(DT_FLOAT, TensorShape({3, 3, 4}), 1);
  EXPECT_TRUE(IsError(
      f.Run(), StatusCode::kInvalidArgument,
      {"Conv2DBackpropInput: filter must be 4-dimensional", "[3,3,4]"}));
  f = Fixture();
  f.dy = RandomTensor(DT_FLOAT, TensorShape({1, 2, 3, 3, 5}), 1);
  EXPECT_TRUE(
      IsError(f.Run(), StatusCode::kInvalidArgument,
              {"Conv2DBackpropInput: out_backprop must be 4-dimensional"}));
  f = Fixture();
  f.sizes = Tensor(DT_INT32, TensorShape({2, 2}));
  EXPECT_TRUE(IsError(f.Run(), StatusCode::kInvalidArgument,
                      {"input_sizes input must be 1-dim, not 2"}));
}

TEST(Conv2DBackpropInputErrorsTest, InputSizesCount) {
  Fixture f;
  f.sizes = Tensor::Vector<int32_t>({2, 6, 6});
  EXPECT_TRUE(IsError(
      f.Run(), StatusCode::kInvalidArgument,
      {"Conv2DBackpropInput requires input_sizes to contain 4 values or 2 "
       "values, but got: 3"}));
  f.sizes = Tensor::Vector<int32_t>({2, 6, 6, 4, 1});
  EXPECT_TRUE(IsError(f.Run(), StatusCode::kInvalidArgument, {"but got: 5"}));
}

TEST(Conv2DBackpropInputErrorsTest, NegativeInputSizes) {
  Fixture f;
  f.sizes = Tensor::Vector<int32_t>({2, -6, 6, 4});
  EXPECT_TRUE(IsError(
      f.Run(), StatusCode::kInvalidArgument,
      {"Conv2DBackpropInput: input_sizes: ", "dimension 1 is negative (-6)"}));
  f.sizes = Tensor::Vector<int32_t>({6, -1});
  EXPECT_TRUE(
      IsError(f.Run(), StatusCode::kInvalidArgument, {"is negative (-1)"}));
}

TEST(Conv2DBackpropInputErrorsTest, HugeInputSizesAreRejectedBeforeAllocation) {
  Fixture f;
  // 2 * 100000 * 100000 * 4 floats = 320 GB: over the 4 GiB budget.
  f.sizes = Tensor::Vector<int32_t>({2, 100000, 100000, 4});
  EXPECT_TRUE(
      IsError(f.Run(), StatusCode::kResourceExhausted,
              {"Conv2DBackpropInput: input_sizes: ", "more than the limit"}));
  // int32 max in every dim: the element count overflows.
  const int32_t m = 2147483647;
  f.sizes = Tensor::Vector<int32_t>({m, m, m, m});
  absl::Status s = f.Run();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(std::string(s.message()).find("Conv2DBackpropInput: input_sizes: "),
            std::string::npos)
      << s;
}

TEST(Conv2DBackpropInputErrorsTest, BatchAndDepths) {
  Fixture f;
  f.sizes = Tensor::Vector<int32_t>({3, 6, 6, 4});
  EXPECT_TRUE(IsError(
      f.Run(), StatusCode::kInvalidArgument,
      {"Conv2DBackpropInput: input and out_backprop must have the same batch "
       "size. Input batch: 3, outbackprop batch: 2, batch_dim: 0"}));
  f = Fixture();
  f.dy = RandomTensor(DT_FLOAT, TensorShape({2, 3, 3, 6}), 2);
  EXPECT_TRUE(IsError(
      f.Run(), StatusCode::kInvalidArgument,
      {"Conv2DBackpropInput: filter and out_backprop must have the same "
       "out_depth"}));
  f = Fixture();
  f.sizes = Tensor::Vector<int32_t>({2, 6, 6, 6});  // 6 % 4 != 0.
  EXPECT_TRUE(
      IsError(f.Run(), StatusCode::kInvalidArgument,
              {"input depth must be evenly divisible by filter depth"}));
  f = Fixture();
  f.filter = Tensor(DT_FLOAT, TensorShape({3, 3, 0, 5}));
  EXPECT_TRUE(IsError(f.Run(), StatusCode::kInvalidArgument,
                      {"filter depth must be strictly greater than zero"}));
}

TEST(Conv2DBackpropInputErrorsTest, InconsistentSpatialSizes) {
  Fixture f;
  // SAME, stride 2: H = 7 needs ceil(7/2) = 4 rows of out_backprop, not 3.
  f.sizes = Tensor::Vector<int32_t>({2, 7, 6, 4});
  EXPECT_TRUE(IsError(
      f.Run(), StatusCode::kInvalidArgument,
      {"Conv2DBackpropInput: Size of out_backprop doesn't match computed: "
       "actual = 3, computed = 4 spatial_dim: 1 input: 7 filter: 3 output: 3 "
       "stride: 2 dilation: 1"}));
  // The W dim of an NCHW graph is spatial_dim 3.
  DeconvCase k = f.k;
  f.attrs = DeconvAttrs(k, "NCHW", DT_FLOAT);
  f.sizes = Tensor::Vector<int32_t>({2, 4, 6, 8});
  f.dy = RandomTensor(DT_FLOAT, TensorShape({2, 5, 3, 3}), 2);
  EXPECT_TRUE(IsError(f.Run(), StatusCode::kInvalidArgument,
                      {"actual = 3, computed = 4 spatial_dim: 3 input: 8"}));
  // VALID with a kernel larger than the input: negative size.
  f = Fixture();
  f.k.padding = "VALID";
  f.k.sh = f.k.sw = 1;
  f.attrs = DeconvAttrs(f.k, "NHWC", DT_FLOAT);
  f.sizes = Tensor::Vector<int32_t>({2, 1, 6, 4});
  f.filter = RandomTensor(DT_FLOAT, TensorShape({4, 3, 4, 5}), 1);
  EXPECT_TRUE(IsError(f.Run(), StatusCode::kInvalidArgument,
                      {"Computed output size would be negative"}));
}

TEST(Conv2DBackpropInputErrorsTest, Strides) {
  Fixture f;
  f.attrs["strides"] = AttrIntList({1, 0, 2, 1});
  EXPECT_TRUE(IsError(f.Run(), StatusCode::kInvalidArgument,
                      {"Stride must be > 0, but got 0"}));
  f.attrs["strides"] = AttrIntList({1, 2, -1, 1});
  EXPECT_TRUE(IsError(f.Run(), StatusCode::kInvalidArgument,
                      {"Stride must be > 0, but got -1"}));
  f.attrs["strides"] = AttrIntList({2, 2, 2, 1});
  EXPECT_TRUE(IsError(
      f.Run(), StatusCode::kInvalidArgument,
      {"does not yet support strides in the batch and depth dimensions"}));
  f.attrs["strides"] = AttrIntList({1, 2, 2});
  EXPECT_TRUE(
      IsError(f.Run(), StatusCode::kInvalidArgument,
              {"Sliding window strides field must specify 4 dimensions"}));
}

TEST(Conv2DBackpropInputErrorsTest, Dilations) {
  Fixture f;
  f.attrs["dilations"] = AttrIntList({1, 0, 1, 1});
  EXPECT_TRUE(IsError(f.Run(), StatusCode::kInvalidArgument,
                      {"Dilation rate must be >= 1, but got 0"}));
  f.attrs["dilations"] = AttrIntList({1, 1, 1, 2});
  EXPECT_TRUE(IsError(
      f.Run(), StatusCode::kInvalidArgument,
      {"does not yet support dilations in the batch and depth dimensions"}));
  f.attrs["dilations"] = AttrIntList({1, 1});
  EXPECT_TRUE(
      IsError(f.Run(), StatusCode::kInvalidArgument,
              {"Sliding window dilations field must specify 4 dimensions"}));
}

TEST(Conv2DBackpropInputErrorsTest, PaddingAndDataFormat) {
  Fixture f;
  f.attrs["padding"] = AttrString("FOO");
  EXPECT_TRUE(IsError(
      f.Run(), StatusCode::kInvalidArgument,
      {"Value for attr 'padding' of \"FOO\" is not in the list of allowed "
       "values: \"SAME\", \"VALID\", \"EXPLICIT\""}));
  f = Fixture();
  f.attrs["data_format"] = AttrString("HWCN");
  EXPECT_TRUE(IsError(f.Run(), StatusCode::kInvalidArgument,
                      {"Invalid data format string: 'HWCN'"}));
  f = Fixture();
  f.attrs.erase("padding");
  EXPECT_TRUE(IsError(f.Run(), StatusCode::kInvalidArgument, {"padding"}));
}

TEST(Conv2DBackpropInputErrorsTest, ExplicitPaddings) {
  Fixture f;
  f.attrs["padding"] = AttrString("EXPLICIT");
  f.attrs["explicit_paddings"] = AttrIntList({0, 0, 1, 1, 1, 1});
  EXPECT_TRUE(IsError(
      f.Run(), StatusCode::kInvalidArgument,
      {"explicit_paddings attribute must contain 8 values, but got: 6"}));
  f.attrs["explicit_paddings"] = AttrIntList({0, 0, 1, -1, 1, 1, 0, 0});
  EXPECT_TRUE(
      IsError(f.Run(), StatusCode::kInvalidArgument,
              {"All elements of explicit_paddings must be nonnegative"}));
  f.attrs["explicit_paddings"] = AttrIntList({1, 0, 1, 1, 1, 1, 0, 0});
  EXPECT_TRUE(IsError(
      f.Run(), StatusCode::kInvalidArgument,
      {"Nonzero explicit padding in the batch or depth dimensions is not "
       "supported"}));
  f.attrs["explicit_paddings"] = AttrIntList({0, 0, 1, 1, 1, 1, 0, 2});
  EXPECT_TRUE(IsError(f.Run(), StatusCode::kInvalidArgument,
                      {"Nonzero explicit padding"}));
  f = Fixture();
  f.attrs["explicit_paddings"] = AttrIntList({0, 0, 1, 1, 1, 1, 0, 0});
  EXPECT_TRUE(IsError(
      f.Run(), StatusCode::kInvalidArgument,
      {"explicit_paddings attribute must be empty if the padding attribute is "
       "not EXPLICIT"}));
  // Huge explicit pads: the windowed size overflows int64 (reported, no UB).
  f = Fixture();
  f.attrs["strides"] = AttrIntList({1, 1, 1, 1});
  f.attrs["padding"] = AttrString("EXPLICIT");
  const int64_t big = int64_t{1} << 62;
  f.attrs["explicit_paddings"] = AttrIntList({0, 0, big, big, 0, 0, 0, 0});
  EXPECT_TRUE(
      IsError(f.Run(), StatusCode::kInvalidArgument, {"overflows int64"}));
}

TEST(Conv2DBackpropInputErrorsTest, HugeStrideOrDilationNeverOverflows) {
  Fixture f;
  const int64_t big = int64_t{1} << 62;
  f.attrs["strides"] = AttrIntList({1, big, big, 1});
  EXPECT_TRUE(
      IsError(f.Run(), StatusCode::kInvalidArgument, {"Size of out_backprop"}));
  f = Fixture();
  f.attrs["dilations"] = AttrIntList({1, big, big, 1});
  EXPECT_FALSE(f.Run().ok());
  // A consistent but absurd geometry: 1 row in, stride 2^40 + 1 (the oneDNN
  // path's bound).
  DeconvCase k;
  k.n = 1, k.h = 3, k.w = 3, k.c = 1, k.od = 1, k.kh = 1, k.kw = 1;
  k.sh = k.sw = (int64_t{1} << 40) + 1;
  k.padding = "VALID";
  absl::StatusOr<Tensor> y =
      RunKernel1(kOp, DeconvAttrs(k, "NHWC", DT_FLOAT),
                 {Tensor::Vector<int32_t>({1, 3, 3, 1}),
                  RandomTensor(DT_FLOAT, TensorShape({1, 1, 1, 1}), 1),
                  RandomTensor(DT_FLOAT, TensorShape({1, 1, 1, 1}), 2)});
  ASSERT_TRUE(y.ok() || y.status().code() == StatusCode::kInvalidArgument)
      << y.status();
}

TEST(Conv2DBackpropInputErrorsTest, Dtypes) {
  Fixture f;
  f.filter = RandomTensor(DT_DOUBLE, TensorShape({3, 3, 4, 5}), 1);
  EXPECT_TRUE(IsError(
      f.Run(), StatusCode::kInvalidArgument,
      {"Conv2DBackpropInput: inputs must be (int32, float, float), got (int32, "
       "double, float)"}));
  f = Fixture();
  f.sizes = Tensor::Vector<int64_t>({2, 6, 6, 4});
  EXPECT_TRUE(IsError(f.Run(), StatusCode::kInvalidArgument, {"int32"}));
  f = Fixture();
  f.attrs["T"] = AttrType(DT_INT32);
  EXPECT_TRUE(IsError(f.Run(), StatusCode::kInvalidArgument,
                      {"Conv2DBackpropInput: T = int32 is not supported"}));
}

TEST(Conv2DBackpropInputGroupsTest, OutputDepthMustBeAMultipleOfTheGroups) {
  // input depth 4 with filter depth 2: two groups, so 3 output channels cannot
  // be split.
  Fixture f;
  f.sizes = Tensor::Vector<int32_t>({2, 6, 6, 4});
  f.filter = RandomTensor(DT_FLOAT, TensorShape({3, 3, 2, 3}), 1);
  f.dy = RandomTensor(DT_FLOAT, TensorShape({2, 3, 3, 3}), 2);
  EXPECT_TRUE(IsError(
      f.Run(), StatusCode::kInvalidArgument,
      {"Depth of output (3) is not a multiple of the number of groups (2)"}));
  // Same in double, whose plain loop used to drop the last channel silently.
  f.attrs["T"] = AttrType(DT_DOUBLE);
  f.filter = RandomTensor(DT_DOUBLE, TensorShape({3, 3, 2, 3}), 1);
  f.dy = RandomTensor(DT_DOUBLE, TensorShape({2, 3, 3, 3}), 2);
  EXPECT_TRUE(
      IsError(f.Run(), StatusCode::kInvalidArgument, {"number of groups (2)"}));
}

}  // namespace
}  // namespace flowlet
