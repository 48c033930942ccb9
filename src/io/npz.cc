// .npz: a zip archive of .npy members. Writing uses stored members (method 0)
// with CRC-32; reading accepts stored and deflated (method 8) members, Zip64
// sizes and offsets, and checks every member against itself: local header vs
// central directory (name, method, CRC-32, sizes), data within the file and
// before the central directory, deflate streams that end exactly at their
// sizes, and the CRC-32 of the contents. Such disagreements (a truncated or
// corrupted file) are DataLoss naming the file and the member.
#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
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

// Bounds-checked little-endian reads from the archive. Bad(): not an archive
// flowlet reads (InvalidArgument); Corrupt(): an archive whose bytes disagree
// with themselves (truncated, sizes or CRC-32 wrong: DataLoss).
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
  absl::Status Corrupt(absl::string_view msg) const {
    return absl::DataLossError(absl::StrCat(
        path_, ": corrupt or truncated .npz (zip) archive: ", msg));
  }
  const std::string& bytes() const { return b_; }
  uint64_t size() const { return b_.size(); }

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

// Applies a Zip64 extra field (id 1) in [e, e_end) to the fields that are
// 0xFFFFFFFF, in the order usize, csize, offset. Returns whether a Zip64 field
// was present.
bool ApplyZip64Extra(const Reader& r, uint64_t e, uint64_t e_end,
                     uint64_t* usize, uint64_t* csize, uint64_t* offset) {
  bool found = false;
  while (e + 4 <= e_end) {
    const uint64_t id = r.Get(e, 2), len = r.Get(e + 2, 2);
    if (e + 4 + len > e_end) break;
    if (id == 0x0001) {
      found = true;
      uint64_t f = e + 4;
      auto take = [&](uint64_t* v) {
        if (v != nullptr && *v == 0xFFFFFFFF && f + 8 <= e + 4 + len) {
          *v = r.Get(f, 8);
          f += 8;
        }
      };
      take(usize);
      take(csize);
      take(offset);
    }
    e += 4 + len;
  }
  return found;
}

// For an archive without an end record: walks the local headers from the
// start to name the member the file ends in.
std::string WhereTruncated(const Reader& r) {
  uint64_t at = 0;
  std::string last;
  while (r.Has(at, 30) && r.Get(at, 4) == kLocalSig) {
    const uint64_t name_len = r.Get(at + 26, 2);
    const uint64_t extra_len = r.Get(at + 28, 2);
    if (!r.Has(at + 30, name_len)) break;
    const std::string name = r.bytes().substr(at + 30, name_len);
    uint64_t csize = r.Get(at + 18, 4), usize = r.Get(at + 22, 4);
    const uint64_t extra = at + 30 + name_len;
    if (r.Has(extra, extra_len)) {
      ApplyZip64Extra(r, extra, extra + extra_len, &usize, &csize, nullptr);
    }
    const uint64_t data = extra + extra_len;
    if ((r.Get(at + 6, 2) & 8) != 0 || !r.Has(data, csize)) {
      return absl::StrCat("the file (", r.size(),
                          " bytes) ends inside member '", name,
                          "' (local header at byte ", at, ")");
    }
    last = name;
    at = data + csize;
  }
  if (last.empty()) {
    return absl::StrCat("the file (", r.size(),
                        " bytes) ends before the first member is complete");
  }
  return absl::StrCat("the file (", r.size(), " bytes) ends after member '",
                      last, "', before the end of the central directory");
}

absl::StatusOr<std::string> Inflate(const Reader& r, const char* data,
                                    uint64_t csize, uint64_t usize,
                                    const std::string& name) {
  // Deflate expands at most 1032:1: a larger claim is refused before the
  // output is allocated.
  if (usize / 1032 > csize + 1) {
    return r.Corrupt(absl::StrCat("member '", name, "' claims ", usize,
                                  " bytes inflated from ", csize,
                                  ", more than deflate can produce"));
  }
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
  if (ret != Z_STREAM_END || out_left != 0 || in_left != 0) {
    return r.Corrupt(absl::StrCat(
        "member '", name, "': corrupt deflate data or wrong sizes (",
        ret == Z_STREAM_END ? "the stream ends" : "the stream does not end",
        " with ", out_left, " of ", usize, " output bytes missing and ",
        in_left, " of ", csize, " input bytes unused)"));
  }
  return out;
}

struct Archive {
  std::vector<Member> members;
  uint64_t cd_offset = 0;  // Member data lies before this.
};

