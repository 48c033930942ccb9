// .npz: a zip archive of .npy members. Writing uses stored members (method 0)
// with CRC-32; reading accepts stored and deflated (method 8) members, Zip64
// sizes and offsets, and verifies every member's CRC-32.
#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "flowlet/io/npy.h"
#include "src/core/file_util.h"
#include "src/io/npy_internal.h"

namespace flowlet {
namespace io {
namespace {

constexpr uint32_t kLocalSig = 0x04034b50;
constexpr uint32_t kCentralSig = 0x02014b50;
constexpr uint32_t kEndSig = 0x06054b50;
constexpr uint32_t kZip64EndSig = 0x06064b50;
constexpr uint32_t kZip64LocatorSig = 0x07064b50;
// 1980-01-01 00:00:00 in DOS format: the date zipfile writes for no time.
constexpr uint16_t kDosTime = 0;
constexpr uint16_t kDosDate = (0 << 9) | (1 << 5) | 1;

void Put16(std::string* s, uint16_t v) {
  s->push_back(static_cast<char>(v & 0xFF));
  s->push_back(static_cast<char>(v >> 8));
}
void Put32(std::string* s, uint32_t v) {
  for (int i = 0; i < 4; ++i) s->push_back(static_cast<char>(v >> (8 * i)));
}

uint32_t Crc32(const char* data, size_t n) {
  uLong crc = crc32(0L, Z_NULL, 0);
  while (n > 0) {
    const uInt chunk = static_cast<uInt>(
        std::min<size_t>(n, std::numeric_limits<uInt>::max()));
    crc = crc32(crc, reinterpret_cast<const Bytef*>(data), chunk);
    data += chunk;
    n -= chunk;
  }
  return static_cast<uint32_t>(crc);
}

// Bounds-checked little-endian reads from the archive.
class Reader {
 public:
  Reader(const std::string& b, const std::string& path) : b_(b), path_(path) {}
  bool Has(uint64_t at, uint64_t n) const {
    return at <= b_.size() && n <= b_.size() - at;
  }
  uint64_t Get(uint64_t at, int bytes) const {
    uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; --i) {
      v = (v << 8) | static_cast<unsigned char>(b_[at + i]);
    }
    return v;
  }
  absl::Status Bad(absl::string_view msg) const {
    return absl::InvalidArgumentError(
        absl::StrCat(path_, ": not a valid .npz (zip) archive: ", msg));
  }
  const std::string& bytes() const { return b_; }

 private:
  const std::string& b_;
  const std::string& path_;
};

struct Member {
  std::string name;
  uint16_t flags = 0;
  uint16_t method = 0;
  uint32_t crc = 0;
  uint64_t csize = 0;
  uint64_t usize = 0;
  uint64_t offset = 0;
};

absl::StatusOr<std::string> Inflate(const Reader& r, const char* data,
                                    uint64_t csize, uint64_t usize,
                                    const std::string& name) {
  std::string out;
  out.resize(static_cast<size_t>(usize));
  z_stream zs;
  std::memset(&zs, 0, sizeof(zs));
  if (inflateInit2(&zs, -MAX_WBITS) != Z_OK) {
    return absl::InternalError("zlib inflateInit2 failed");
  }
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data));
  zs.next_out = reinterpret_cast<Bytef*>(out.empty() ? nullptr : &out[0]);
  uint64_t in_left = csize, out_left = usize;
  int ret;
  do {
    const uInt in_chunk = static_cast<uInt>(
        std::min<uint64_t>(in_left, std::numeric_limits<uInt>::max()));
    const uInt out_chunk = static_cast<uInt>(
        std::min<uint64_t>(out_left, std::numeric_limits<uInt>::max()));
    zs.avail_in = in_chunk;
    zs.avail_out = out_chunk;
    ret = inflate(&zs, Z_NO_FLUSH);
    in_left -= in_chunk - zs.avail_in;
    out_left -= out_chunk - zs.avail_out;
  } while (ret == Z_OK);  // Z_BUF_ERROR: no progress possible.
  inflateEnd(&zs);
  if (ret != Z_STREAM_END || out_left != 0) {
    return r.Bad(absl::StrCat("member '", name,
                              "': corrupt deflate data or wrong sizes"));
  }
  return out;
}

}  // namespace

