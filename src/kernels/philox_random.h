// TensorFlow's counter-based random numbers: the Philox4x32-10 generator
// (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11), its
// conversions to floating point, the distributions of the random ops and the
// way TensorFlow's CPU kernels fill a tensor from them. Same seeds give the
// same numbers as TensorFlow's CPU kernels (tensorflow/core/lib/random/
// philox_random.h, random_distributions.h, core/kernels/random_op.cc), which
// are independent of how the work is split between threads.
#ifndef FLOWLET_SRC_KERNELS_PHILOX_RANDOM_H_
#define FLOWLET_SRC_KERNELS_PHILOX_RANDOM_H_

#include <array>
#include <cstdint>

#include "absl/synchronization/mutex.h"
#include "flowlet/types.h"

namespace flowlet {
namespace random {

// Philox4x32 with 10 rounds: a 128-bit counter and a 64-bit key; each call
// returns the 4 x 32 bits of the counter's encryption and increments the
// counter.
class PhiloxRandom {
 public:
  static constexpr int kResultElementCount = 4;
  using ResultType = std::array<uint32_t, 4>;
  using Key = std::array<uint32_t, 2>;

  PhiloxRandom() = default;
  // Key = seed, counter 0.
  explicit PhiloxRandom(uint64_t seed);
  // Key = seed_lo, counter words 2 and 3 = seed_hi (TensorFlow's (seed, seed2)
  // form).
  PhiloxRandom(uint64_t seed_lo, uint64_t seed_hi);
  PhiloxRandom(const ResultType& counter, const Key& key)
      : counter_(counter), key_(key) {}

  const ResultType& counter() const { return counter_; }
  const Key& key() const { return key_; }

  // Advances the counter by `count` (128-bit addition, as if `count` results
  // had been drawn).
  void Skip(uint64_t count);
  // The next 4 x 32 random bits.
  ResultType operator()();

 private:
  void SkipOne();

  ResultType counter_ = {0, 0, 0, 0};
  Key key_ = {0, 0};
};

// Draws single 32-bit values from a generator, buffering the unused ones.
class SingleSampleAdapter {
 public:
  explicit SingleSampleAdapter(PhiloxRandom* generator)
      : generator_(generator) {}
  uint32_t operator()() {
    if (used_ == PhiloxRandom::kResultElementCount) {
      unused_ = (*generator_)();
      used_ = 0;
    }
    return unused_[used_++];
  }

 private:
  PhiloxRandom* generator_;
  PhiloxRandom::ResultType unused_ = {0, 0, 0, 0};
  int used_ = PhiloxRandom::kResultElementCount;
};

// [0, 1) from 23 random mantissa bits: the float in [1, 2) minus 1.
float Uint32ToFloat(uint32_t x);
// [0, 1) from 52 random mantissa bits (the low 20 bits of x0, then x1).
double Uint64ToDouble(uint32_t x0, uint32_t x1);
// [0, 1) from the low 10 bits (half) or 7 bits (bfloat16) of x.
half Uint16ToHalf(uint16_t x);
bfloat16 Uint16ToBfloat16(uint16_t x);
// Box-Muller: two standard normal values from two uniform draws (u1 clamped to
// at least 1e-7 so that log stays finite).
void BoxMullerFloat(uint32_t x0, uint32_t x1, float* f0, float* f1);
void BoxMullerDouble(uint32_t x0, uint32_t x1, uint32_t x2, uint32_t x3,
                     double* d0, double* d1);

// TensorFlow reserves this many 128-bit samples per output element (the
// multiplier of GuardedPhiloxRandom::ReserveRandomOutputs in the random ops),
// so that truncated normal's variable number of draws per element never
// overlaps the next element's.
constexpr int kReservedSamplesPerOutput = 256;

// Fills data[0, n) as TensorFlow's random op kernels do from a generator
// positioned at the op's reserved samples. T is float, double, half or
// bfloat16. Uniform: [0, 1). Normal: mean 0, stddev 1. Truncated normal:
// normal values with |x| < 2 (others are drawn again).
template <typename T>
void FillUniform(PhiloxRandom gen, T* data, int64_t n);
template <typename T>
void FillNormal(PhiloxRandom gen, T* data, int64_t n);
template <typename T>
void FillTruncatedNormal(PhiloxRandom gen, T* data, int64_t n);

// A generator shared by the runs of one random op: each run takes a copy at
// the current position and moves the shared one past what the run may use
// (TensorFlow's GuardedPhiloxRandom). Thread-safe.
class GuardedPhiloxRandom {
 public:
  // (0, 0) picks two random seeds from std::random_device (nondeterministic,
  // as in TensorFlow); otherwise PhiloxRandom(seed, seed2).
  void Init(int64_t seed, int64_t seed2);
  // Starts from an explicit state (a state saved with state()).
  void InitFromState(const PhiloxRandom& state);
  bool initialized() const;
  PhiloxRandom state() const;

  // A generator for `samples` 128-bit samples; the shared one skips past them.
  PhiloxRandom ReserveSamples128(uint64_t samples);
  // For `output_count` outputs with `multiplier` samples each (may
  // overestimate).
  PhiloxRandom ReserveRandomOutputs(int64_t output_count, int multiplier) {
    return ReserveSamples128(static_cast<uint64_t>(output_count) *
                             static_cast<uint64_t>(multiplier));
  }

 private:
  mutable absl::Mutex mu_;
  PhiloxRandom generator_ ABSL_GUARDED_BY(mu_);
  bool initialized_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace random
}  // namespace flowlet

#endif  // FLOWLET_SRC_KERNELS_PHILOX_RANDOM_H_
