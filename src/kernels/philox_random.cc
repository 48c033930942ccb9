#include "src/kernels/philox_random.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>

namespace flowlet {
namespace random {
namespace {

constexpr uint32_t kPhiloxW32A = 0x9E3779B9;
constexpr uint32_t kPhiloxW32B = 0xBB67AE85;
constexpr uint32_t kPhiloxM4x32A = 0xD2511F53;
constexpr uint32_t kPhiloxM4x32B = 0xCD9E8D57;

inline void MultiplyHighLow(uint32_t a, uint32_t b, uint32_t* lo,
                            uint32_t* hi) {
  const uint64_t product = static_cast<uint64_t>(a) * b;
  *lo = static_cast<uint32_t>(product);
  *hi = static_cast<uint32_t>(product >> 32);
}

inline PhiloxRandom::ResultType ComputeSingleRound(
    const PhiloxRandom::ResultType& counter, const PhiloxRandom::Key& key) {
  uint32_t lo0, hi0, lo1, hi1;
  MultiplyHighLow(kPhiloxM4x32A, counter[0], &lo0, &hi0);
  MultiplyHighLow(kPhiloxM4x32B, counter[2], &lo1, &hi1);
  return {hi1 ^ counter[1] ^ key[0], lo1, hi0 ^ counter[3] ^ key[1], lo0};
}

// Normal values computed in float, stored as T.
template <typename T>
inline T FromFloat(float f) {
  return T(f);
}

// Truncated normal draws beyond this many standard deviations are redrawn.
constexpr float kTruncateValue = 2.0f;

// One output group of a distribution: TensorFlow's kResultElementCount
// elements from one 128-bit sample (fixed-count distributions).
template <typename T>
struct Group;

template <>
struct Group<float> {
  static constexpr int kSize = 4;
  static void Uniform(const PhiloxRandom::ResultType& s, float* out) {
    for (int i = 0; i < 4; ++i) out[i] = Uint32ToFloat(s[i]);
  }
  static void Normal(const PhiloxRandom::ResultType& s, float* out) {
    BoxMullerFloat(s[0], s[1], &out[0], &out[1]);
    BoxMullerFloat(s[2], s[3], &out[2], &out[3]);
  }
};

template <>
struct Group<double> {
  static constexpr int kSize = 2;
  static void Uniform(const PhiloxRandom::ResultType& s, double* out) {
    out[0] = Uint64ToDouble(s[0], s[1]);
    out[1] = Uint64ToDouble(s[2], s[3]);
  }
  static void Normal(const PhiloxRandom::ResultType& s, double* out) {
    BoxMullerDouble(s[0], s[1], s[2], s[3], &out[0], &out[1]);
  }
};

// half and bfloat16: uniform from the low 16 bits of each word, normal
// computed in float.
template <typename T, T (*kUniform)(uint16_t)>
struct Group16 {
  static constexpr int kSize = 4;
  static void Uniform(const PhiloxRandom::ResultType& s, T* out) {
    for (int i = 0; i < 4; ++i) out[i] = kUniform(static_cast<uint16_t>(s[i]));
  }
  static void Normal(const PhiloxRandom::ResultType& s, T* out) {
    float f[4];
    Group<float>::Normal(s, f);
    for (int i = 0; i < 4; ++i) out[i] = T(f[i]);
  }
};
template <>
struct Group<half> : Group16<half, Uint16ToHalf> {};
template <>
struct Group<bfloat16> : Group16<bfloat16, Uint16ToBfloat16> {};

// Calls make(sample, group) for consecutive samples and copies the groups to
// data (the last one partially).
template <typename T, typename Make>
void FillGroups(PhiloxRandom gen, T* data, int64_t n, Make make) {
  constexpr int kSize = Group<T>::kSize;
  T group[kSize];
  for (int64_t offset = 0; offset < n; offset += kSize) {
    make(gen(), group);
    const int64_t count = std::min<int64_t>(kSize, n - offset);
    std::copy(group, group + count, data + offset);
  }
}

// One truncated-normal group: kSize values with |x| < 2, drawn two at a time
// from single 32-bit samples.
template <typename T>
void TruncatedGroup(SingleSampleAdapter* gen, T* out) {
  constexpr int kSize = Group<T>::kSize;
  int index = 0;
  while (true) {
    float f[2];
    const uint32_t x0 = (*gen)();
    const uint32_t x1 = (*gen)();
    BoxMullerFloat(x0, x1, &f[0], &f[1]);
    for (int i = 0; i < 2; ++i) {
      if (std::fabs(f[i]) < kTruncateValue) {
        out[index++] = FromFloat<T>(f[i]);
        if (index >= kSize) return;
      }
    }
  }
}

template <>
void TruncatedGroup<double>(SingleSampleAdapter* gen, double* out) {
  int index = 0;
  while (true) {
    double d[2];
    const uint32_t x0 = (*gen)();
    const uint32_t x1 = (*gen)();
    const uint32_t x2 = (*gen)();
    const uint32_t x3 = (*gen)();
    BoxMullerDouble(x0, x1, x2, x3, &d[0], &d[1]);
    for (int i = 0; i < 2; ++i) {
      if (std::fabs(d[i]) < kTruncateValue) {
        out[index++] = d[i];
        if (index >= Group<double>::kSize) return;
      }
    }
  }
}

uint64_t RandomSeed64() {
  std::random_device device;
  return (static_cast<uint64_t>(device()) << 32) | device();
}

}  // namespace

PhiloxRandom::PhiloxRandom(uint64_t seed) {
  key_[0] = static_cast<uint32_t>(seed);
  key_[1] = static_cast<uint32_t>(seed >> 32);
}

PhiloxRandom::PhiloxRandom(uint64_t seed_lo, uint64_t seed_hi) {
  key_[0] = static_cast<uint32_t>(seed_lo);
  key_[1] = static_cast<uint32_t>(seed_lo >> 32);
  counter_[2] = static_cast<uint32_t>(seed_hi);
  counter_[3] = static_cast<uint32_t>(seed_hi >> 32);
}

void PhiloxRandom::Skip(uint64_t count) {
  const uint32_t count_lo = static_cast<uint32_t>(count);
  uint32_t count_hi = static_cast<uint32_t>(count >> 32);
  counter_[0] += count_lo;
  if (counter_[0] < count_lo) ++count_hi;
  counter_[1] += count_hi;
  if (counter_[1] < count_hi) {
    if (++counter_[2] == 0) ++counter_[3];
  }
}

void PhiloxRandom::SkipOne() {
  if (++counter_[0] == 0) {
    if (++counter_[1] == 0) {
      if (++counter_[2] == 0) ++counter_[3];
    }
  }
}

PhiloxRandom::ResultType PhiloxRandom::operator()() {
  ResultType counter = counter_;
  Key key = key_;
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      key[0] += kPhiloxW32A;
      key[1] += kPhiloxW32B;
    }
    counter = ComputeSingleRound(counter, key);
  }
  SkipOne();
  return counter;
}