absl::StatusOr<std::vector<std::pair<std::string, Tensor>>> ReadNpz(
    const std::string& path, const ResourceLimits& limits) {
  absl::StatusOr<std::string> file =
      ::flowlet::ReadFileToString(path, std::numeric_limits<int64_t>::max());
  if (!file.ok()) return file.status();
  const Reader r(*file, path);
  const std::string& b = *file;
  if (b.size() < 22) return r.Bad("too short for an end of central directory");

  // End of central directory: the last signature within the final 64 KiB
  // (the comment may follow it).
  uint64_t eocd = std::numeric_limits<uint64_t>::max();
  const uint64_t lowest = b.size() > 22 + 0xFFFF ? b.size() - 22 - 0xFFFF : 0;
  for (uint64_t at = b.size() - 22 + 1; at-- > lowest;) {
    if (r.Get(at, 4) == kEndSig) {
      eocd = at;
      break;
    }
  }
  if (eocd == std::numeric_limits<uint64_t>::max()) {
    return r.Bad("no end of central directory record");
  }
  uint64_t count = r.Get(eocd + 10, 2);
  uint64_t cd_size = r.Get(eocd + 12, 4);
  uint64_t cd_offset = r.Get(eocd + 16, 4);
  if (count == 0xFFFF || cd_size == 0xFFFFFFFF || cd_offset == 0xFFFFFFFF) {
    // Zip64: the locator sits right before the end record.
    if (eocd < 20 || r.Get(eocd - 20, 4) != kZip64LocatorSig) {
      return r.Bad("Zip64 end of central directory locator missing");
    }
    const uint64_t z64 = r.Get(eocd - 20 + 8, 8);
    if (!r.Has(z64, 56) || r.Get(z64, 4) != kZip64EndSig) {
      return r.Bad("Zip64 end of central directory record missing");
    }
    count = r.Get(z64 + 32, 8);
    cd_size = r.Get(z64 + 40, 8);
    cd_offset = r.Get(z64 + 48, 8);
  }
  if (!r.Has(cd_offset, cd_size)) {
    return r.Bad("the central directory lies outside the file");
  }
  // Each entry takes at least 46 bytes: bounds the count before reserving.
  if (count > cd_size / 46) {
    return r.Bad(absl::StrCat("central directory of ", cd_size,
                              " bytes cannot hold ", count, " entries"));
  }
  std::vector<Member> members;
  members.reserve(static_cast<size_t>(count));
  uint64_t at = cd_offset;
  const uint64_t cd_end = cd_offset + cd_size;
  for (uint64_t i = 0; i < count; ++i) {
    if (at + 46 > cd_end || r.Get(at, 4) != kCentralSig) {
      return r.Bad(absl::StrCat("central directory entry ", i, " is corrupt"));
    }
    Member m;
    m.flags = static_cast<uint16_t>(r.Get(at + 8, 2));
    m.method = static_cast<uint16_t>(r.Get(at + 10, 2));
    m.crc = static_cast<uint32_t>(r.Get(at + 16, 4));
    m.csize = r.Get(at + 20, 4);
    m.usize = r.Get(at + 24, 4);
    const uint64_t name_len = r.Get(at + 28, 2);
    const uint64_t extra_len = r.Get(at + 30, 2);
    const uint64_t comment_len = r.Get(at + 32, 2);
    m.offset = r.Get(at + 42, 4);
    if (at + 46 + name_len + extra_len + comment_len > cd_end) {
      return r.Bad(
          absl::StrCat("central directory entry ", i, " is truncated"));
    }
    m.name = b.substr(at + 46, name_len);
    // Zip64 extra field: the 0xFFFFFFFF fields, in order usize, csize, offset.
    uint64_t e = at + 46 + name_len;
    const uint64_t e_end = e + extra_len;
    while (e + 4 <= e_end) {
      const uint64_t id = r.Get(e, 2), len = r.Get(e + 2, 2);
      if (e + 4 + len > e_end) break;
      if (id == 0x0001) {
        uint64_t f = e + 4;
        auto take = [&](uint64_t* v) {
          if (*v == 0xFFFFFFFF && f + 8 <= e + 4 + len) {
            *v = r.Get(f, 8);
            f += 8;
          }
        };
        take(&m.usize);
        take(&m.csize);
        take(&m.offset);
      }
      e += 4 + len;
    }
    at += 46 + name_len + extra_len + comment_len;
    members.push_back(std::move(m));
  }

  std::vector<std::pair<std::string, Tensor>> result;
  std::set<std::string> seen;
  const int64_t max_member = limits.max_tensor_bytes + (int64_t{1} << 20);
  for (const Member& m : members) {
    if (m.flags & 1) {
      return r.Bad(absl::StrCat("member '", m.name, "' is encrypted"));
    }
    if (m.method != 0 && m.method != 8) {
      return r.Bad(absl::StrCat("member '", m.name,
                                "' uses compression method ", m.method,
                                " (only stored and deflated)"));
    }
    if (m.usize > static_cast<uint64_t>(max_member)) {
      return absl::ResourceExhaustedError(
          absl::StrCat(path, ": member '", m.name, "' has ", m.usize,
                       " bytes, more than the limit of ", max_member));
    }
    if (!r.Has(m.offset, 30) || r.Get(m.offset, 4) != kLocalSig) {
      return r.Bad(
          absl::StrCat("member '", m.name, "': bad local header offset"));
    }
    const uint64_t data =
        m.offset + 30 + r.Get(m.offset + 26, 2) + r.Get(m.offset + 28, 2);
    if (!r.Has(data, m.csize)) {
      return r.Bad(absl::StrCat("member '", m.name, "' is truncated"));
    }
    std::string contents;
    if (m.method == 0) {
      if (m.csize != m.usize) {
        return r.Bad(
            absl::StrCat("stored member '", m.name, "' has different sizes"));
      }
      contents = b.substr(data, m.csize);
    } else {
      absl::StatusOr<std::string> inflated =
          Inflate(r, b.data() + data, m.csize, m.usize, m.name);
      if (!inflated.ok()) return inflated.status();
      contents = *std::move(inflated);
    }
    if (Crc32(contents.data(), contents.size()) != m.crc) {
      return r.Bad(
          absl::StrCat("member '", m.name, "' fails its CRC-32 check"));
    }
    std::string key = m.name;
    if (absl::EndsWith(key, ".npy")) key.resize(key.size() - 4);
    if (!seen.insert(key).second) {
      return r.Bad(absl::StrCat("key '", key, "' appears twice"));
    }
    absl::StatusOr<Tensor> t = ParseNpy(
        contents, absl::StrCat(path, ": member '", m.name, "'"), limits);
    if (!t.ok()) return t.status();
    result.emplace_back(std::move(key), *std::move(t));
  }
  return result;
}

