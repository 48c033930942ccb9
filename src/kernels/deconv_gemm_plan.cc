#include "src/kernels/deconv_gemm_plan.h"

#include <algorithm>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "src/kernels/dnnl_util.h"
#include "src/kernels/kernel_counters.h"
#include "src/kernels/nn_kernel_util.h"

namespace flowlet {
namespace {

using dnnl::memory;
using Tag = memory::format_tag;

// Target size of the col buffer of one chunk of images.
constexpr int64_t kColChunkBytes = int64_t{2} << 20;

// The largest divisor of `batch` whose col buffer fits `budget` (1 if none).
int64_t ChunkImages(int64_t batch, int64_t image_bytes, int64_t budget) {
  for (int64_t c = batch; c > 1; --c) {
    if (batch % c == 0 && c <= budget / image_bytes) return c;
  }
  return 1;
}

}  // namespace

absl::StatusOr<std::unique_ptr<DeconvGemmPlan>> DeconvGemmPlan::Create(
    const ConvBackpropDims& dims, const dnnl::engine& engine, int64_t max_bytes,
    bool bf16) {
  if (dims.groups() != 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Conv2DBackpropInput: the gemm + col2im algorithm needs groups == 1: ",
        DeconvGeometryString(dims)));
  }
  absl::Status extent = CheckDeconvExtent(dims);
  if (!extent.ok()) return extent;
  if (bf16 && CpuSupportsBf16()) {
    absl::StatusOr<std::unique_ptr<DeconvGemmPlan>> plan =
        CreateTyped(dims, engine, max_bytes, memory::data_type::bf16);
    if (plan.ok()) return plan;  // Otherwise f32.
  }
  return CreateTyped(dims, engine, max_bytes, memory::data_type::f32);
}

absl::StatusOr<std::unique_ptr<DeconvGemmPlan>> DeconvGemmPlan::CreateTyped(
    const ConvBackpropDims& dims, const dnnl::engine& engine, int64_t max_bytes,
    memory::data_type type) {
  std::unique_ptr<DeconvGemmPlan> plan(new DeconvGemmPlan());
  plan->dims_ = dims;
  plan->bf16_ = type == memory::data_type::bf16;
  plan->geometry_ = Col2ImGeometry::FromDims(dims);
  const Col2ImGeometry& g = plan->geometry_;
  const int64_t k = dims.out_depth, hw = g.x_h * g.x_w, cols = g.row_size();
  int64_t image_bytes = 0;
  if (__builtin_mul_overflow(hw, cols, &image_bytes) ||
      __builtin_mul_overflow(image_bytes, int64_t{4}, &image_bytes) ||
      image_bytes > max_bytes) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "Conv2DBackpropInput: the gemm + col2im buffer of one image for ",
        DeconvGeometryString(dims), " exceeds the limit of ", max_bytes,
        " bytes"));
  }
  const int64_t chunk =
      ChunkImages(dims.batch, image_bytes, std::min(kColChunkBytes, max_bytes));
  plan->chunk_ = chunk;
  const std::string where = absl::StrCat(
      "Conv2DBackpropInput: oneDNN matmul for ", DeconvGeometryString(dims));
  try {
    memory::desc src_md, weights_any, col_md, user_weights_md;
    if (g.nhwc) {
      src_md = memory::desc({chunk * hw, k}, type, Tag::ab);
      weights_any = memory::desc({k, cols}, type, Tag::any);
      col_md =
          memory::desc({chunk * hw, cols}, memory::data_type::f32, Tag::ab);
      user_weights_md = memory::desc({k, cols}, memory::data_type::f32, {1, k});
    } else {
      // Each image's [k, hw] read as [hw, k].
      src_md = memory::desc({chunk, hw, k}, type, {k * hw, 1, hw});
      weights_any = memory::desc({1, k, cols}, type, Tag::any);
      col_md =
          memory::desc({chunk, hw, cols}, memory::data_type::f32, Tag::abc);
      user_weights_md =
          memory::desc({1, k, cols}, memory::data_type::f32, {k * cols, 1, k});
    }
    dnnl::primitive_attr attr;
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    dnnl::matmul::primitive_desc pd(
        dnnl::matmul::desc(src_md, weights_any, col_md), attr, engine);
    if (nn_kernels::IsReferenceImpl(pd.impl_info_str())) {
      return absl::UnimplementedError(
          absl::StrCat(where, ": only the reference matmul is available"));
    }
    const int64_t scratch_bytes =
        static_cast<int64_t>(pd.scratchpad_desc().get_size());
    const int64_t weights_bytes =
        static_cast<int64_t>(pd.weights_desc().get_size());
    if (scratch_bytes > max_bytes || weights_bytes > max_bytes) {
      return absl::ResourceExhaustedError(absl::StrCat(
          where, " needs ", scratch_bytes, " bytes of scratchpad and ",
          weights_bytes, " bytes of weights, more than the limit of ",
          max_bytes));
    }
    plan->col2im_ = std::make_unique<Col2ImPass>(g);
    plan->impl_info_ = absl::StrCat("gemm_col2im/", pd.impl_info_str());
    plan->prim_ = dnnl::matmul(pd);
    kernel_counters::AddPrimitiveCreations();
    plan->src_mem_ = memory(src_md, engine, DNNL_MEMORY_NONE);
    if (plan->bf16_) {
      // Layout-free conversion of all of out_backprop (half its f32 size).
      const memory::dims all = {dims.batch * hw * k};
      plan->user_src_mem_ = memory({all, memory::data_type::f32, Tag::a},
                                   engine, DNNL_MEMORY_NONE);
      plan->src_bf16_mem_ =
          memory({all, memory::data_type::bf16, Tag::a}, engine);
      plan->src_reorder_ =
          dnnl::reorder(plan->user_src_mem_, plan->src_bf16_mem_);
      kernel_counters::AddPrimitiveCreations();
    }
    plan->col_mem_ = memory(col_md, engine);
    plan->weights_mem_ = memory(pd.weights_desc(), engine);
    plan->user_weights_mem_ = memory(user_weights_md, engine, DNNL_MEMORY_NONE);
    plan->scratchpad_mem_ = memory(pd.scratchpad_desc(), engine);
    plan->weights_reorder_ =
        dnnl::reorder(plan->user_weights_mem_, plan->weights_mem_);
    kernel_counters::AddPrimitiveCreations();
  } catch (const dnnl::error& e) {
    return nn_kernels::DnnlErrorToStatus(e, where);
  }
  return plan;
}

