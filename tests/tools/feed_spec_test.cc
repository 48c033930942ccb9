// The flowlet tool's spec parsers: every accepted form and every error.
#include "tools/flowlet/feed_spec.h"

#include <cmath>

#include "gtest/gtest.h"
#include "tests/core/status_test_util.h"

namespace flowlet {
namespace cli {
namespace {

using testing_util::IsError;
constexpr auto kInvalid = absl::StatusCode::kInvalidArgument;

TEST(TensorNameTest, ParsesNodeAndIndex) {
  absl::StatusOr<TensorName> n = ParseTensorName("a/b_c.d-e");
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(n->node, "a/b_c.d-e");
  EXPECT_EQ(n->index, 0);
  EXPECT_EQ(n->ToString(), "a/b_c.d-e");
  n = ParseTensorName("split:2");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->node, "split");
  EXPECT_EQ(n->index, 2);
  EXPECT_EQ(n->ToString(), "split:2");
  n = ParseTensorName("x:0");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->ToString(), "x");
}

TEST(TensorNameTest, Errors) {
  EXPECT_TRUE(IsError(ParseTensorName(""), kInvalid, {"empty node name"}));
  EXPECT_TRUE(IsError(ParseTensorName(":1"), kInvalid, {"empty node name"}));
  EXPECT_TRUE(IsError(ParseTensorName("x:"), kInvalid, {"output index ''"}));
  EXPECT_TRUE(
      IsError(ParseTensorName("x:-1"), kInvalid, {"output index '-1'"}));
  EXPECT_TRUE(
      IsError(ParseTensorName("x:01"), kInvalid, {"output index '01'"}));
  EXPECT_TRUE(IsError(ParseTensorName("x:1a"), kInvalid, {"output index"}));
  EXPECT_TRUE(IsError(ParseTensorName("x:99999999999999999999"), kInvalid,
                      {"output index"}));
  EXPECT_TRUE(IsError(ParseTensorName("x:2000000"), kInvalid,
                      {"output index", "0..1048576"}));
  EXPECT_TRUE(IsError(ParseTensorName("_x"), kInvalid,
                      {"invalid character '_' at position 0"}));
  EXPECT_TRUE(IsError(ParseTensorName("a b"), kInvalid,
                      {"invalid character ' ' at position 1"}));
  EXPECT_TRUE(
      IsError(ParseTensorName("a\"b"), kInvalid, {"invalid character"}));
  EXPECT_TRUE(
      IsError(ValidateNodeName("a:1"), kInvalid, {"invalid character ':'"}));
}

TEST(DimsTest, Parses) {
  absl::StatusOr<TensorShape> s = ParseDims("1x4x4x64", ResourceLimits());
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(*s, TensorShape({1, 4, 4, 64}));
  s = ParseDims("scalar", ResourceLimits());
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->rank(), 0);
  s = ParseDims("0x5", ResourceLimits());
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s, TensorShape({0, 5}));
  s = ParseDims("7", ResourceLimits());
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s, TensorShape({7}));
}

TEST(DimsTest, Errors) {
  ResourceLimits limits;
  EXPECT_TRUE(IsError(ParseDims("", limits), kInvalid, {"empty"}));
  EXPECT_TRUE(IsError(ParseDims("2x", limits), kInvalid, {"dimension ''"}));
  EXPECT_TRUE(IsError(ParseDims("x2", limits), kInvalid, {"dimension ''"}));
  EXPECT_TRUE(IsError(ParseDims("2x-1", limits), kInvalid, {"dimension '-1'"}));
  EXPECT_TRUE(IsError(ParseDims("2xa", limits), kInvalid, {"dimension 'a'"}));
  EXPECT_TRUE(IsError(ParseDims("2,3", limits), kInvalid, {"dimension '2,3'"}));
  EXPECT_TRUE(IsError(ParseDims("+2", limits), kInvalid, {"dimension '+2'"}));
  EXPECT_TRUE(IsError(ParseDims("99999999999999999999999", limits), kInvalid,
                      {"dimension"}));
  // Each dim fits but the product overflows int64 / exceeds the limits.
  EXPECT_TRUE(IsError(ParseDims("4294967296x4294967296x4294967296", limits),
                      kInvalid, {"more than 4294967296 elements"}));
  EXPECT_TRUE(IsError(ParseDims("8589934592", limits), kInvalid,
                      {"exceeds the element limit"}));
  EXPECT_TRUE(IsError(ParseDims("65536x65536", limits), kInvalid,
                      {"bytes exceed the limit"}));
  limits.max_rank = 3;
  EXPECT_TRUE(IsError(ParseDims("1x1x1x1", limits), kInvalid,
                      {"rank 4 exceeds the limit 3"}));
  std::string deep = "1";
  for (int i = 0; i < 100; ++i) deep += "x1";
  EXPECT_TRUE(IsError(ParseDims(deep, ResourceLimits()), kInvalid,
                      {"rank 101 exceeds the limit 32"}));
  limits = ResourceLimits();
  limits.max_tensor_elements = 100;
  EXPECT_TRUE(IsError(ParseDims("10x11", limits), kInvalid,
                      {"more than 100 elements"}));
  EXPECT_TRUE(ParseDims("10x10", limits).ok());
}

