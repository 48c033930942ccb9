// Fuzz target: .npy bytes (ParseNpy) and the same bytes as a .npz archive
// (ReadNpz through an in-memory file), with small limits. A parsed tensor must
// have the byte size its dtype and shape say, .npy must round-trip through
// SerializeNpy, and an archive's members cannot hold more than deflate can
// expand the file to.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "flowlet/io/npy.h"
#include "tests/fuzz/fuzz_util.h"

namespace {

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "npy_fuzzer: invariant violated: %s\n", what);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const flowlet::ResourceLimits limits = flowlet::fuzz::FuzzLimits();
  const std::string bytes(reinterpret_cast<const char*>(data), size);

  absl::StatusOr<flowlet::Tensor> t =
      flowlet::io::ParseNpy(bytes, "fuzz.npy", limits);
  if (t.ok()) {
    Check(t->shape().IsFullyDefined(), "parsed shape fully defined");
    Check(t->num_elements() == t->shape().num_elements(), "element count");
    Check(static_cast<int64_t>(t->TotalBytes()) <= limits.max_tensor_bytes,
          "within max_tensor_bytes");
    const std::string again = flowlet::io::SerializeNpy(*t);
    absl::StatusOr<flowlet::Tensor> back =
        flowlet::io::ParseNpy(again, "round trip", limits);
    Check(back.ok(), "SerializeNpy output parses");
    Check(back->dtype() == t->dtype() && back->shape() == t->shape(),
          "round trip keeps dtype and shape");
    Check(t->TotalBytes() == 0 || std::memcmp(back->raw_data(), t->raw_data(),
                                              t->TotalBytes()) == 0,
          "round trip keeps the data");
  }

  // Members up to 16 MiB, so that an archive claiming more than deflate can
  // give (1032:1) shows up below.
  flowlet::ResourceLimits npz_limits = limits;
  npz_limits.max_tensor_elements = int64_t{1} << 24;
  npz_limits.max_tensor_bytes = int64_t{1} << 24;
  static flowlet::fuzz::MemFile* file = new flowlet::fuzz::MemFile();
  file->Set(data, size);
  absl::StatusOr<std::vector<std::pair<std::string, flowlet::Tensor>>> members =
      flowlet::io::ReadNpz(file->path(), npz_limits);
  if (members.ok()) {
    uint64_t total = 0;
    for (const auto& [key, tensor] : *members) {
      Check(static_cast<int64_t>(tensor.TotalBytes()) <=
                npz_limits.max_tensor_bytes,
            "npz member within max_tensor_bytes");
      total += tensor.TotalBytes();
    }
    // Members are disjoint parts of the file, each stored or deflated: their
    // contents cannot exceed 1032 times the file's size (no zip bomb made of
    // members sharing their compressed data).
    Check(total <= 1040 * static_cast<uint64_t>(size) + 4096,
          "npz contents within deflate's 1032:1 of the file size");
  }
  return 0;
}