// Finds the end record and reads the central directory.
absl::StatusOr<Archive> ReadCentralDirectory(const Reader& r) {
  const std::string& b = r.bytes();
  const bool starts_like_zip = r.Has(0, 4) && r.Get(0, 4) == kLocalSig;
  if (b.size() < 22) {
    if (starts_like_zip) return r.Corrupt(WhereTruncated(r));
    return r.Bad("too short for an end of central directory");
  }
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
    if (starts_like_zip) {
      return r.Corrupt(absl::StrCat("no end of central directory record: ",
                                    WhereTruncated(r)));
    }
    return r.Bad("no end of central directory record");
  }
  uint64_t count = r.Get(eocd + 10, 2);
  uint64_t cd_size = r.Get(eocd + 12, 4);
  uint64_t cd_offset = r.Get(eocd + 16, 4);
  uint64_t cd_limit = eocd;  // The central directory ends before this.
  if (count == 0xFFFF || cd_size == 0xFFFFFFFF || cd_offset == 0xFFFFFFFF) {
    // Zip64: the locator sits right before the end record.
    if (eocd < 20 || r.Get(eocd - 20, 4) != kZip64LocatorSig) {
      return r.Corrupt("Zip64 end of central directory locator missing");
    }
    const uint64_t z64 = r.Get(eocd - 20 + 8, 8);
    if (!r.Has(z64, 56) || r.Get(z64, 4) != kZip64EndSig || z64 > eocd - 20) {
      return r.Corrupt("Zip64 end of central directory record missing");
    }
    count = r.Get(z64 + 32, 8);
    cd_size = r.Get(z64 + 40, 8);
    cd_offset = r.Get(z64 + 48, 8);
    cd_limit = z64;
  }
  if (!r.Has(cd_offset, cd_size) || cd_offset + cd_size > cd_limit) {
    return r.Corrupt(absl::StrCat("the central directory (", cd_size,
                                  " bytes at byte ", cd_offset,
                                  ") lies outside the file"));
  }
  // Each entry takes at least 46 bytes: bounds the count before reserving.
  if (count > cd_size / 46) {
    return r.Corrupt(absl::StrCat("central directory of ", cd_size,
                                  " bytes cannot hold ", count, " entries"));
  }
  Archive archive;
  archive.cd_offset = cd_offset;
  std::vector<Member>& members = archive.members;
  members.reserve(static_cast<size_t>(count));
  uint64_t at = cd_offset;
  const uint64_t cd_end = cd_offset + cd_size;
  for (uint64_t i = 0; i < count; ++i) {
    if (at + 46 > cd_end || r.Get(at, 4) != kCentralSig) {
      return r.Corrupt(
          absl::StrCat("central directory entry ", i, " is corrupt"));
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
      return r.Corrupt(
          absl::StrCat("central directory entry ", i, " is truncated"));
    }
    m.name = b.substr(at + 46, name_len);
    const uint64_t e = at + 46 + name_len;
    ApplyZip64Extra(r, e, e + extra_len, &m.usize, &m.csize, &m.offset);
    at += 46 + name_len + extra_len + comment_len;
    members.push_back(std::move(m));
  }
  if (at != cd_end) {
    return r.Corrupt(absl::StrCat("the central directory declares ", cd_size,
                                  " bytes but its ", count, " entries take ",
                                  at - cd_offset));
  }
  return archive;
}

