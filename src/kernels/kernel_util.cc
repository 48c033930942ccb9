#include "src/kernels/kernel_util.h"

#include <algorithm>
#include <cstring>

#include "src/core/attr_util.h"

namespace flowlet {
namespace kernel_util {

absl::Status CheckNumInputs(const KernelContext& ctx, int n) {
  if (ctx.num_inputs() != n) {
    return absl::InvalidArgumentError(
        absl::StrCat("expected ", n, " input(s), got ", ctx.num_inputs()));
  }
  return absl::OkStatus();
}

absl::Status CheckInputDtype(const KernelContext& ctx, int i,
                             absl::string_view arg, DataType expected) {
  const Tensor& t = ctx.input(i);
  if (!t.IsInitialized()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "input ", i, " ('", arg, "') is an empty (uninitialized) tensor"));
  }
  if (t.dtype() != expected) {
    return absl::InvalidArgumentError(absl::StrCat(
        "input ", i, " ('", arg, "') must be ", DataTypeString(expected),
        ", got ", DataTypeString(t.dtype())));
  }
  return absl::OkStatus();
}

absl::Status CheckIndexInput(const KernelContext& ctx, int i,
                             absl::string_view arg) {
  const Tensor& t = ctx.input(i);
  if (!t.IsInitialized() || (t.dtype() != DT_INT32 && t.dtype() != DT_INT64)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "input ", i, " ('", arg, "') must be int32 or int64, got ",
        t.IsInitialized() ? DataTypeString(t.dtype()) : "an empty tensor"));
  }
  return absl::OkStatus();
}

absl::Status GetAttrOr(const AttrMap& attrs, absl::string_view name,
                       bool fallback, bool* out) {
  if (attrs.find(name) == attrs.end()) {
    *out = fallback;
    return absl::OkStatus();
  }
  return GetAttr(attrs, name, out);
}

absl::Status GetAttrOr(const AttrMap& attrs, absl::string_view name,
                       int64_t fallback, int64_t* out) {
  if (attrs.find(name) == attrs.end()) {
    *out = fallback;
    return absl::OkStatus();
  }
  return GetAttr(attrs, name, out);
}

absl::Status GetAttrOr(const AttrMap& attrs, absl::string_view name,
                       DataType fallback, DataType* out) {
  if (attrs.find(name) == attrs.end()) {
    *out = fallback;
    return absl::OkStatus();
  }
  return GetAttr(attrs, name, out);
}

std::vector<int64_t> IntValues(const Tensor& t) {
  std::vector<int64_t> v(t.num_elements());
  if (t.dtype() == DT_INT32) {
    const int32_t* p = t.data<int32_t>();
    for (size_t i = 0; i < v.size(); ++i) v[i] = p[i];
  } else if (t.dtype() == DT_INT64) {
    const int64_t* p = t.data<int64_t>();
    for (size_t i = 0; i < v.size(); ++i) v[i] = p[i];
  } else {
    v.clear();
  }
  return v;
}

bool IntValuesEqual(const Tensor& t, const std::vector<int64_t>& values) {
  if (t.dtype() != DT_INT32 && t.dtype() != DT_INT64) return false;
  if (t.num_elements() != static_cast<int64_t>(values.size())) return false;
  for (size_t i = 0; i < values.size(); ++i) {
    if (IntValue(t, static_cast<int64_t>(i)) != values[i]) return false;
  }
  return true;
}

void AssignDims(absl::Span<const int64_t> dims, TensorShape* shape) {
  if (shape->rank() == static_cast<int>(dims.size())) {
    for (size_t i = 0; i < dims.size(); ++i) {
      shape->set_dim(static_cast<int>(i), dims[i]);
    }
    return;
  }
  *shape = TensorShape(std::vector<int64_t>(dims.begin(), dims.end()));
}

std::vector<int64_t> RowMajorStrides(const std::vector<int64_t>& dims) {
  std::vector<int64_t> strides(dims.size());
  int64_t s = 1;
  for (int i = static_cast<int>(dims.size()) - 1; i >= 0; --i) {
    strides[i] = s;
    s *= dims[i];
  }
  return strides;
}

absl::StatusOr<TensorShape> BroadcastShape(const TensorShape& a,
                                           const TensorShape& b) {
  const int ra = a.rank(), rb = b.rank();
  const int r = std::max(ra, rb);
  std::vector<int64_t> out(r);
  for (int i = 0; i < r; ++i) {
    const int64_t da = i < r - ra ? 1 : a.dim(i - (r - ra));
    const int64_t db = i < r - rb ? 1 : b.dim(i - (r - rb));
    if (da == db || db == 1) {
      out[i] = da;
    } else if (da == 1) {
      out[i] = db;
    } else {
      return absl::InvalidArgumentError(absl::StrCat(
          "Incompatible shapes: ", a.DebugString(), " vs. ", b.DebugString()));
    }
  }
  return TensorShape(std::move(out));
}

BroadcastPlan MakeBroadcastPlan(const TensorShape& x, const TensorShape& y,
                                const TensorShape& out) {
  BroadcastPlan plan;
  const int r = out.rank();
  const int rx = x.rank(), ry = y.rank();
  std::vector<bool> x_full_dims, y_full_dims;
  bool prev_x = false, prev_y = false, have_prev = false;
  for (int i = 0; i < r; ++i) {
    const int64_t d = out.dim(i);
    if (d == 1) continue;
    const int64_t dx = i < r - rx ? 1 : x.dim(i - (r - rx));
    const int64_t dy = i < r - ry ? 1 : y.dim(i - (r - ry));
    const bool fx = dx == d, fy = dy == d;
    plan.x_full &= fx;
    plan.y_full &= fy;
    if (have_prev && fx == prev_x && fy == prev_y) {
      plan.dims.back() *= d;
    } else {
      plan.dims.push_back(d);
      x_full_dims.push_back(fx);
      y_full_dims.push_back(fy);
    }
    prev_x = fx;
    prev_y = fy;
    have_prev = true;
  }
  if (plan.dims.empty()) {
    plan.dims.push_back(1);
    x_full_dims.push_back(true);
    y_full_dims.push_back(true);
  }
  const int n = static_cast<int>(plan.dims.size());
  plan.x_strides.assign(n, 0);
  plan.y_strides.assign(n, 0);
  int64_t sx = 1, sy = 1;
  for (int i = n - 1; i >= 0; --i) {
    if (x_full_dims[i]) {
      plan.x_strides[i] = sx;
      sx *= plan.dims[i];
    }
    if (y_full_dims[i]) {
      plan.y_strides[i] = sy;
      sy *= plan.dims[i];
    }
  }
  return plan;
}

void BroadcastCopy(const void* x, void* out, size_t element_size,
                   const BroadcastPlan& plan) {
  const char* src = static_cast<const char*>(x);
  char* dst = static_cast<char*>(out);
  const int64_t row = plan.dims.back();
  const bool contiguous = plan.x_strides.back() == 1;
  ForEachBroadcastRow(plan, [&](int64_t x_off, int64_t, int64_t out_off) {
    const char* s = src + x_off * element_size;
    char* d = dst + out_off * element_size;
    if (contiguous) {
      std::memcpy(d, s, row * element_size);
    } else {
      for (int64_t i = 0; i < row; ++i)
        std::memcpy(d + i * element_size, s, element_size);
    }
  });
}

}  // namespace kernel_util
}  // namespace flowlet