float Uint32ToFloat(uint32_t x) {
  // sign 0, exponent 127 (2^0), 23 random mantissa bits: [1, 2).
  const uint32_t bits = (uint32_t{127} << 23) | (x & 0x7fffffu);
  float f;
  std::memcpy(&f, &bits, sizeof(f));
  return f - 1.0f;
}

double Uint64ToDouble(uint32_t x0, uint32_t x1) {
  const uint64_t mantissa =
      (static_cast<uint64_t>(x0 & 0xfffffu) << 32) | static_cast<uint64_t>(x1);
  const uint64_t bits = (uint64_t{1023} << 52) | mantissa;
  double d;
  std::memcpy(&d, &bits, sizeof(d));
  return d - 1.0;
}

half Uint16ToHalf(uint16_t x) {
  // [1, 2) with 10 random mantissa bits, minus 1: exactly (x & 0x3ff) / 1024.
  return half(static_cast<float>(x & 0x3ffu) / 1024.0f);
}

bfloat16 Uint16ToBfloat16(uint16_t x) {
  // [1, 2) with 7 random mantissa bits, minus 1: exactly (x & 0x7f) / 128.
  return bfloat16(static_cast<float>(x & 0x7fu) / 128.0f);
}

void BoxMullerFloat(uint32_t x0, uint32_t x1, float* f0, float* f1) {
  const float epsilon = 1.0e-7f;
  float u1 = Uint32ToFloat(x0);
  if (u1 < epsilon) u1 = epsilon;
  // As TensorFlow: the product is formed in double (M_PI), then rounded.
  const float v1 = 2.0f * M_PI * Uint32ToFloat(x1);
  const float u2 = std::sqrt(-2.0f * std::log(u1));
  sincosf(v1, f0, f1);
  *f0 *= u2;
  *f1 *= u2;
}

