// Kernels of RandomUniform, RandomStandardNormal and TruncatedNormal:
// TensorFlow's PhiloxRandomOp. The generator is keyed by the (seed, seed2)
// attrs ((0, 0): random seeds) and each run moves it past the 256 samples per
// output element it reserved, so successive runs give new values while a new
// session with the same seeds repeats the sequence.
//
// As TensorFlow shares a stateful kernel between all the executors of a
// session, the generator's position is kept per session and node, in the
// session's variable store under a name no graph variable can have
// ("<node>:philox_state"), so every plan that runs the node continues the same
// sequence.
#include <cstdint>
#include <cstring>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "flowlet/tensor.h"
#include "flowlet/types.h"
#include "src/core/attr_util.h"
#include "src/core/shape_checks.h"
#include "src/core/status_macros.h"
#include "src/core/variable.h"
#include "src/kernels/op_kernel.h"
#include "src/kernels/philox_random.h"

namespace flowlet {
namespace {

enum class Distribution { kUniform, kNormal, kTruncatedNormal };

// The generator state as stored in the session: counter then key, 6 x 32 bits.
constexpr int kStateWords = 6;

void StoreState(const random::PhiloxRandom& gen, Tensor* t) {
  int32_t* d = t->data<int32_t>();
  uint32_t words[kStateWords];
  for (int i = 0; i < 4; ++i) words[i] = gen.counter()[i];
  for (int i = 0; i < 2; ++i) words[4 + i] = gen.key()[i];
  std::memcpy(d, words, sizeof(words));
}

random::PhiloxRandom LoadState(const Tensor& t) {
  uint32_t words[kStateWords];
  std::memcpy(words, t.data<int32_t>(), sizeof(words));
  return random::PhiloxRandom({words[0], words[1], words[2], words[3]},
                              {words[4], words[5]});
}

template <typename T>
void Fill(Distribution d, const random::PhiloxRandom& gen, Tensor* out) {
  T* data = out->data<T>();
  const int64_t n = out->num_elements();
  switch (d) {
    case Distribution::kUniform:
      random::FillUniform<T>(gen, data, n);
      break;
    case Distribution::kNormal:
      random::FillNormal<T>(gen, data, n);
      break;
    case Distribution::kTruncatedNormal:
      random::FillTruncatedNormal<T>(gen, data, n);
      break;
  }
}

template <Distribution kDist>
class PhiloxRandomKernel : public OpKernel {
 public:
  absl::Status Init(const KernelConstruction& c) override {
    FLOWLET_RETURN_IF_ERROR(GetAttr(*c.attrs, "seed", &seed_));
    FLOWLET_RETURN_IF_ERROR(GetAttr(*c.attrs, "seed2", &seed2_));
    FLOWLET_RETURN_IF_ERROR(GetAttr(*c.attrs, "dtype", &dtype_));
    if (dtype_ != DT_FLOAT && dtype_ != DT_DOUBLE && dtype_ != DT_HALF &&
        dtype_ != DT_BFLOAT16) {
      return absl::InvalidArgumentError(
          absl::StrCat("attr 'dtype' is ", DataTypeString(dtype_),
                       ", expected half, bfloat16, float or double"));
    }
    if (c.resources != nullptr && c.resources->variable) {
      shared_ =
          c.resources->variable(absl::StrCat(c.node_name, ":philox_state"));
    }
    if (shared_ == nullptr) local_.Init(seed_, seed2_);
    return absl::OkStatus();
  }

  absl::Status Compute(KernelContext& ctx) override {
    if (ctx.num_inputs() != 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("expected 1 input, got ", ctx.num_inputs()));
    }
    absl::StatusOr<TensorShape> shape =
        CheckedShapeFromTensor(ctx.input(0), dtype_, ctx.limits());
    if (!shape.ok()) {
      return AnnotateStatus(shape.status(), "input 0 ('shape'): ");
    }
    FLOWLET_ASSIGN_OR_RETURN(Tensor * out,
                             ctx.allocate_output(0, dtype_, *shape));
    const random::PhiloxRandom gen = Reserve(out->num_elements());
    switch (dtype_) {
      case DT_FLOAT:
        Fill<float>(kDist, gen, out);
        break;
      case DT_DOUBLE:
        Fill<double>(kDist, gen, out);
        break;
      case DT_HALF:
        Fill<half>(kDist, gen, out);
        break;
      case DT_BFLOAT16:
        Fill<bfloat16>(kDist, gen, out);
        break;
      default:
        return absl::InternalError("unexpected dtype");
    }
    return absl::OkStatus();
  }

 private:
  // The generator for `n` outputs; the stored one moves past them.
  random::PhiloxRandom Reserve(int64_t n) {
    if (shared_ == nullptr) {
      return local_.ReserveRandomOutputs(n, random::kReservedSamplesPerOutput);
    }
    absl::MutexLock lock(&shared_->mu);
    random::GuardedPhiloxRandom guarded;
    if (shared_->initialized.load() && shared_->value.dtype() == DT_INT32 &&
        shared_->value.num_elements() == kStateWords) {
      guarded.InitFromState(LoadState(shared_->value));
    } else {
      guarded.Init(seed_, seed2_);
      shared_->value = Tensor(DT_INT32, TensorShape({kStateWords}));
    }
    const random::PhiloxRandom gen =
        guarded.ReserveRandomOutputs(n, random::kReservedSamplesPerOutput);
    StoreState(guarded.state(), &shared_->value);
    shared_->initialized.store(true);
    shared_->version.fetch_add(1);
    return gen;
  }

  int64_t seed_ = 0;
  int64_t seed2_ = 0;
  DataType dtype_ = DT_FLOAT;
  Variable* shared_ = nullptr;
  random::GuardedPhiloxRandom local_;
};

FLOWLET_REGISTER_KERNEL("RandomUniform",
                        PhiloxRandomKernel<Distribution::kUniform>);
FLOWLET_REGISTER_KERNEL("RandomStandardNormal",
                        PhiloxRandomKernel<Distribution::kNormal>);
FLOWLET_REGISTER_KERNEL("TruncatedNormal",
                        PhiloxRandomKernel<Distribution::kTruncatedNormal>);

}  // namespace
}  // namespace flowlet
