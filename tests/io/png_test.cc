#include "flowlet/io/png.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "gtest/gtest.h"
#include "tests/core/status_test_util.h"

namespace flowlet {
namespace io {
namespace {

std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir != nullptr ? dir : "/tmp") + "/" + name;
}

TEST(PngTest, GridRoundTripsPixelValues) {
  // Three 2x2 RGB images in a grid of two columns: 2 rows of (2 + 1) - 1 pixels
  // each way.
  Tensor images(DT_FLOAT, {3, 2, 2, 3});
  for (int64_t i = 0; i < images.num_elements(); ++i) {
    images.data<float>()[i] = -1.0f + 2.0f * static_cast<float>(i % 5) / 4.0f;
  }
  const std::string path = TempPath("grid.png");
  ASSERT_TRUE(WriteImageGridPng(images, 2, -1.0f, 1.0f, path).ok());
  absl::StatusOr<Tensor> read = ReadPng(path);
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(read->shape(), TensorShape({5, 5, 3}));
  const uint8_t* px = read->data<uint8_t>();
  auto at = [&](int y, int x, int c) { return px[(y * 5 + x) * 3 + c]; };
  auto expected = [&](int img, int y, int x, int c) {
    int i = ((img * 2 + y) * 2 + x) * 3 + c;
    return static_cast<int>(std::lround((i % 5) / 4.0 * 255.0));
  };
  for (int y = 0; y < 2; ++y)
    for (int x = 0; x < 2; ++x)
      for (int c = 0; c < 3; ++c) {
        EXPECT_EQ(at(y, x, c), expected(0, y, x, c));
        EXPECT_EQ(at(y, x + 3, c), expected(1, y, x, c));
        EXPECT_EQ(at(y + 3, x, c), expected(2, y, x, c));
        EXPECT_EQ(at(y + 3, x + 3, c), 0);  // No fourth image.
      }
  EXPECT_EQ(at(2, 2, 0), 0);  // The gap.
  EXPECT_EQ(std::fopen((path + ".tmp").c_str(), "rb"), nullptr);
}

TEST(PngTest, RejectsBadInput) {
  const std::string path = TempPath("bad.png");
  EXPECT_TRUE(testing_util::IsError(
      WriteImageGridPng(Tensor(DT_FLOAT, {2, 2, 2}), 1, 0, 1, path),
      absl::StatusCode::kInvalidArgument, {path, "[2,2,2]"}));
  EXPECT_TRUE(testing_util::IsError(
      WriteImageGridPng(Tensor(DT_FLOAT, {1, 2, 2, 3}), 1, 1, 1, path),
      absl::StatusCode::kInvalidArgument, {"hi > lo"}));
  EXPECT_TRUE(testing_util::IsError(
      WriteImageGridPng(Tensor(DT_FLOAT, {1, 2, 2, 3}), 1, 0, 1,
                        "/nonexistent/dir/x.png"),
      absl::StatusCode::kUnavailable, {"/nonexistent/dir/x.png"}));
  FILE* f = std::fopen(path.c_str(), "wb");
  std::fputs("not a png", f);
  std::fclose(f);
  EXPECT_TRUE(testing_util::IsError(
      ReadPng(path), absl::StatusCode::kInvalidArgument, {path}));
  EXPECT_TRUE(testing_util::IsError(ReadPng(TempPath("missing.png")),
                                    absl::StatusCode::kNotFound, {}));
}

}  // namespace
}  // namespace io
}  // namespace flowlet
