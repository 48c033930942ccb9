#include "src/kernels/nn_kernel_util.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "src/core/attr_util.h"
#include "src/kernels/dnnl_util.h"
#include "src/kernels/kernel_counters.h"

namespace flowlet {
namespace nn_kernels {
namespace {

struct FallbackDnnl {
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
};

FallbackDnnl& Fallback() {
  // Leaked on purpose: no destruction-order issues at exit.
  static FallbackDnnl* const fallback = new FallbackDnnl();
  return *fallback;
}

}  // namespace

const dnnl::engine& Engine(KernelResources* resources) {
  if (resources != nullptr && resources->engine != nullptr)
    return *resources->engine;
  return Fallback().engine;
}

dnnl::stream& Stream(KernelResources* resources) {
  if (resources != nullptr && resources->stream != nullptr)
    return *resources->stream;
  return Fallback().stream;
}

absl::Status DnnlErrorToStatus(const dnnl::error& e, absl::string_view what) {
  std::string message = absl::StrCat(what, ": ", e.what(), " (status ",
                                     static_cast<int>(e.status), ")");
  if (e.status == dnnl_invalid_arguments || e.status == dnnl_unimplemented) {
    return absl::InvalidArgumentError(message);
  }
  return absl::InternalError(message);
}

absl::Status ReorderWeights(const dnnl::reorder& reorder, dnnl::memory& user,
                            const dnnl::memory& weights, const float* filter,
                            dnnl::stream& stream, absl::string_view what) {
  try {
    user.set_data_handle(const_cast<float*>(filter));
    dnnl_util::Execute(
        reorder, stream,
        {{DNNL_ARG_FROM, user.get()}, {DNNL_ARG_TO, weights.get()}});
    stream.wait();
  } catch (const dnnl::error& e) {
    return DnnlErrorToStatus(e, what);
  }
  kernel_counters::AddWeightReorder();
  return absl::OkStatus();
}

absl::Status GetTypeAttr(const AttrMap& attrs, absl::string_view label,
                         std::initializer_list<DataType> allowed,
                         DataType* out) {
  absl::Status s = GetAttr(attrs, "T", out);
  if (!s.ok())
    return absl::InvalidArgumentError(absl::StrCat(label, ": ", s.message()));
  for (DataType t : allowed) {
    if (t == *out) return absl::OkStatus();
  }
  std::vector<std::string> names;
  for (DataType t : allowed) names.push_back(DataTypeString(t));
  return absl::InvalidArgumentError(absl::StrCat(
      label, ": T = ", DataTypeString(*out),
      " is not supported; expected one of {", absl::StrJoin(names, ", "), "}"));
}

absl::Status CheckNumInputs(const KernelContext& ctx, absl::string_view label,
                            int n) {
  if (ctx.num_inputs() != n || ctx.num_outputs() != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat(label, ": expected ", n, " inputs and 1 output, got ",
                     ctx.num_inputs(), " and ", ctx.num_outputs()));
  }
  return absl::OkStatus();
}

absl::Status CheckInputType(const KernelContext& ctx, absl::string_view label,
                            int i, absl::string_view arg, DataType expected) {
  const DataType got = ctx.input(i).dtype();
  if (got != expected) {
    return absl::InvalidArgumentError(
        absl::StrCat(label, ": input ", i, " ('", arg, "') must be ",
                     DataTypeString(expected), ", got ", DataTypeString(got)));
  }
  return absl::OkStatus();
}

}  // namespace nn_kernels
void ConvertToF32(const Tensor& in, Tensor* out) {
  float* dst = out->data<float>();
  const int64_t n = in.num_elements();
  if (in.dtype() == DT_HALF) {
    const half* src = in.data<half>();
    for (int64_t i = 0; i < n; ++i) dst[i] = static_cast<float>(src[i]);
  } else {
    const bfloat16* src = in.data<bfloat16>();
    for (int64_t i = 0; i < n; ++i) dst[i] = static_cast<float>(src[i]);
  }
}

void ConvertFromF32(const Tensor& in, Tensor* out) {
  const float* src = in.data<float>();
  const int64_t n = in.num_elements();
  if (out->dtype() == DT_HALF) {
    half* dst = out->data<half>();
    for (int64_t i = 0; i < n; ++i) dst[i] = half(src[i]);
  } else {
    bfloat16* dst = out->data<bfloat16>();
    for (int64_t i = 0; i < n; ++i) dst[i] = bfloat16(src[i]);
  }
}

}  // namespace flowlet