absl::Status WriteNpz(
    const std::string& path,
    const std::vector<std::pair<std::string, Tensor>>& tensors) {
  std::string out, central;
  std::set<std::string> seen;
  for (const auto& [key, tensor] : tensors) {
    if (key.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("cannot write '", path, "': an empty key"));
    }
    if (!seen.insert(key).second) {
      return absl::InvalidArgumentError(absl::StrCat(
          "cannot write '", path, "': key '", key, "' appears twice"));
    }
    if (!tensor.IsInitialized() ||
        (tensor.dtype() != DT_BFLOAT16 &&
         internal::NpyDescr(tensor.dtype()) == nullptr)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "cannot write '", path, "': '", key, "' has dtype ",
          DataTypeString(tensor.dtype()), ", which has no .npy form"));
    }
    const std::string name = key + ".npy";
    const std::string data = SerializeNpy(tensor);
    if (data.size() >= 0xFFFFFFFFu || out.size() >= 0xFFFFFFFFu ||
        name.size() > 0xFFFF) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "cannot write '", path, "': member '", name,
          "' needs Zip64 (over 4 GiB), which flowlet does not write"));
    }
    const uint32_t crc = Crc32(data.data(), data.size());
    const uint32_t offset = static_cast<uint32_t>(out.size());
    const uint32_t size = static_cast<uint32_t>(data.size());
    // Local file header.
    Put32(&out, kLocalSig);
    Put16(&out, 20);  // Version needed: 2.0.
    Put16(&out, 0);   // Flags.
    Put16(&out, 0);   // Stored.
    Put16(&out, kDosTime);
    Put16(&out, kDosDate);
    Put32(&out, crc);
    Put32(&out, size);
    Put32(&out, size);
    Put16(&out, static_cast<uint16_t>(name.size()));
    Put16(&out, 0);
    out += name;
    out += data;
    // Central directory entry.
    Put32(&central, kCentralSig);
    Put16(&central, (3 << 8) | 20);  // Made by: Unix, 2.0.
    Put16(&central, 20);
    Put16(&central, 0);
    Put16(&central, 0);
    Put16(&central, kDosTime);
    Put16(&central, kDosDate);
    Put32(&central, crc);
    Put32(&central, size);
    Put32(&central, size);
    Put16(&central, static_cast<uint16_t>(name.size()));
    Put16(&central, 0);            // Extra.
    Put16(&central, 0);            // Comment.
    Put16(&central, 0);            // Disk.
    Put16(&central, 0);            // Internal attributes.
    Put32(&central, 0644u << 16);  // External attributes: -rw-r--r--.
    Put32(&central, offset);
    central += name;
  }
  if (tensors.size() >= 0xFFFF || out.size() >= 0xFFFFFFFFu ||
      central.size() >= 0xFFFFFFFFu) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "cannot write '", path,
        "': the archive needs Zip64, which flowlet does not write"));
  }
  const uint32_t cd_offset = static_cast<uint32_t>(out.size());
  out += central;
  Put32(&out, kEndSig);
  Put16(&out, 0);
  Put16(&out, 0);
  Put16(&out, static_cast<uint16_t>(tensors.size()));
  Put16(&out, static_cast<uint16_t>(tensors.size()));
  Put32(&out, static_cast<uint32_t>(central.size()));
  Put32(&out, cd_offset);
  Put16(&out, 0);  // Comment length.
  return ::flowlet::WriteFileAtomically(path, out);
}

}  // namespace io
}  // namespace flowlet
