// .npy / .npz: byte-exact fixtures written by hand as numpy writes them, every
// rejection, and zip archives with stored and deflated members.
#include "flowlet/io/npy.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/core/status_test_util.h"

namespace flowlet {
namespace io {
namespace {

using testing_util::IsError;

constexpr absl::StatusCode kInvalid = absl::StatusCode::kInvalidArgument;
constexpr absl::StatusCode kDataLoss = absl::StatusCode::kDataLoss;

// numpy.save(np.arange(6, dtype='<f4').reshape(2, 3)): magic, version 1.0,
// header length 118 (0x76), the dict padded with spaces to 127 bytes + '\n',
// then 24 bytes of data.
std::string Float23Npy() {
  std::string s("\x93NUMPY\x01\x00\x76\x00", 10);
  s += "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
  s += std::string(58, ' ');
  s += "\n";
  const unsigned char data[] = {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0x3f,
                                0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x40, 0x40,
                                0x00, 0x00, 0x80, 0x40, 0x00, 0x00, 0xa0, 0x40};
  s.append(reinterpret_cast<const char*>(data), sizeof(data));
  return s;
}

// A .npy with `dict` as header (padded like numpy) in version `major`.0 and
// `data` after it.
std::string MakeNpy(const std::string& dict, const std::string& data,
                    int major = 1) {
  const size_t len_bytes = major == 1 ? 2 : 4;
  const size_t hlen = dict.size() + 1;
  const size_t pad = 64 - ((6 + 2 + len_bytes + hlen) % 64);
  const uint32_t total = static_cast<uint32_t>(hlen + pad);
  std::string s("\x93NUMPY", 6);
  s.push_back(static_cast<char>(major));
  s.push_back('\0');
  for (size_t i = 0; i < len_bytes; ++i) {
    s.push_back(static_cast<char>((total >> (8 * i)) & 0xFF));
  }
  return s + dict + std::string(pad, ' ') + "\n" + data;
}

std::string FloatBytes(const std::vector<float>& v) {
  return std::string(reinterpret_cast<const char*>(v.data()),
                     v.size() * sizeof(float));
}

std::string TempDir() {
  const char* t = std::getenv("TEST_TMPDIR");
  std::string base = t != nullptr ? t : "/tmp";
  std::string tmpl = base + "/npy_test.XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  return std::string(::mkdtemp(buf.data()));
}

std::vector<std::string> ListDir(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return names;
  while (dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") names.push_back(n);
  }
  ::closedir(d);
  return names;
}

std::string ReadAll(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

void WriteAll(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary);
  f << bytes;
}

TEST(Npy, SerializesExactlyAsNumpy) {
  Tensor t = Tensor::FromVector<float>({0, 1, 2, 3, 4, 5}, {2, 3});
  const std::string bytes = SerializeNpy(t);
  EXPECT_EQ(bytes.size(), 128u + 24u);
  EXPECT_EQ(bytes, Float23Npy());
}

TEST(Npy, SerializesOneDimAndScalarShapesAsPythonTuples) {
  std::string one = SerializeNpy(Tensor::Vector<int64_t>({7, 8, 9}));
  EXPECT_NE(
      one.find("{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }"),
      std::string::npos);
  std::string scalar = SerializeNpy(Tensor::Scalar<double>(1.5));
  EXPECT_NE(
      scalar.find("{'descr': '<f8', 'fortran_order': False, 'shape': (), }"),
      std::string::npos);
  EXPECT_EQ(scalar.size(), 128u + 8u);  // 10 + 59 + 1 = 70: padded to 128.
  std::string b = SerializeNpy(Tensor::Vector<bool>({true, false}));
  EXPECT_NE(b.find("'descr': '|b1'"), std::string::npos);
  // Every header is a multiple of 64 bytes ending in '\n'.
  for (const std::string* s : {&one, &scalar, &b}) {
    const size_t header_end = 10 + (static_cast<unsigned char>((*s)[8]) |
                                    static_cast<unsigned char>((*s)[9]) << 8);
    EXPECT_EQ(header_end % 64, 0u);
    EXPECT_EQ((*s)[header_end - 1], '\n');
  }
}

TEST(Npy, ParsesNumpyBytes) {
  absl::StatusOr<Tensor> t = ParseNpy(Float23Npy(), "x.npy");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->dtype(), DT_FLOAT);
  EXPECT_EQ(t->shape(), TensorShape({2, 3}));
  for (int i = 0; i < 6; ++i) EXPECT_EQ(t->data<float>()[i], i);
}

TEST(Npy, ParsesVersions2And3) {
  const std::string dict =
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }";
  for (int major : {2, 3}) {
    std::string bytes = MakeNpy(dict, FloatBytes({1.5f, -2}), major);
    EXPECT_EQ(bytes[6], static_cast<char>(major));
    absl::StatusOr<Tensor> t = ParseNpy(bytes, "v.npy");
    ASSERT_TRUE(t.ok()) << major << ": " << t.status();
    EXPECT_EQ(t->shape(), TensorShape({2}));
    EXPECT_EQ(t->data<float>()[0], 1.5f);
    EXPECT_EQ(t->data<float>()[1], -2.0f);
  }
}

TEST(Npy, AcceptsKeysInAnyOrderAndDoubleQuotes) {
  absl::StatusOr<Tensor> t = ParseNpy(
      MakeNpy("{\"shape\": (1, 2), \"fortran_order\": False, \"descr\": "
              "\"<i4\"}",
              std::string("\x01\x00\x00\x00\xff\xff\xff\xff", 8)),
      "k.npy");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->dtype(), DT_INT32);
  EXPECT_EQ(t->data<int32_t>()[1], -1);
}

