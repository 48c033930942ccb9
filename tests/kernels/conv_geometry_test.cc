// conv_geometry: TensorFlow's windowed output sizes and pads, the attr checks,
// and the partial-shape behaviour shape functions rely on.
#include "src/kernels/conv_geometry.h"

#include <cstdint>
#include <limits>

#include "gtest/gtest.h"
#include "src/core/attr_util.h"
#include "tests/kernels/kernel_test_util.h"

namespace flowlet {
namespace {

using absl::StatusCode;
using kernel_test::IsError;

WindowedOutput W(int64_t in, int64_t k, int64_t d, int64_t s, ConvPadding p,
                 int64_t b = 0, int64_t a = 0) {
  absl::StatusOr<WindowedOutput> w =
      GetWindowedOutputSize(in, k, d, s, p, b, a);
  EXPECT_TRUE(w.ok()) << w.status();
  return w.ok() ? *w : WindowedOutput{-1, -1, -1};
}

TEST(ConvGeometryTest, WindowedOutputSizeFollowsTensorFlow) {
  // SAME: ceil(in / s); pads split with the odd one after.
  WindowedOutput w = W(6, 3, 1, 2, ConvPadding::kSame);
  EXPECT_EQ(w.size, 3);
  EXPECT_EQ(w.pad_before, 0);
  EXPECT_EQ(w.pad_after, 1);
  w = W(8, 4, 1, 2, ConvPadding::kSame);  // TF_LAYER_SPEC 6: k4 s2 -> 1 / 1.
  EXPECT_EQ(w.size, 4);
  EXPECT_EQ(w.pad_before, 1);
  EXPECT_EQ(w.pad_after, 1);
  w = W(7, 2, 1, 1, ConvPadding::kSame);  // k2 s1 -> 0 / 1.
  EXPECT_EQ(w.size, 7);
  EXPECT_EQ(w.pad_before, 0);
  EXPECT_EQ(w.pad_after, 1);
  w = W(7, 3, 2, 1, ConvPadding::kSame);  // Dilated: eff 5 -> 2 / 2.
  EXPECT_EQ(w.pad_before, 2);
  EXPECT_EQ(w.pad_after, 2);
  w = W(12, 2, 1, 3, ConvPadding::kSame);  // k < s: no padding.
  EXPECT_EQ(w.size, 4);
  EXPECT_EQ(w.pad_before, 0);
  EXPECT_EQ(w.pad_after, 0);
  // VALID: (in - eff + s) / s.
  EXPECT_EQ(W(13, 3, 1, 2, ConvPadding::kValid).size, 6);
  EXPECT_EQ(W(12, 2, 1, 3, ConvPadding::kValid).size, 4);
  EXPECT_EQ(W(9, 3, 2, 1, ConvPadding::kValid).size, 5);
  EXPECT_EQ(W(2, 3, 1, 2, ConvPadding::kValid).size,
            0);  // Truncates toward zero, like TF.
  // EXPLICIT.
  w = W(7, 3, 1, 2, ConvPadding::kExplicit, 1, 2);
  EXPECT_EQ(w.size, 4);
  EXPECT_EQ(w.pad_before, 1);
  EXPECT_EQ(w.pad_after, 2);
}

TEST(ConvGeometryTest, WindowedOutputSizeErrors) {
  EXPECT_TRUE(IsError(GetWindowedOutputSize(5, 3, 1, 0, ConvPadding::kSame),
                      StatusCode::kInvalidArgument,
                      {"Stride must be > 0, but got 0"}));
  EXPECT_TRUE(IsError(GetWindowedOutputSize(5, 3, 0, 1, ConvPadding::kSame),
                      StatusCode::kInvalidArgument,
                      {"Dilation rate must be >= 1, but got 0"}));
  EXPECT_TRUE(
      IsError(GetWindowedOutputSize(1, 4, 1, 1, ConvPadding::kValid),
              StatusCode::kInvalidArgument,
              {"Computed output size would be negative: -2 [input_size: 1, "
               "effective_filter_size: 4, stride: 1]"}));
  const int64_t max = std::numeric_limits<int64_t>::max();
  EXPECT_TRUE(IsError(GetWindowedOutputSize(max, 3, max, 1, ConvPadding::kSame),
                      StatusCode::kInvalidArgument, {"overflows int64"}));
  EXPECT_TRUE(IsError(
      GetWindowedOutputSize(max, 1, 1, 1, ConvPadding::kExplicit, max, max),
      StatusCode::kInvalidArgument, {"overflows int64"}));
}

AttrMap BaseAttrs() {
  AttrMap a;
  a["strides"] = AttrIntList({1, 2, 3, 1});
  a["padding"] = AttrString("SAME");
  return a;
}

TEST(ConvGeometryTest, ParseParamsDefaultsAndLayouts) {
  absl::StatusOr<Conv2DParams> p = ParseConv2DParams(BaseAttrs(), "Op");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->data_format, ConvDataFormat::kNHWC);
  EXPECT_EQ(p->strides[0], 2);
  EXPECT_EQ(p->strides[1], 3);
  EXPECT_EQ(p->dilations[0], 1);
  AttrMap a = BaseAttrs();
  a["data_format"] = AttrString("NCHW");
  a["strides"] = AttrIntList({1, 1, 4, 5});
  a["dilations"] = AttrIntList({1, 1, 2, 3});
  a["padding"] = AttrString("EXPLICIT");
  a["explicit_paddings"] = AttrIntList({0, 0, 0, 0, 1, 2, 3, 4});
  p = ParseConv2DParams(a, "Op");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->strides[0], 4);
  EXPECT_EQ(p->strides[1], 5);
  EXPECT_EQ(p->dilations[1], 3);
  EXPECT_EQ(p->explicit_pads[0][0], 1);
  EXPECT_EQ(p->explicit_pads[0][1], 2);
  EXPECT_EQ(p->explicit_pads[1][0], 3);
  EXPECT_EQ(p->explicit_pads[1][1], 4);
  a["strides"] = AttrIntList({1, 2, 1, 1});  // NCHW channel stride 2.
  EXPECT_TRUE(
      IsError(ParseConv2DParams(a, "Op"), StatusCode::kInvalidArgument,
              {"Op: Current implementation does not yet support strides"}));
}

