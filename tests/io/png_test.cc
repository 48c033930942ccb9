#include "flowlet/io/png.h"

#include <dirent.h>

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

// Temporary files of WriteFileAtomically for `name` in TEST_TMPDIR.
int TempFilesFor(const std::string& name) {
  int n = 0;
  const std::string prefix = "." + name + ".tmp.";
  if (DIR* d = opendir(TempPath("").c_str())) {
    while (dirent* e = readdir(d)) {
      n += std::string(e->d_name).rfind(prefix, 0) == 0;
    }
    closedir(d);
  }
  return n;
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
  // Written atomically (WriteFileAtomically): no temporary file remains.
  EXPECT_EQ(TempFilesFor("grid.png"), 0);
}

// Overwriting an existing PNG replaces it whole; a failed write (bad input)
// leaves it untouched.
TEST(PngTest, OverwriteIsAtomic) {
  const std::string path = TempPath("over.png");
  Tensor dark(DT_FLOAT, {1, 4, 4, 1});
  for (int64_t i = 0; i < 16; ++i) dark.data<float>()[i] = 0.0f;
  Tensor light = dark.DeepCopy();
  for (int64_t i = 0; i < 16; ++i) light.data<float>()[i] = 1.0f;
  ASSERT_TRUE(WriteImageGridPng(dark, 1, 0, 1, path).ok());
  ASSERT_TRUE(WriteImageGridPng(light, 1, 0, 1, path).ok());
  absl::StatusOr<Tensor> read = ReadPng(path);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->data<uint8_t>()[0], 255);
  EXPECT_FALSE(
      WriteImageGridPng(Tensor(DT_FLOAT, {1, 4, 4, 2}), 1, 0, 1, path).ok());
  read = ReadPng(path);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->data<uint8_t>()[15], 255);
  EXPECT_EQ(TempFilesFor("over.png"), 0);
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
      absl::StatusCode::kNotFound, {"/nonexistent/dir/x.png"}));
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