TEST(Npy, RoundTripsEveryDtype) {
  std::vector<Tensor> tensors = {
      Tensor::FromVector<float>({1, 2, 3, 4}, {2, 2}),
      Tensor::FromVector<double>({1.25, -3}, {2, 1}),
      Tensor::Vector<int32_t>({-5, 7}),
      Tensor::Vector<int64_t>({int64_t{1} << 40}),
      Tensor::Vector<bool>({true, false, true}),
      Tensor::Vector<uint8_t>({0, 255}),
      Tensor::Vector<int8_t>({-128, 3}),
      Tensor(DT_FLOAT, {0, 3}),
  };
  for (const Tensor& t : tensors) {
    absl::StatusOr<Tensor> back = ParseNpy(SerializeNpy(t), "r.npy");
    ASSERT_TRUE(back.ok()) << t.DebugString() << ": " << back.status();
    EXPECT_EQ(back->dtype(), t.dtype());
    EXPECT_EQ(back->shape(), t.shape());
    EXPECT_EQ(std::memcmp(back->raw_data(), t.raw_data(), t.TotalBytes()), 0);
  }
}

TEST(Npy, Bfloat16IsWrittenAsFloat32) {
  Tensor b(DT_BFLOAT16, {2});
  b.data<bfloat16>()[0] = static_cast<bfloat16>(1.5f);
  b.data<bfloat16>()[1] = static_cast<bfloat16>(-4.0f);
  absl::StatusOr<Tensor> back = ParseNpy(SerializeNpy(b), "b.npy");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->dtype(), DT_FLOAT);
  EXPECT_EQ(back->data<float>()[0], 1.5f);
  EXPECT_EQ(back->data<float>()[1], -4.0f);
}

TEST(Npy, RejectsBadMagic) {
  std::string bytes = Float23Npy();
  bytes[1] = 'X';
  EXPECT_TRUE(
      IsError(ParseNpy(bytes, "m.npy"), kInvalid, {"m.npy", "bad magic"}));
  EXPECT_TRUE(IsError(ParseNpy("", "e.npy"), kInvalid, {"e.npy", "magic"}));
}

TEST(Npy, RejectsUnknownVersion) {
  std::string bytes = Float23Npy();
  bytes[6] = 4;
  EXPECT_TRUE(IsError(ParseNpy(bytes, "v.npy"), kInvalid,
                      {"unsupported .npy version 4.0"}));
}