TEST(ConvGeometryTest, PartialShapesCheckOnlyWhatIsKnown) {
  absl::StatusOr<Conv2DParams> p = ParseConv2DParams(BaseAttrs(), "L");
  ASSERT_TRUE(p.ok());
  // Unknown rank everywhere: nothing to check.
  EXPECT_TRUE(ConvBackpropComputeDimensions("L", TensorShape::UnknownRank(),
                                            TensorShape::UnknownRank(),
                                            TensorShape::UnknownRank(), *p)
                  .ok());
  // Unknown batch and H: the W dim is still checked (W = 9, s 3 -> 3).
  EXPECT_TRUE(ConvBackpropComputeDimensions("L", TensorShape({-1, -1, 9, 4}),
                                            TensorShape({3, 3, 4, 5}),
                                            TensorShape({2, 7, 3, 5}), *p)
                  .ok());
  EXPECT_TRUE(IsError(
      ConvBackpropComputeDimensions("L", TensorShape({-1, -1, 9, 4}),
                                    TensorShape({3, 3, 4, 5}),
                                    TensorShape({2, 7, 4, 5}), *p),
      StatusCode::kInvalidArgument,
      {"L: Size of out_backprop doesn't match computed: actual = 4, computed = "
       "3 "
       "spatial_dim: 2 input: 9 filter: 3 output: 4 stride: 3 dilation: 1"}));
  // Grouped: in_depth 8, filter depth 4 -> 2 groups.
  absl::StatusOr<ConvBackpropDims> d = ConvBackpropComputeDimensions(
      "L", TensorShape({2, 4, 9, 8}), TensorShape({3, 3, 4, 6}),
      TensorShape({2, 2, 3, 6}), *p);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->groups(), 2);
  EXPECT_EQ(d->spatial[0].pad_before, 0);  // H 4, s 2, k 3: total 1 -> 0 / 1.
  EXPECT_EQ(d->spatial[0].pad_after, 1);
}

TEST(ConvGeometryTest, InputSizesWithTwoValues) {
  absl::StatusOr<std::vector<int64_t>> d = Conv2DBackpropInputSizes(
      {6, 8}, TensorShape({3, 3, 5, 7}), TensorShape({2, 3, 4, 7}),
      ConvDataFormat::kNHWC);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, (std::vector<int64_t>{2, 6, 8, 5}));
  d = Conv2DBackpropInputSizes({6, 8}, TensorShape({3, 3, 5, 7}),
                               TensorShape::UnknownRank(),
                               ConvDataFormat::kNCHW);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, (std::vector<int64_t>{-1, 5, 6, 8}));
  EXPECT_TRUE(IsError(
      Conv2DBackpropInputSizes({1, 2, 3}, TensorShape::UnknownRank(),
                               TensorShape::UnknownRank(),
                               ConvDataFormat::kNHWC),
      StatusCode::kInvalidArgument,
      {"Conv2DBackpropInput requires input_sizes to contain 4 values or 2 "
       "values, but got: 3"}));
}

}  // namespace
}  // namespace flowlet