TEST(FeedTest, Forms) {
  absl::StatusOr<FeedSpec> f = ParseFeed("x=in.npy");
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->kind, FeedSpec::Kind::kNpy);
  EXPECT_EQ(f->name.node, "x");
  EXPECT_EQ(f->path, "in.npy");

  // The first '=' splits: the path may contain '='.
  f = ParseFeed("a/b:1=dir/k=v.npy");
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->name.ToString(), "a/b:1");
  EXPECT_EQ(f->path, "dir/k=v.npy");

  f = ParseFeed("x=ckpt.npz[layer/kernel]");
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->kind, FeedSpec::Kind::kNpz);
  EXPECT_EQ(f->path, "ckpt.npz");
  EXPECT_EQ(f->npz_key, "layer/kernel");

  f = ParseFeed("z=random:1x4x4x64:7");
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->kind, FeedSpec::Kind::kRandom);
  EXPECT_EQ(f->shape, TensorShape({1, 4, 4, 64}));
  EXPECT_EQ(f->seed, 7u);
  f = ParseFeed("z=random:3");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->seed, 0u);

  f = ParseFeed("z=fill:-2.5:2x3");
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->kind, FeedSpec::Kind::kFill);
  EXPECT_EQ(f->fill_value, -2.5);
  EXPECT_EQ(f->shape, TensorShape({2, 3}));
  f = ParseFeed("z=fill:true:scalar");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->fill_value, 1);
  f = ParseFeed("z=fill:nan:1");
  ASSERT_TRUE(f.ok());
  EXPECT_TRUE(std::isnan(f->fill_value));
  f = ParseFeed("z=fill:1e3:1");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->fill_value, 1000);
}

TEST(FeedTest, Errors) {
  EXPECT_TRUE(IsError(ParseFeed("x"), kInvalid, {"feed 'x'", "NAME=VALUE"}));
  EXPECT_TRUE(IsError(ParseFeed("x="), kInvalid, {"empty value"}));
  EXPECT_TRUE(IsError(ParseFeed("=a.npy"), kInvalid, {"empty node name"}));
  EXPECT_TRUE(IsError(ParseFeed("x:y=a.npy"), kInvalid, {"output index 'y'"}));
  EXPECT_TRUE(IsError(ParseFeed("x=a.txt"), kInvalid,
                      {"feed 'x=a.txt'", "FILE.npy, FILE.npz[key]"}));
  // Never evaluated: anything else is refused.
  EXPECT_TRUE(IsError(ParseFeed("x=__import__('os').system('ls')"), kInvalid,
                      {"value must be"}));
  EXPECT_TRUE(IsError(ParseFeed("x=a.npz"), kInvalid, {"needs a key"}));
  EXPECT_TRUE(IsError(ParseFeed("x=a.npz[]"), kInvalid, {"empty .npz key"}));
  EXPECT_TRUE(IsError(ParseFeed("x=[k]"), kInvalid, {"FILE.npz[key]"}));
  EXPECT_TRUE(
      IsError(ParseFeed("x=a.npy[k]"), kInvalid, {"needs a .npz file"}));
  EXPECT_TRUE(IsError(ParseFeed("x=random:"), kInvalid, {"dims", "empty"}));
  EXPECT_TRUE(IsError(ParseFeed("x=random:2x2:"), kInvalid, {"seed ''"}));
  EXPECT_TRUE(IsError(ParseFeed("x=random:2x2:-1"), kInvalid, {"seed '-1'"}));
  EXPECT_TRUE(IsError(ParseFeed("x=random:2x2:1:2"), kInvalid, {"seed '1:2'"}));
  EXPECT_TRUE(IsError(ParseFeed("x=random:2xq"), kInvalid, {"dimension 'q'"}));
  EXPECT_TRUE(IsError(ParseFeed("x=random:100000x100000x100000"), kInvalid,
                      {"elements"}));
  EXPECT_TRUE(IsError(ParseFeed("x=fill:1"), kInvalid, {"fill:VALUE:DIMS"}));
  EXPECT_TRUE(IsError(ParseFeed("x=fill::2"), kInvalid, {"fill value ''"}));
  EXPECT_TRUE(IsError(ParseFeed("x=fill:abc:2"), kInvalid,
                      {"fill value 'abc' is not a number"}));
  EXPECT_TRUE(IsError(ParseFeed("x=fill:1:"), kInvalid, {"dims", "empty"}));
  EXPECT_TRUE(
      IsError(ParseFeed("x=fill:1:2x-2"), kInvalid, {"dimension '-2'"}));
}