TEST(Npy, RejectsTruncatedHeader) {
  const std::string full = Float23Npy();
  EXPECT_TRUE(IsError(ParseNpy(full.substr(0, 7), "t.npy"), kDataLoss,
                      {"t.npy", "truncated header"}));
  EXPECT_TRUE(IsError(ParseNpy(full.substr(0, 9), "t.npy"), kDataLoss,
                      {"truncated header"}));
  EXPECT_TRUE(IsError(ParseNpy(full.substr(0, 100), "t.npy"), kDataLoss,
                      {"truncated header", "declares 118 bytes"}));
  // Header cut inside the dict (length says so).
  std::string cut("\x93NUMPY\x01\x00\x10\x00{'descr': '<f4'", 26);
  EXPECT_TRUE(IsError(ParseNpy(cut, "t.npy"), kInvalid, {"malformed"}));
}

TEST(Npy, RejectsTruncatedData) {
  const std::string full = Float23Npy();
  EXPECT_TRUE(IsError(ParseNpy(full.substr(0, full.size() - 1), "d.npy"),
                      kDataLoss,
                      {"d.npy", "truncated data", "[2,3]", "needs 24 bytes",
                       "23 are present"}));
  EXPECT_TRUE(IsError(ParseNpy(full + "x", "d.npy"), kDataLoss,
                      {"1 unexpected bytes"}));
}

TEST(Npy, RejectsFortranOrder) {
  EXPECT_TRUE(IsError(
      ParseNpy(MakeNpy("{'descr': '<f4', 'fortran_order': True, 'shape': "
                       "(2,), }",
                       FloatBytes({1, 2})),
               "f.npy"),
      kInvalid, {"f.npy", "Fortran"}));
}

TEST(Npy, RejectsBigEndianAndUnsupportedDtypes) {
  EXPECT_TRUE(IsError(
      ParseNpy(MakeNpy("{'descr': '>f4', 'fortran_order': False, 'shape': "
                       "(2,), }",
                       FloatBytes({1, 2})),
               "be.npy"),
      kInvalid, {"be.npy", "big-endian", "'>f4'"}));
  EXPECT_TRUE(IsError(
      ParseNpy(MakeNpy("{'descr': '<c8', 'fortran_order': False, 'shape': "
                       "(1,), }",
                       FloatBytes({1, 2})),
               "c.npy"),
      kInvalid, {"unsupported dtype '<c8'"}));
  EXPECT_TRUE(IsError(
      ParseNpy(MakeNpy("{'descr': [('a', '<f4')], 'fortran_order': False, "
                       "'shape': (1,), }",
                       FloatBytes({1})),
               "s.npy"),
      kInvalid, {"structured dtypes"}));
}

TEST(Npy, RejectsOverflowingShapeBeforeAllocating) {
  EXPECT_TRUE(IsError(
      ParseNpy(MakeNpy("{'descr': '<f4', 'fortran_order': False, 'shape': "
                       "(4294967296, 4294967296), }",
                       FloatBytes({1})),
               "o.npy"),
      kInvalid, {"o.npy", "overflows"}));
  EXPECT_TRUE(IsError(
      ParseNpy(MakeNpy("{'descr': '<f4', 'fortran_order': False, 'shape': "
                       "(99999999999999999999,), }",
                       FloatBytes({1})),
               "o.npy"),
      kInvalid, {"overflows"}));
  // Element count over the limit: refused before any allocation.
  ResourceLimits limits;
  limits.max_tensor_elements = 1000;
  EXPECT_TRUE(IsError(
      ParseNpy(MakeNpy("{'descr': '<f4', 'fortran_order': False, 'shape': "
                       "(100, 100), }",
                       FloatBytes({1})),
               "l.npy", limits),
      absl::StatusCode::kResourceExhausted, {"10000 elements", "1000"}));
}

TEST(Npy, RejectsShapeLargerThanTheData) {
  // A huge (but not overflowing) shape with 4 bytes of data: no allocation of
  // 4 TB happens, the size check comes first.
  EXPECT_TRUE(IsError(
      ParseNpy(MakeNpy("{'descr': '<f4', 'fortran_order': False, 'shape': "
                       "(1000000, 1000000), }",
                       FloatBytes({1})),
               "big.npy",
               ResourceLimits{32, int64_t{1} << 62, int64_t{1} << 62}),
      kDataLoss, {"truncated data", "4 are present"}));
}