absl::Status DeconvGemmPlan::LoadWeights(const float* filter,
                                         dnnl::stream& stream) {
  return nn_kernels::ReorderWeights(
      weights_reorder_, user_weights_mem_, weights_mem_, filter, stream,
      "Conv2DBackpropInput: gemm weights reorder");
}

absl::Status DeconvGemmPlan::Execute(const float* out_backprop, float* output,
                                     dnnl::stream& stream) {
  const int64_t src_chunk =
      chunk_ * geometry_.x_h * geometry_.x_w * dims_.out_depth;
  const int64_t y_chunk =
      chunk_ * geometry_.y_h * geometry_.y_w * geometry_.channels;
  const float* col = static_cast<const float*>(col_mem_.get_data_handle());
  try {
    char* base;
    int64_t elem_bytes;
    if (bf16_) {
      user_src_mem_.set_data_handle(const_cast<float*>(out_backprop));
      dnnl_util::Execute(src_reorder_, stream,
                         {{DNNL_ARG_FROM, user_src_mem_.get()},
                          {DNNL_ARG_TO, src_bf16_mem_.get()}});
      base = static_cast<char*>(src_bf16_mem_.get_data_handle());
      elem_bytes = 2;
    } else {
      base = reinterpret_cast<char*>(const_cast<float*>(out_backprop));
      elem_bytes = 4;
    }
    for (int64_t n0 = 0; n0 < dims_.batch; n0 += chunk_) {
      src_mem_.set_data_handle(base + (n0 / chunk_) * src_chunk * elem_bytes);
      dnnl_util::Execute(prim_, stream,
                         {{DNNL_ARG_SRC, src_mem_.get()},
                          {DNNL_ARG_WEIGHTS, weights_mem_.get()},
                          {DNNL_ARG_DST, col_mem_.get()},
                          {DNNL_ARG_SCRATCHPAD, scratchpad_mem_.get()}});
      stream.wait();
      col2im_->Run(col, chunk_, output + (n0 / chunk_) * y_chunk);
    }
  } catch (const dnnl::error& e) {
    return nn_kernels::DnnlErrorToStatus(
        e, "Conv2DBackpropInput: gemm deconvolution execution");
  }
  return absl::OkStatus();
}

}  // namespace flowlet