// Checks member `m`'s local header (and data descriptor) against the central
// directory entry and returns the offset of its data, which lies in the file
// before the central directory.
absl::StatusOr<uint64_t> LocateData(const Reader& r, const Member& m,
                                    uint64_t data_limit) {
  const std::string what = absl::StrCat("member '", m.name, "'");
  if (!r.Has(m.offset, 30) || r.Get(m.offset, 4) != kLocalSig) {
    return r.Corrupt(
        absl::StrCat(what, ": no local header at byte ", m.offset));
  }
  const uint64_t flags = r.Get(m.offset + 6, 2);
  const uint64_t method = r.Get(m.offset + 8, 2);
  const uint64_t crc = r.Get(m.offset + 14, 4);
  uint64_t csize = r.Get(m.offset + 18, 4);
  uint64_t usize = r.Get(m.offset + 22, 4);
  const uint64_t name_len = r.Get(m.offset + 26, 2);
  const uint64_t extra_len = r.Get(m.offset + 28, 2);
  const uint64_t name_at = m.offset + 30;
  if (!r.Has(name_at, name_len + extra_len)) {
    return r.Corrupt(absl::StrCat(what, ": the local header is truncated"));
  }
  if (r.bytes().compare(name_at, name_len, m.name) != 0) {
    return r.Corrupt(
        absl::StrCat(what, ": the local header names '",
                     absl::CEscape(r.bytes().substr(
                         name_at, std::min<uint64_t>(name_len, 200))),
                     "'"));
  }
  if (method != m.method) {
    return r.Corrupt(absl::StrCat(what, ": compression method ", method,
                                  " in the local header, ", m.method,
                                  " in the central directory"));
  }
  const uint64_t extra = name_at + name_len;
  const bool zip64 =
      ApplyZip64Extra(r, extra, extra + extra_len, &usize, &csize, nullptr);
  const uint64_t data = extra + extra_len;
  if (data > data_limit || m.csize > data_limit - data) {
    return r.Corrupt(absl::StrCat(
        what, " is truncated: its ", m.csize, " bytes of data at byte ", data,
        " run past the start of the central directory (byte ", data_limit,
        ")"));
  }
  auto mismatch = [&](const char* field, uint64_t local, uint64_t central,
                      const char* where) {
    return r.Corrupt(absl::StrCat(what, ": ", field, " ", local, " in the ",
                                  where, ", ", central,
                                  " in the central directory"));
  };
  if ((flags & 8) == 0) {
    const char* kHeader = "local header";
    if (crc != m.crc) return mismatch("CRC-32", crc, m.crc, kHeader);
    if (csize != m.csize) {
      return mismatch("compressed size", csize, m.csize, kHeader);
    }
    if (usize != m.usize) return mismatch("size", usize, m.usize, kHeader);
    return data;
  }
  // Sizes and CRC-32 follow the data in a descriptor (optional signature,
  // CRC-32, then 4- or 8-byte sizes).
  const char* kDescriptor = "data descriptor";
  uint64_t d = data + m.csize;
  if (r.Has(d, 4) && r.Get(d, 4) == 0x08074b50) d += 4;
  const int n = zip64 ? 8 : 4;
  if (!r.Has(d, 4 + 2 * n) || d + 4 + 2 * n > data_limit) {
    return r.Corrupt(absl::StrCat(what, ": its data descriptor is truncated"));
  }
  if (r.Get(d, 4) != m.crc) {
    return mismatch("CRC-32", r.Get(d, 4), m.crc, kDescriptor);
  }
  if (r.Get(d + 4, n) != m.csize) {
    return mismatch("compressed size", r.Get(d + 4, n), m.csize, kDescriptor);
  }
  if (r.Get(d + 4 + n, n) != m.usize) {
    return mismatch("size", r.Get(d + 4 + n, n), m.usize, kDescriptor);
  }
  return data;
}

}  // namespace

absl::StatusOr<std::vector<std::pair<std::string, Tensor>>> ReadNpz(
    const std::string& path, const ResourceLimits& limits) {
  absl::StatusOr<std::string> file =
      ::flowlet::ReadFileToString(path, std::numeric_limits<int64_t>::max());
  if (!file.ok()) return file.status();
  return ParseNpz(*file, path, limits);
}