TEST(Npy, RejectsMalformedHeaders) {
  for (const char* dict : {
           "['descr', '<f4']",
           "{'descr': '<f4', 'fortran_order': False}",
           "{'descr': '<f4', 'fortran_order': Maybe, 'shape': (1,)}",
           "{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}",
           "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}",
           "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, "
           "'shape': (1,)}",
       }) {
    EXPECT_TRUE(IsError(ParseNpy(MakeNpy(dict, FloatBytes({1})), "h.npy"),
                        kInvalid, {"h.npy", "malformed .npy header"}))
        << dict;
  }
}

TEST(Npy, WriteIsAtomicAndReadBack) {
  const std::string dir = TempDir();
  const std::string path = dir + "/a.npy";
  Tensor t = Tensor::FromVector<float>({0, 1, 2, 3, 4, 5}, {2, 3});
  ASSERT_TRUE(WriteNpy(path, t).ok());
  EXPECT_EQ(ReadAll(path), Float23Npy());
  EXPECT_EQ(ListDir(dir), std::vector<std::string>{"a.npy"});
  absl::StatusOr<Tensor> back = ReadNpy(path);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->shape(), t.shape());
  EXPECT_TRUE(IsError(ReadNpy(dir + "/missing.npy"),
                      absl::StatusCode::kNotFound, {"missing.npy"}));
  EXPECT_FALSE(WriteNpy(dir + "/no/such/dir/a.npy", t).ok());
  EXPECT_EQ(ListDir(dir), std::vector<std::string>{"a.npy"});
}

// ---- .npz ----

void Put16(std::string* s, uint32_t v) {
  s->push_back(static_cast<char>(v & 0xFF));
  s->push_back(static_cast<char>((v >> 8) & 0xFF));
}
void Put32(std::string* s, uint32_t v) {
  for (int i = 0; i < 4; ++i) s->push_back(static_cast<char>(v >> (8 * i)));
}

// A one-member zip with `data` compressed by `method` (0 stored, 8 deflate).
// With `zip64`, sizes are 0xFFFFFFFF in both headers and the real ones come
// in Zip64 extra fields (numpy.savez writes its local headers so).
std::string OneMemberZip(const std::string& name, const std::string& data,
                         int method, bool zip64 = false) {
  std::string payload = data;
  if (method == 8) {
    z_stream zs;
    std::memset(&zs, 0, sizeof(zs));
    EXPECT_EQ(
        deflateInit2(&zs, 9, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY),
        Z_OK);
    payload.resize(deflateBound(&zs, data.size()));
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    zs.avail_in = data.size();
    zs.next_out = reinterpret_cast<Bytef*>(&payload[0]);
    zs.avail_out = payload.size();
    EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
    payload.resize(zs.total_out);
    deflateEnd(&zs);
  }
  const uint32_t crc =
      crc32(0, reinterpret_cast<const Bytef*>(data.data()), data.size());
  std::string out;
  Put32(&out, 0x04034b50);
  Put16(&out, 20);
  Put16(&out, 0);
  Put16(&out, method);
  Put16(&out, 0);
  Put16(&out, 0x21);
  Put32(&out, crc);
  Put32(&out, zip64 ? 0xFFFFFFFFu : payload.size());
  Put32(&out, zip64 ? 0xFFFFFFFFu : data.size());
  Put16(&out, name.size());
  Put16(&out, zip64 ? 20 : 0);
  out += name;
  if (zip64) {  // Local Zip64 extra: usize then csize (8 bytes each).
    Put16(&out, 1);
    Put16(&out, 16);
    Put32(&out, data.size());
    Put32(&out, 0);
    Put32(&out, payload.size());
    Put32(&out, 0);
  }
  out += payload;
  const uint32_t cd = out.size();
  std::string c;
  Put32(&c, 0x02014b50);
  Put16(&c, 20);
  Put16(&c, 20);
  Put16(&c, 0);
  Put16(&c, method);
  Put16(&c, 0);
  Put16(&c, 0x21);
  Put32(&c, crc);
  Put32(&c, zip64 ? 0xFFFFFFFFu : payload.size());
  Put32(&c, zip64 ? 0xFFFFFFFFu : data.size());
  Put16(&c, name.size());
  Put16(&c, zip64 ? 20 : 0);
  Put16(&c, 0);
  Put16(&c, 0);
  Put16(&c, 0);
  Put32(&c, 0);
  Put32(&c, 0);
  c += name;
  if (zip64) {  // Central Zip64 extra: usize, csize (8 bytes each).
    Put16(&c, 1);
    Put16(&c, 16);
    Put32(&c, data.size());
    Put32(&c, 0);
    Put32(&c, payload.size());
    Put32(&c, 0);
  }
  out += c;
  Put32(&out, 0x06054b50);
  Put16(&out, 0);
  Put16(&out, 0);
  Put16(&out, 1);
  Put16(&out, 1);
  Put32(&out, c.size());
  Put32(&out, cd);
  Put16(&out, 0);
  return out;
}