void BoxMullerDouble(uint32_t x0, uint32_t x1, uint32_t x2, uint32_t x3,
                     double* d0, double* d1) {
  const double epsilon = 1.0e-7;
  double u1 = Uint64ToDouble(x0, x1);
  if (u1 < epsilon) u1 = epsilon;
  const double v1 = 2 * M_PI * Uint64ToDouble(x2, x3);
  const double u2 = std::sqrt(-2.0 * std::log(u1));
  sincos(v1, d0, d1);
  *d0 *= u2;
  *d1 *= u2;
}

template <typename T>
void FillUniform(PhiloxRandom gen, T* data, int64_t n) {
  FillGroups<T>(gen, data, n, Group<T>::Uniform);
}

template <typename T>
void FillNormal(PhiloxRandom gen, T* data, int64_t n) {
  FillGroups<T>(gen, data, n, Group<T>::Normal);
}

template <typename T>
void FillTruncatedNormal(PhiloxRandom base, T* data, int64_t n) {
  constexpr int kSize = Group<T>::kSize;
  // Each group starts at its own reserved region of the counter space, so a
  // group's values do not depend on how many draws earlier groups rejected.
  constexpr uint64_t kSkipPerGroup =
      kSize * kReservedSamplesPerOutput / PhiloxRandom::kResultElementCount;
  T group[kSize];
  for (int64_t g = 0, offset = 0; offset < n; ++g, offset += kSize) {
    PhiloxRandom gen = base;
    gen.Skip(static_cast<uint64_t>(g) * kSkipPerGroup);
    SingleSampleAdapter single(&gen);
    TruncatedGroup<T>(&single, group);
    const int64_t count = std::min<int64_t>(kSize, n - offset);
    std::copy(group, group + count, data + offset);
  }
}

#define FLOWLET_INSTANTIATE_FILL(T)                        \
  template void FillUniform<T>(PhiloxRandom, T*, int64_t); \
  template void FillNormal<T>(PhiloxRandom, T*, int64_t);  \
  template void FillTruncatedNormal<T>(PhiloxRandom, T*, int64_t);
FLOWLET_INSTANTIATE_FILL(float)
FLOWLET_INSTANTIATE_FILL(double)
FLOWLET_INSTANTIATE_FILL(half)
FLOWLET_INSTANTIATE_FILL(bfloat16)
#undef FLOWLET_INSTANTIATE_FILL

void GuardedPhiloxRandom::Init(int64_t seed, int64_t seed2) {
  uint64_t s = static_cast<uint64_t>(seed);
  uint64_t s2 = static_cast<uint64_t>(seed2);
  if (seed == 0 && seed2 == 0) {
    s = RandomSeed64();
    s2 = RandomSeed64();
  }
  absl::MutexLock lock(&mu_);
  generator_ = PhiloxRandom(s, s2);
  initialized_ = true;
}

void GuardedPhiloxRandom::InitFromState(const PhiloxRandom& state) {
  absl::MutexLock lock(&mu_);
  generator_ = state;
  initialized_ = true;
}

bool GuardedPhiloxRandom::initialized() const {
  absl::MutexLock lock(&mu_);
  return initialized_;
}

PhiloxRandom GuardedPhiloxRandom::state() const {
  absl::MutexLock lock(&mu_);
  return generator_;
}

PhiloxRandom GuardedPhiloxRandom::ReserveSamples128(uint64_t samples) {
  absl::MutexLock lock(&mu_);
  PhiloxRandom local = generator_;
  generator_.Skip(samples);
  return local;
}

}  // namespace random
}  // namespace flowlet