absl::StatusOr<std::vector<std::pair<std::string, Tensor>>> ParseNpz(
    const std::string& bytes, const std::string& path,
    const ResourceLimits& limits) {
  const Reader r(bytes, path);
  absl::StatusOr<Archive> archive = ReadCentralDirectory(r);
  if (!archive.ok()) return archive.status();

  std::vector<std::pair<std::string, Tensor>> result;
  std::set<std::string> seen;
  std::map<uint64_t, uint64_t> extents;  // Member start -> end of its data.
  const int64_t max_member = limits.max_tensor_bytes + (int64_t{1} << 20);
  for (const Member& m : archive->members) {
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
    absl::StatusOr<uint64_t> data = LocateData(r, m, archive->cd_offset);
    if (!data.ok()) return data.status();
    // Members may not share bytes: overlapping entries would let a small file
    // expand into many copies of one deflate stream.
    const uint64_t end = *data + m.csize;
    auto next = extents.lower_bound(m.offset);
    if ((next != extents.end() && next->first < end) ||
        (next != extents.begin() && std::prev(next)->second > m.offset)) {
      return r.Corrupt(absl::StrCat("member '", m.name,
                                    "' overlaps another member's bytes"));
    }
    extents.emplace(m.offset, end);
    std::string inflated;  // Deflated members; stored ones are read in place.
    absl::string_view contents;
    if (m.method == 0) {
      if (m.csize != m.usize) {
        return r.Corrupt(absl::StrCat("stored member '", m.name,
                                      "' has compressed size ", m.csize,
                                      " but size ", m.usize));
      }
      contents = absl::string_view(r.bytes()).substr(*data, m.csize);
    } else {
      absl::StatusOr<std::string> out =
          Inflate(r, r.bytes().data() + *data, m.csize, m.usize, m.name);
      if (!out.ok()) return out.status();
      inflated = *std::move(out);
      contents = inflated;
    }
    const uint32_t crc = Crc32(contents.data(), contents.size());
    if (crc != m.crc) {
      return r.Corrupt(absl::StrCat(
          "member '", m.name, "' fails its CRC-32 check (recorded ",
          absl::Hex(m.crc, absl::kZeroPad8), ", computed ",
          absl::Hex(crc, absl::kZeroPad8), ")"));
    }
    std::string key = m.name;
    if (absl::EndsWith(key, ".npy")) key.resize(key.size() - 4);
    if (!seen.insert(key).second) {
      return r.Bad(absl::StrCat("key '", key, "' appears twice"));
    }
    absl::StatusOr<Tensor> t = internal::ParseNpyView(
        contents, absl::StrCat(path, ": member '", m.name, "'"), limits);
    if (!t.ok()) return t.status();
    result.emplace_back(std::move(key), *std::move(t));
  }
  return result;
}

absl::Status WriteNpz(
    const std::string& path,
    const std::vector<std::pair<std::string, Tensor>>& tensors) {
  // The archive is written in pieces: per member its local header (with the
  // .npy header) and its tensor's buffer, then the central directory and the
  // end record; nothing is concatenated.
  std::vector<Tensor> data(tensors.size());
  std::vector<std::string> headers(tensors.size());
  std::string central;
  std::set<std::string> seen;
  uint64_t offset = 0;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const auto& [key, tensor] = tensors[i];
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
    data[i] = internal::NpyWritable(tensor);
    const std::string npy_header = internal::NpyHeader(data[i]);
    const uint64_t bytes = npy_header.size() + data[i].TotalBytes();
    if (bytes >= 0xFFFFFFFFu || offset >= 0xFFFFFFFFu || name.size() > 0xFFFF) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "cannot write '", path, "': member '", name,
          "' needs Zip64 (over 4 GiB), which flowlet does not write"));
    }
    uint32_t crc = Crc32(npy_header.data(), npy_header.size());
    crc = static_cast<uint32_t>(
        crc32_combine(crc,
                      Crc32(static_cast<const char*>(data[i].raw_data()),
                            data[i].TotalBytes()),
                      static_cast<z_off_t>(data[i].TotalBytes())));
    const uint32_t size = static_cast<uint32_t>(bytes);
    // Local file header, then the .npy header (the tensor's bytes follow).
    std::string& out = headers[i];
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
    out += npy_header;
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
    Put32(&central, static_cast<uint32_t>(offset));
    central += name;
    offset += 30 + name.size() + bytes;
  }
  if (tensors.size() >= 0xFFFF || offset >= 0xFFFFFFFFu ||
      central.size() >= 0xFFFFFFFFu) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "cannot write '", path,
        "': the archive needs Zip64, which flowlet does not write"));
  }
  std::string end;
  Put32(&end, kEndSig);
  Put16(&end, 0);
  Put16(&end, 0);
  Put16(&end, static_cast<uint16_t>(tensors.size()));
  Put16(&end, static_cast<uint16_t>(tensors.size()));
  Put32(&end, static_cast<uint32_t>(central.size()));
  Put32(&end, static_cast<uint32_t>(offset));
  Put16(&end, 0);  // Comment length.
  std::vector<absl::string_view> pieces;
  pieces.reserve(2 * tensors.size() + 2);
  for (size_t i = 0; i < tensors.size(); ++i) {
    pieces.emplace_back(headers[i]);
    pieces.emplace_back(static_cast<const char*>(data[i].raw_data()),
                        data[i].TotalBytes());
  }
  pieces.emplace_back(central);
  pieces.emplace_back(end);
  return ::flowlet::WriteFileAtomically(path, pieces);
}

}  // namespace io
}  // namespace flowlet