TEST(Npz, RoundTripKeepsOrderAndSlashedKeys) {
  const std::string dir = TempDir();
  const std::string path = dir + "/ckpt.npz";
  std::vector<std::pair<std::string, Tensor>> in = {
      {"layer/kernel", Tensor::FromVector<float>({1, 2, 3, 4}, {2, 2})},
      {"global_step", Tensor::Scalar<int64_t>(42)},
      {"a", Tensor::Vector<double>({0.5})},
  };
  ASSERT_TRUE(WriteNpz(path, in).ok());
  EXPECT_EQ(ListDir(dir), std::vector<std::string>{"ckpt.npz"});
  const std::string bytes = ReadAll(path);
  EXPECT_EQ(bytes.substr(0, 4), std::string("PK\x03\x04", 4));
  EXPECT_NE(bytes.find("layer/kernel.npy"), std::string::npos);
  // The first member's data is the exact .npy bytes (stored, not compressed).
  EXPECT_NE(bytes.find(SerializeNpy(in[0].second)), std::string::npos);
  auto out = ReadNpz(path);
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_EQ(out->size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ((*out)[i].first, in[i].first);
    EXPECT_EQ((*out)[i].second.dtype(), in[i].second.dtype());
    EXPECT_EQ((*out)[i].second.shape(), in[i].second.shape());
    EXPECT_EQ(std::memcmp((*out)[i].second.raw_data(), in[i].second.raw_data(),
                          in[i].second.TotalBytes()),
              0);
  }
}

TEST(Npz, ReadsDeflatedMembers) {
  const std::string dir = TempDir();
  std::vector<float> values(300);
  for (int i = 0; i < 300; ++i) values[i] = static_cast<float>(i % 7);
  const std::string npy =
      MakeNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (300,), }",
              FloatBytes(values));
  const std::string zip = OneMemberZip("w.npy", npy, 8);
  EXPECT_LT(zip.size(), npy.size());  // Really compressed.
  WriteAll(dir + "/d.npz", zip);
  auto out = ReadNpz(dir + "/d.npz");
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_EQ(out->size(), 1u);
  EXPECT_EQ((*out)[0].first, "w");
  ASSERT_EQ((*out)[0].second.num_elements(), 300);
  for (int i = 0; i < 300; ++i) {
    EXPECT_EQ((*out)[0].second.data<float>()[i], values[i]);
  }
}

TEST(Npz, ReadsZip64SizesAndRejectsUnknownMethods) {
  const std::string dir = TempDir();
  for (int method : {0, 8}) {
    WriteAll(dir + "/z.npz", OneMemberZip("z.npy", Float23Npy(), method,
                                          /*zip64=*/true));
    auto out = ReadNpz(dir + "/z.npz");
    ASSERT_TRUE(out.ok()) << method << ": " << out.status();
    ASSERT_EQ(out->size(), 1u);
    EXPECT_EQ((*out)[0].first, "z");
    EXPECT_EQ((*out)[0].second.data<float>()[5], 5.0f);
  }
  std::string zip = OneMemberZip("b.npy", Float23Npy(), 0);
  zip[8] = 12;  // bzip2 in the local header ...
  const size_t cd = zip.find(std::string("PK\x01\x02", 4));
  ASSERT_NE(cd, std::string::npos);
  zip[cd + 10] = 12;  // ... and in the central directory.
  WriteAll(dir + "/bz.npz", zip);
  EXPECT_TRUE(IsError(ReadNpz(dir + "/bz.npz"), kInvalid,
                      {"'b.npy'", "compression method 12"}));
}