TEST(FeedTest, Lists) {
  absl::StatusOr<std::vector<FeedSpec>> l = ParseFeedList("");
  ASSERT_TRUE(l.ok());
  EXPECT_TRUE(l->empty());
  l = ParseFeedList("a=x.npy,b:1=random:2x2,c=fill:0:1");
  ASSERT_TRUE(l.ok()) << l.status();
  ASSERT_EQ(l->size(), 3u);
  EXPECT_EQ((*l)[1].name.ToString(), "b:1");
  EXPECT_TRUE(
      IsError(ParseFeedList("a=x.npy,a:0=y.npy"), kInvalid, {"fed twice"}));
  EXPECT_TRUE(IsError(ParseFeedList("a=x.npy,"), kInvalid, {"feed ''"}));
  EXPECT_TRUE(IsError(ParseFeedList("a=x.npy,b"), kInvalid, {"feed 'b'"}));
}

TEST(FetchTest, FormsAndErrors) {
  absl::StatusOr<FetchSpec> f = ParseFetch("out/y");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->name.node, "out/y");
  EXPECT_TRUE(f->path.empty());
  f = ParseFetch("y:1=dir/a=b.npy");
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->name.index, 1);
  EXPECT_EQ(f->path, "dir/a=b.npy");
  EXPECT_TRUE(IsError(ParseFetch(""), kInvalid, {"empty node name"}));
  EXPECT_TRUE(IsError(ParseFetch("y="), kInvalid, {"empty output file"}));
  EXPECT_TRUE(IsError(ParseFetch("y=out.txt"), kInvalid, {"must end in .npy"}));
  EXPECT_TRUE(IsError(ParseFetch("y:x"), kInvalid, {"output index 'x'"}));

  absl::StatusOr<std::vector<FetchSpec>> l = ParseFetchList("a,b=b.npy,c:1");
  ASSERT_TRUE(l.ok()) << l.status();
  EXPECT_EQ(l->size(), 3u);
  EXPECT_TRUE(
      IsError(ParseFetchList("a=o.npy,b=o.npy"), kInvalid, {"written twice"}));
  EXPECT_TRUE(IsError(ParseFetchList("a,,b"), kInvalid, {"fetch ''"}));
}

TEST(NodeListTest, FormsAndErrors) {
  absl::StatusOr<std::vector<std::string>> l =
      ParseNodeList("a,b/c,a", "target");
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(*l, (std::vector<std::string>{"a", "b/c"}));
  EXPECT_TRUE(ParseNodeList("", "target")->empty());
  EXPECT_TRUE(IsError(ParseNodeList("a,b:1", "target"), kInvalid,
                      {"--target", "invalid character ':'"}));
  EXPECT_TRUE(IsError(ParseNodeList("a,", "outputs"), kInvalid,
                      {"--outputs", "empty node name"}));
}

}  // namespace
}  // namespace cli
}  // namespace flowlet
