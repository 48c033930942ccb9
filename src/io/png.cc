#include "flowlet/io/png.h"

#include <png.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "src/core/file_util.h"

namespace flowlet {
namespace io {
namespace {

struct FileCloser {
  void operator()(FILE* f) const {
    if (f != nullptr) std::fclose(f);
  }
};
using File = std::unique_ptr<FILE, FileCloser>;

void AppendToString(png_structp png, png_bytep data, png_size_t length) {
  static_cast<std::string*>(png_get_io_ptr(png))
      ->append(reinterpret_cast<const char*>(data), length);
}

void NoFlush(png_structp) {}

// Encodes rows of 8-bit pixels into *out. libpng reports errors through
// longjmp; nothing here owns memory that a longjmp would leak except the png
// structs, which are destroyed on both paths (*out belongs to the caller).
bool EncodePng(std::string* out, int width, int height, int channels,
               const std::vector<unsigned char>& pixels) {
  png_structp png =
      png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  if (png == nullptr) return false;
  png_infop info = png_create_info_struct(png);
  if (info == nullptr || setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    return false;
  }
  png_set_write_fn(png, out, AppendToString, NoFlush);
  png_set_IHDR(png, info, width, height, 8,
               channels == 3 ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_GRAY,
               PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  for (int y = 0; y < height; ++y) {
    png_write_row(png, const_cast<png_bytep>(
                           &pixels[static_cast<size_t>(y) * width * channels]));
  }
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return true;
}

}  // namespace

absl::Status WriteImageGridPng(const Tensor& images, int columns, float lo,
                               float hi, const std::string& path) {
  const TensorShape& s = images.shape();
  if (images.dtype() != DT_FLOAT || s.rank() != 4 ||
      (s.dim(3) != 1 && s.dim(3) != 3) || s.dim(0) < 1 || s.dim(1) < 1 ||
      s.dim(2) < 1 || s.dim(1) > 4096 || s.dim(2) > 4096) {
    return absl::InvalidArgumentError(
        absl::StrCat(path,
                     ": expected float images [n, h, w, 1 or 3] (n >= 1, h and "
                     "w in 1..4096), got ",
                     DataTypeString(images.dtype()), " ", s.DebugString()));
  }
  if (columns < 1 || !(hi > lo)) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": columns must be >= 1 and hi > lo, got ", columns,
                     ", [", lo, ", ", hi, "]"));
  }
  const int n = static_cast<int>(s.dim(0)), h = static_cast<int>(s.dim(1)),
            w = static_cast<int>(s.dim(2)), c = static_cast<int>(s.dim(3));
  const int cols = std::min(columns, n);
  const int rows = (n + cols - 1) / cols;
  const int width = cols * (w + 1) - 1, height = rows * (h + 1) - 1;
  std::vector<unsigned char> pixels(static_cast<size_t>(width) * height * c, 0);
  const float* data = images.data<float>();
  for (int i = 0; i < n; ++i) {
    const int x0 = (i % cols) * (w + 1), y0 = (i / cols) * (h + 1);
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x)
        for (int k = 0; k < c; ++k) {
          float v = data[((static_cast<size_t>(i) * h + y) * w + x) * c + k];
          float t = std::isnan(v) ? 0.0f : (v - lo) / (hi - lo);
          t = std::min(1.0f, std::max(0.0f, t));
          pixels[(static_cast<size_t>(y0 + y) * width + x0 + x) * c + k] =
              static_cast<unsigned char>(std::lround(t * 255.0f));
        }
  }
  std::string encoded;
  if (!EncodePng(&encoded, width, height, c, pixels)) {
    return absl::InternalError(absl::StrCat(path, ": PNG encoding failed"));
  }
  // Atomic: a temporary file in the same directory, fsync'ed and renamed.
  return WriteFileAtomically(path, encoded);
}

absl::StatusOr<Tensor> ReadPng(const std::string& path) {
  File f(std::fopen(path.c_str(), "rb"));
  if (f == nullptr)
    return absl::NotFoundError(absl::StrCat(path, ": cannot open"));
  png_structp png =
      png_create_read_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  if (png == nullptr) return absl::InternalError("libpng: out of memory");
  png_infop info = png_create_info_struct(png);
  Tensor result;
  std::vector<png_bytep> rows;
  if (info == nullptr || setjmp(png_jmpbuf(png))) {
    png_destroy_read_struct(&png, &info, nullptr);
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": not a readable PNG"));
  }
  png_init_io(png, f.get());
  png_read_info(png, info);
  const png_uint_32 width = png_get_image_width(png, info);
  const png_uint_32 height = png_get_image_height(png, info);
  const int color = png_get_color_type(png, info);
  const int depth = png_get_bit_depth(png, info);
  if (depth != 8 ||
      (color != PNG_COLOR_TYPE_RGB && color != PNG_COLOR_TYPE_GRAY) ||
      width > 16384 || height > 16384) {
    png_destroy_read_struct(&png, &info, nullptr);
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": only 8-bit gray or RGB PNGs up to 16384x16384 are supported"));
  }
  const int channels = color == PNG_COLOR_TYPE_RGB ? 3 : 1;
  result = Tensor(DT_UINT8, TensorShape({height, width, channels}));
  rows.resize(height);
  for (png_uint_32 y = 0; y < height; ++y) {
    rows[y] =
        result.data<uint8_t>() + static_cast<size_t>(y) * width * channels;
  }
  png_read_image(png, rows.data());
  png_destroy_read_struct(&png, &info, nullptr);
  return result;
}

}  // namespace io
}  // namespace flowlet