TEST(Npz, RejectsCorruptArchives) {
  const std::string dir = TempDir();
  const std::string npy = Float23Npy();
  // CRC mismatch: one data byte changed in a stored member.
  std::string zip = OneMemberZip("x.npy", npy, 0);
  zip[30 + 5 + npy.size() - 1] ^= 0x40;
  WriteAll(dir + "/crc.npz", zip);
  EXPECT_TRUE(IsError(ReadNpz(dir + "/crc.npz"), kDataLoss,
                      {"crc.npz", "'x.npy'", "CRC-32"}));
  // Corrupt deflate stream.
  std::string dz = OneMemberZip("x.npy", npy, 8);
  for (int i = 0; i < 8; ++i) dz[30 + 5 + i] = static_cast<char>(0xFF);
  WriteAll(dir + "/inflate.npz", dz);
  EXPECT_TRUE(IsError(ReadNpz(dir + "/inflate.npz"), kDataLoss, {"x.npy"}));
  // Truncated archive / not a zip.
  WriteAll(dir + "/trunc.npz", zip.substr(0, zip.size() / 2));
  EXPECT_TRUE(IsError(ReadNpz(dir + "/trunc.npz"), kDataLoss,
                      {"trunc.npz", "truncated", "'x.npy'"}));
  WriteAll(dir + "/junk.npz", std::string(100, 'j'));
  EXPECT_TRUE(IsError(ReadNpz(dir + "/junk.npz"), kInvalid,
                      {"end of central directory"}));
  // A member that is not valid .npy: the error names the member.
  std::string bad = npy;
  bad[0] = 'X';
  WriteAll(dir + "/member.npz", OneMemberZip("y.npy", bad, 0));
  EXPECT_TRUE(IsError(ReadNpz(dir + "/member.npz"), kInvalid,
                      {"member 'y.npy'", "bad magic"}));
}

TEST(Npz, WriteRejectsDuplicateKeysAndKeepsTheOldFile) {
  const std::string dir = TempDir();
  const std::string path = dir + "/keep.npz";
  ASSERT_TRUE(WriteNpz(path, {{"a", Tensor::Scalar<float>(1)}}).ok());
  const std::string before = ReadAll(path);
  EXPECT_TRUE(IsError(WriteNpz(path, {{"a", Tensor::Scalar<float>(1)},
                                      {"a", Tensor::Scalar<float>(2)}}),
                      kInvalid, {"'a' appears twice"}));
  EXPECT_EQ(ReadAll(path), before);
  EXPECT_EQ(ListDir(dir), std::vector<std::string>{"keep.npz"});
}

// Cross-check with numpy when python3 has it (it is not installed by default).
TEST(Npz, NumpyCrossCheck) {
  if (std::system("python3 -c 'import numpy' >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "python3 with numpy is not available";
  }
  const std::string dir = TempDir();
  ASSERT_TRUE(
      WriteNpz(dir + "/f.npz",
               {{"k/w", Tensor::FromVector<float>({1, 2, 3, 4, 5, 6}, {2, 3})}})
          .ok());
  const std::string script = absl::StrCat(
      "python3 -c \"import numpy as np; d = np.load('", dir,
      "/f.npz'); assert d['k/w'].shape == (2, 3); assert d['k/w'][1, 2] == 6; "
      "np.savez_compressed('",
      dir, "/g.npz', x=np.arange(6, dtype='<f4').reshape(2, 3)); np.save('",
      dir, "/h.npy', np.arange(6, dtype='<f4').reshape(2, 3))\"");
  ASSERT_EQ(std::system(script.c_str()), 0);
  auto g = ReadNpz(dir + "/g.npz");
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ((*g)[0].first, "x");
  EXPECT_EQ((*g)[0].second.data<float>()[5], 5.0f);
  EXPECT_EQ(ReadAll(dir + "/h.npy"), Float23Npy());
}

}  // namespace
}  // namespace io
}  // namespace flowlet
