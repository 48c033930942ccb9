// PNG output of images (libpng).
#ifndef FLOWLET_IO_PNG_H_
#define FLOWLET_IO_PNG_H_

#include <string>

#include "absl/status/status.h"
#include "flowlet/tensor.h"

namespace flowlet {
namespace io {

// Writes a batch of NHWC float images ([n, h, w, c], c = 1 or 3) as one PNG
// grid of `columns` images per row with a 1-pixel gap. Values are mapped
// linearly from [lo, hi] to [0, 255] and clamped. The file is written to a
// temporary name and renamed, so a failure never leaves a partial file.
// InvalidArgument for a bad shape or dtype; the message names the file.
absl::Status WriteImageGridPng(const Tensor& images, int columns, float lo,
                               float hi, const std::string& path);

// Reads an 8-bit gray or RGB PNG into a uint8 tensor [h, w, c] (for tests and
// tools).
absl::StatusOr<Tensor> ReadPng(const std::string& path);

}  // namespace io
}  // namespace flowlet

#endif  // FLOWLET_IO_PNG_H_
