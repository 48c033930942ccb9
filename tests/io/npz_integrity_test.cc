// .npz integrity: truncated and corrupted archives are refused with DataLoss
// naming the file and the member (CRC-32 of stored and deflated members, local
// header vs central directory vs data descriptor, sizes vs the data present),
// and no single flipped byte yields different tensors silently.
#include <zlib.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "flowlet/io/npy.h"
#include "gtest/gtest.h"
#include "tests/core/status_test_util.h"

namespace flowlet {
namespace io {
namespace {

using testing_util::IsError;

constexpr absl::StatusCode kDataLoss = absl::StatusCode::kDataLoss;

void Put16(std::string* s, uint32_t v) {
  s->push_back(static_cast<char>(v & 0xFF));
  s->push_back(static_cast<char>((v >> 8) & 0xFF));
}
void Put32(std::string* s, uint32_t v) {
  for (int i = 0; i < 4; ++i) s->push_back(static_cast<char>(v >> (8 * i)));
}

void Put32Into(std::string* s, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) (*s)[at + i] = static_cast<char>(v >> (8 * i));
}

std::string Deflate(const std::string& data) {
  z_stream zs;
  std::memset(&zs, 0, sizeof(zs));
  EXPECT_EQ(deflateInit2(&zs, 9, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY),
            Z_OK);
  std::string out(deflateBound(&zs, data.size()), '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = data.size();
  zs.next_out = reinterpret_cast<Bytef*>(&out[0]);
  zs.avail_out = out.size();
  EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

struct Entry {
  std::string name;
  std::string data;  // Uncompressed.
  int method = 0;    // 0 stored, 8 deflated.
  // Sizes and CRC-32 after the data (flag bit 3), zeros in the local header,
  // as zipfile writes to an unseekable stream.
  bool descriptor = false;
  std::string payload_suffix;  // Extra bytes counted in the compressed size.
};

// A zip archive of `entries` as numpy / zipfile write it.
std::string Zip(const std::vector<Entry>& entries) {
  std::string out, central;
  for (const Entry& e : entries) {
    const std::string payload =
        (e.method == 8 ? Deflate(e.data) : e.data) + e.payload_suffix;
    const uint32_t crc =
        crc32(0, reinterpret_cast<const Bytef*>(e.data.data()), e.data.size());
    const uint32_t offset = out.size();
    const uint16_t flags = e.descriptor ? 8 : 0;
    Put32(&out, 0x04034b50);
    Put16(&out, 20);
    Put16(&out, flags);
    Put16(&out, e.method);
    Put16(&out, 0);
    Put16(&out, 0x21);
    Put32(&out, e.descriptor ? 0 : crc);
    Put32(&out, e.descriptor ? 0 : payload.size());
    Put32(&out, e.descriptor ? 0 : e.data.size());
    Put16(&out, e.name.size());
    Put16(&out, 0);
    out += e.name + payload;
    if (e.descriptor) {
      Put32(&out, 0x08074b50);
      Put32(&out, crc);
      Put32(&out, payload.size());
      Put32(&out, e.data.size());
    }
    Put32(&central, 0x02014b50);
    Put16(&central, 20);
    Put16(&central, 20);
    Put16(&central, flags);
    Put16(&central, e.method);
    Put16(&central, 0);
    Put16(&central, 0x21);
    Put32(&central, crc);
    Put32(&central, payload.size());
    Put32(&central, e.data.size());
    Put16(&central, e.name.size());
    for (int i = 0; i < 4; ++i) Put16(&central, 0);
    Put32(&central, 0);
    Put32(&central, offset);
    central += e.name;
  }
  const uint32_t cd = out.size();
  out += central;
  Put32(&out, 0x06054b50);
  Put16(&out, 0);
  Put16(&out, 0);
  Put16(&out, entries.size());
  Put16(&out, entries.size());
  Put32(&out, central.size());
  Put32(&out, cd);
  Put16(&out, 0);
  return out;
}

std::string TempDir() {
  const char* t = std::getenv("TEST_TMPDIR");
  std::string tmpl =
      std::string(t != nullptr ? t : "/tmp") + "/npz_integrity.XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  return std::string(::mkdtemp(buf.data()));
}

void WriteAll(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << bytes;
}

std::string ReadAll(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

std::string NpyOf(const Tensor& t) { return SerializeNpy(t); }

// Two members: "a.npy" (float [2,3]) and "layer/w.npy" (float [64]).
std::vector<Entry> TwoMembers(int method, bool descriptor = false) {
  std::vector<float> w(64);
  for (int i = 0; i < 64; ++i) w[i] = 0.25f * i - 3;
  Entry a{"a.npy", NpyOf(Tensor::FromVector<float>({1, 2, 3, 4, 5, 6}, {2, 3})),
          method, descriptor};
  Entry b{"layer/w.npy", NpyOf(Tensor::FromVector<float>(w, {64})), method,
          descriptor};
  return {a, b};
}

// Same keys, dtypes, shapes and bytes.
bool SameTensors(const std::vector<std::pair<std::string, Tensor>>& x,
                 const std::vector<std::pair<std::string, Tensor>>& y) {
  if (x.size() != y.size()) return false;
  for (size_t i = 0; i < x.size(); ++i) {
    if (x[i].first != y[i].first ||
        x[i].second.dtype() != y[i].second.dtype() ||
        x[i].second.shape() != y[i].second.shape() ||
        std::memcmp(x[i].second.raw_data(), y[i].second.raw_data(),
                    x[i].second.TotalBytes()) != 0) {
      return false;
    }
  }
  return true;
}

TEST(NpzIntegrity, DescriptorsAndBothMethodsReadBack) {
  const std::string dir = TempDir();
  for (int method : {0, 8}) {
    for (bool descriptor : {false, true}) {
      SCOPED_TRACE(absl::StrCat("method ", method, " descriptor ", descriptor));
      WriteAll(dir + "/ok.npz", Zip(TwoMembers(method, descriptor)));
      auto out = ReadNpz(dir + "/ok.npz");
      ASSERT_TRUE(out.ok()) << out.status();
      ASSERT_EQ(out->size(), 2u);
      EXPECT_EQ((*out)[1].first, "layer/w");
      EXPECT_EQ((*out)[1].second.data<float>()[63], 0.25f * 63 - 3);
    }
  }
}

// A flipped byte inside a member's data: DataLoss naming the file and that
// member, for stored and deflated members.
TEST(NpzIntegrity, FlippedDataByteIsDataLossNamingFileAndMember) {
  const std::string dir = TempDir();
  const std::string path = dir + "/flip.npz";  // Named in messages only.
  for (int method : {0, 8}) {
    const std::vector<Entry> entries = TwoMembers(method);
    const std::string zip = Zip(entries);
    // The second member's data: after its local header and name.
    const size_t second = zip.find(std::string("PK\x03\x04", 4), 4);
    ASSERT_NE(second, std::string::npos);
    const size_t begin = second + 30 + entries[1].name.size();
    const size_t cd = zip.find(std::string("PK\x01\x02", 4));
    for (size_t at = begin; at < cd; at += method == 0 ? 7 : 3) {
      SCOPED_TRACE(absl::StrCat("method ", method, " byte ", at));
      std::string bad = zip;
      bad[at] ^= 0x10;
      EXPECT_TRUE(IsError(ParseNpz(bad, path), kDataLoss,
                          {path, "member 'layer/w.npy'", "corrupt"}));
    }
  }
}

// Cut anywhere: refused naming the file; cut inside a member's data (before
// the central directory), the message names that member.
TEST(NpzIntegrity, TruncationAtEveryOffsetIsRefused) {
  const std::string dir = TempDir();
  const std::string path = dir + "/cut.npz";
  for (int method : {0, 8}) {
    const std::vector<Entry> entries = TwoMembers(method);
    const std::string zip = Zip(entries);
    const size_t second = zip.find(std::string("PK\x03\x04", 4), 4);
    const size_t cd = zip.find(std::string("PK\x01\x02", 4));
    for (size_t n = 0; n < zip.size(); ++n) {
      SCOPED_TRACE(absl::StrCat("method ", method, " cut at ", n));
      absl::StatusOr<std::vector<std::pair<std::string, Tensor>>> out =
          n % 97 == 0 ? (WriteAll(path, zip.substr(0, n)), ReadNpz(path))
                      : ParseNpz(zip.substr(0, n), path);
      ASSERT_FALSE(out.ok());
      EXPECT_NE(out.status().message().find(path), std::string::npos)
          << out.status();
      if (n >= 4) {
        EXPECT_EQ(out.status().code(), kDataLoss) << out.status();
      }
      if (n >= second + 30 + entries[1].name.size() && n < cd) {
        EXPECT_TRUE(IsError(out, kDataLoss, {"truncated", "'layer/w.npy'"}));
      } else if (n >= 30 + entries[0].name.size() && n <= second) {
        EXPECT_TRUE(IsError(out, kDataLoss, {"truncated", "'a.npy'"}));
      }
    }
  }
}

// Every single-byte change either is refused (naming the file) or leaves the
// tensors exactly as they were (bytes nobody reads: times, versions,
// attributes).
TEST(NpzIntegrity, NoFlippedByteChangesTensorsSilently) {
  const std::string dir = TempDir();
  const std::string path = dir + "/any.npz";  // Named in messages only.
  for (int method : {0, 8}) {
    for (bool descriptor : {false, true}) {
      const std::string zip = Zip(TwoMembers(method, descriptor));
      auto good = ParseNpz(zip, path);
      ASSERT_TRUE(good.ok()) << good.status();
      int refused = 0;
      for (size_t at = 0; at < zip.size(); ++at) {
        for (int bit : {0x01, 0x80}) {
          std::string bad = zip;
          bad[at] ^= bit;
          auto out = ParseNpz(bad, path);
          if (!out.ok()) {
            ++refused;
            EXPECT_NE(out.status().message().find(path), std::string::npos)
                << out.status();
          } else {
            EXPECT_TRUE(SameTensors(*good, *out))
                << "method " << method << " descriptor " << descriptor
                << " byte " << at << " bit " << bit;
          }
        }
      }
      EXPECT_GT(refused, static_cast<int>(zip.size()));
    }
  }
}

TEST(NpzIntegrity, LocalHeaderMustAgreeWithTheCentralDirectory) {
  const std::string dir = TempDir();
  const std::string path = dir + "/hdr.npz";
  const std::string zip = Zip(TwoMembers(0));
  struct Case {
    size_t field;  // Offset in the first local header.
    const char* what;
  };
  for (const Case& c : {Case{14, "CRC-32"}, Case{18, "compressed size"},
                        Case{22, "size"}, Case{8, "compression method"}}) {
    SCOPED_TRACE(c.what);
    std::string bad = zip;
    bad[c.field] ^= 0x01;
    WriteAll(path, bad);
    EXPECT_TRUE(IsError(
        ReadNpz(path), kDataLoss,
        {path, "member 'a.npy'", c.what, "local header", "central directory"}));
  }
  // The local header names another member.
  std::string renamed = zip;
  renamed[30] = 'b';
  WriteAll(path, renamed);
  EXPECT_TRUE(IsError(ReadNpz(path), kDataLoss,
                      {path, "member 'a.npy'", "local header names 'b.npy'"}));
}

TEST(NpzIntegrity, DataDescriptorMustAgree) {
  const std::string dir = TempDir();
  const std::string path = dir + "/dd.npz";
  std::vector<Entry> entries = TwoMembers(8, /*descriptor=*/true);
  const std::string zip = Zip(entries);
  // The first member's descriptor follows its data: signature PK\x07\x08.
  const size_t dd = zip.find(std::string("PK\x07\x08", 4));
  ASSERT_NE(dd, std::string::npos);
  for (const auto& [offset, what] : std::vector<std::pair<size_t, std::string>>{
           {4, "CRC-32"}, {8, "compressed size"}, {12, "size"}}) {
    SCOPED_TRACE(what);
    std::string bad = zip;
    bad[dd + offset] ^= 0x02;
    WriteAll(path, bad);
    EXPECT_TRUE(IsError(ReadNpz(path), kDataLoss,
                        {path, "'a.npy'", what, "in the data descriptor"}));
  }
}

TEST(NpzIntegrity, DeflateStreamMustEndExactlyAtItsSize) {
  const std::string dir = TempDir();
  const std::string path = dir + "/tail.npz";
  std::vector<Entry> entries = TwoMembers(8);
  entries[0].payload_suffix = "junk";  // Inside csize, after the stream's end.
  WriteAll(path, Zip(entries));
  EXPECT_TRUE(IsError(ReadNpz(path), kDataLoss,
                      {path, "member 'a.npy'", "4 of", "input bytes unused"}));
}

// A deflated member claiming far more bytes than its stream can inflate to
// (local header and central directory agreeing): refused before the output is
// allocated.
TEST(NpzIntegrity, ImpossibleInflatedSizeIsRefusedBeforeAllocating) {
  std::string zip = Zip(TwoMembers(8));
  const size_t cd = zip.find(std::string("PK\x01\x02", 4));
  for (size_t field : {size_t{22}, cd + 24}) {  // usize of 'a.npy', both.
    Put32Into(&zip, field, 0xF0000000u);
  }
  EXPECT_TRUE(IsError(ParseNpz(zip, "big.npz"), kDataLoss,
                      {"big.npz", "member 'a.npy'", "claims 4026531840 bytes",
                       "more than deflate can produce"}));
}

// A stored member whose size disagrees with the .npy header inside it (the
// CRC-32 matches: written that way): the .npy check names the member.
TEST(NpzIntegrity, NpyPayloadSizeIsChecked) {
  const std::string dir = TempDir();
  const std::string path = dir + "/short.npz";
  std::string npy = NpyOf(Tensor::FromVector<float>({1, 2, 3, 4}, {4}));
  npy.resize(npy.size() - 4);
  WriteAll(path, Zip({Entry{"s.npy", npy}}));
  EXPECT_TRUE(IsError(ReadNpz(path), kDataLoss,
                      {path, "member 's.npy'", "truncated data"}));
}

TEST(NpyIntegrity, TruncatedNpyFileIsRefusedNamingIt) {
  const std::string dir = TempDir();
  const std::string path = dir + "/t.npy";
  std::vector<float> v(100, 1.5f);
  ASSERT_TRUE(WriteNpy(path, Tensor::FromVector<float>(v, {10, 10})).ok());
  const std::string full = ReadAll(path);
  for (size_t n : {size_t{0}, size_t{5}, size_t{9}, size_t{50}, size_t{127},
                   size_t{128}, full.size() / 2, full.size() - 1}) {
    SCOPED_TRACE(n);
    WriteAll(path, full.substr(0, n));
    absl::StatusOr<Tensor> t = ReadNpy(path);
    ASSERT_FALSE(t.ok());
    EXPECT_NE(t.status().message().find(path), std::string::npos) << t.status();
    if (n >= 8) {
      EXPECT_EQ(t.status().code(), kDataLoss) << t.status();
    }
  }
}

}  // namespace
}  // namespace io
}  // namespace flowlet
