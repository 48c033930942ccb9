#include "tests/kernels/nn_test_util.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "src/core/attr_util.h"
#include "tests/kernels/kernel_test_util.h"

namespace flowlet {
namespace nn_test {
namespace {

int64_t Eff(int64_t k, int64_t d) { return (k - 1) * d + 1; }

// TensorFlow: VALID (in - eff + s) / s; SAME ceil(in / s); EXPLICIT (in + pads
// - eff + s) / s.
int64_t OutSize(const std::string& padding, int64_t in, int64_t k, int64_t s,
                int64_t d, int64_t p0, int64_t p1) {
  if (padding == "VALID") return (in - Eff(k, d) + s) / s;
  if (padding == "SAME") return (in + s - 1) / s;
  return (in + p0 + p1 - Eff(k, d) + s) / s;
}

int64_t PadBefore(const std::string& padding, int64_t in, int64_t out,
                  int64_t k, int64_t s, int64_t d, int64_t explicit_before) {
  if (padding == "VALID") return 0;
  if (padding == "EXPLICIT") return explicit_before;
  return std::max<int64_t>(0, (out - 1) * s + Eff(k, d) - in) / 2;
}

void SetDouble(Tensor* t, int64_t i, double v) {
  switch (t->dtype()) {
    case DT_FLOAT:
      t->data<float>()[i] = static_cast<float>(v);
      break;
    case DT_DOUBLE:
      t->data<double>()[i] = v;
      break;
    case DT_HALF:
      t->data<half>()[i] = half(static_cast<float>(v));
      break;
    case DT_BFLOAT16:
      t->data<bfloat16>()[i] = bfloat16(static_cast<float>(v));
      break;
    case DT_INT32:
      t->data<int32_t>()[i] = static_cast<int32_t>(v);
      break;
    case DT_INT64:
      t->data<int64_t>()[i] = static_cast<int64_t>(v);
      break;
    case DT_INT8:
      t->data<int8_t>()[i] = static_cast<int8_t>(v);
      break;
    case DT_UINT8:
      t->data<uint8_t>()[i] = static_cast<uint8_t>(v);
      break;
    default:
      ADD_FAILURE() << "SetDouble: unsupported dtype "
                    << DataTypeString(t->dtype());
  }
}

// Permutes a 4-D tensor: out dim i = in dim perm[i].
Tensor Transpose4(const Tensor& t, const int perm[4]) {
  const TensorShape& s = t.shape();
  TensorShape out_shape(
      {s.dim(perm[0]), s.dim(perm[1]), s.dim(perm[2]), s.dim(perm[3])});
  Tensor out(t.dtype(), out_shape);
  int64_t in_strides[4];
  in_strides[3] = 1;
  for (int i = 2; i >= 0; --i) in_strides[i] = in_strides[i + 1] * s.dim(i + 1);
  const size_t bytes = DataTypeSize(t.dtype());
  const char* src = static_cast<const char*>(t.raw_data());
  char* dst = static_cast<char*>(out.raw_data());
  int64_t o = 0;
  for (int64_t a = 0; a < out_shape.dim(0); ++a)
    for (int64_t b = 0; b < out_shape.dim(1); ++b)
      for (int64_t c = 0; c < out_shape.dim(2); ++c)
        for (int64_t d = 0; d < out_shape.dim(3); ++d, ++o) {
          const int64_t i = a * in_strides[perm[0]] + b * in_strides[perm[1]] +
                            c * in_strides[perm[2]] + d * in_strides[perm[3]];
          std::copy(src + i * bytes, src + (i + 1) * bytes, dst + o * bytes);
        }
  return out;
}

}  // namespace

int64_t DeconvCase::ho() const {
  return OutSize(padding, h, kh, sh, dh, pt, pb);
}
int64_t DeconvCase::wo() const {
  return OutSize(padding, w, kw, sw, dw, pl, pr);
}
int64_t DeconvCase::pad_top() const {
  return PadBefore(padding, h, ho(), kh, sh, dh, pt);
}
int64_t DeconvCase::pad_left() const {
  return PadBefore(padding, w, wo(), kw, sw, dw, pl);
}

std::string DeconvCase::DebugString() const {
  return absl::StrCat("y [", n, ",", h, ",", w, ",", c, "] dy [", n, ",", ho(),
                      ",", wo(), ",", od, "] k ", kh, "x", kw, " s ", sh, ",",
                      sw, " d ", dh, ",", dw, " ", padding,
                      padding == "EXPLICIT"
                          ? absl::StrCat(" ", pt, ",", pb, ",", pl, ",", pr)
                          : "",
                      " groups ", groups);
}

void PrintTo(const DeconvCase& k, std::ostream* os) { *os << k.DebugString(); }

AttrMap DeconvAttrs(const DeconvCase& k, const std::string& format,
                    DataType dtype) {
  const bool nhwc = format == "NHWC";
  AttrMap a;
  a["T"] = AttrType(dtype);
  a["strides"] = AttrIntList(nhwc ? std::vector<int64_t>{1, k.sh, k.sw, 1}
                                  : std::vector<int64_t>{1, 1, k.sh, k.sw});
  a["dilations"] = AttrIntList(nhwc ? std::vector<int64_t>{1, k.dh, k.dw, 1}
                                    : std::vector<int64_t>{1, 1, k.dh, k.dw});
  a["padding"] = AttrString(k.padding);
  std::vector<int64_t> pads;
  if (k.padding == "EXPLICIT") {
    pads = nhwc ? std::vector<int64_t>{0, 0, k.pt, k.pb, k.pl, k.pr, 0, 0}
                : std::vector<int64_t>{0, 0, 0, 0, k.pt, k.pb, k.pl, k.pr};
  }
  a["explicit_paddings"] = AttrIntList(pads);
  a["data_format"] = AttrString(format);
  a["use_cudnn_on_gpu"] = AttrBool(true);
  return a;
}

Tensor DeconvInputSizes(const DeconvCase& k, const std::string& format) {
  const std::vector<int32_t> v =
      format == "NHWC"
          ? std::vector<int32_t>{static_cast<int32_t>(k.n),
                                 static_cast<int32_t>(k.h),
                                 static_cast<int32_t>(k.w),
                                 static_cast<int32_t>(k.c)}
          : std::vector<int32_t>{
                static_cast<int32_t>(k.n), static_cast<int32_t>(k.c),
                static_cast<int32_t>(k.h), static_cast<int32_t>(k.w)};
  return Tensor::Vector<int32_t>(v);
}

Tensor RefConv2DBackpropInput(const DeconvCase& k, const Tensor& filter,
                              const Tensor& dy, DataType dtype) {
  const int64_t ho = k.ho(), wo = k.wo(), fd = k.c / k.groups,
                opg = k.od / k.groups;
  std::vector<double> y(k.n * k.h * k.w * k.c, 0.0);
  for (int64_t n = 0; n < k.n; ++n)
    for (int64_t i = 0; i < ho; ++i)
      for (int64_t j = 0; j < wo; ++j)
        for (int64_t a = 0; a < k.kh; ++a)
          for (int64_t b = 0; b < k.kw; ++b) {
            const int64_t p = i * k.sh - k.pad_top() + a * k.dh;
            const int64_t q = j * k.sw - k.pad_left() + b * k.dw;
            if (p < 0 || p >= k.h || q < 0 || q >= k.w) continue;
            for (int64_t c = 0; c < k.c; ++c) {
              const int64_t g = c / fd;
              for (int64_t o = g * opg; o < (g + 1) * opg; ++o) {
                const double x =
                    dy.ValueAsDouble(((n * ho + i) * wo + j) * k.od + o);
                const double wv = filter.ValueAsDouble(
                    ((a * k.kw + b) * fd + c % fd) * k.od + o);
                y[((n * k.h + p) * k.w + q) * k.c + c] += x * wv;
              }
            }
          }
  Tensor out(dtype, TensorShape({k.n, k.h, k.w, k.c}));
  for (int64_t i = 0; i < out.num_elements(); ++i) SetDouble(&out, i, y[i]);
  return out;
}

Tensor NHWCToNCHW(const Tensor& t) {
  static const int perm[4] = {0, 3, 1, 2};
  return Transpose4(t, perm);
}

Tensor NCHWToNHWC(const Tensor& t) {
  static const int perm[4] = {0, 2, 3, 1};
  return Transpose4(t, perm);
}

Tensor CastTo(const Tensor& t, DataType dtype) {
  Tensor out(dtype, t.shape());
  for (int64_t i = 0; i < t.num_elements(); ++i)
    SetDouble(&out, i, t.ValueAsDouble(i));
  return out;
}

Tensor Filled(DataType dtype, const TensorShape& shape, double value) {
  Tensor out(dtype, shape);
  for (int64_t i = 0; i < out.num_elements(); ++i) SetDouble(&out, i, value);
  return out;
}

DirectKernel::DirectKernel(std::string op, AttrMap attrs)
    : node_name_(absl::StrCat("direct_", op)),
      op_(std::move(op)),
      attrs_(std::move(attrs)) {
  resources_.engine = &kernel_test::TestEngine();
  resources_.stream = &kernel_test::TestStream();
}

absl::Status DirectKernel::Init(const std::vector<Tensor>& inputs,
                                bool shapes_known,
                                const std::vector<int>& constant_inputs) {
  const KernelFactory* factory = KernelRegistry::Global()->Find(op_);
  if (factory == nullptr)
    return absl::NotFoundError(absl::StrCat("no kernel for ", op_));
  kernel_ = (*factory)();
  KernelConstruction c;
  c.node_name = node_name_;
  c.op = op_;
  c.attrs = &attrs_;
  for (const Tensor& t : inputs) {
    c.input_types.push_back(t.dtype());
    c.input_is_ref.push_back(false);
    c.input_shapes.push_back(shapes_known ? t.shape()
                                          : TensorShape::UnknownRank());
    c.constant_inputs.push_back(nullptr);
  }
  for (int i : constant_inputs) c.constant_inputs[i] = &inputs[i];
  c.output_types = {inputs.empty() ? DT_INVALID : inputs.back().dtype()};
  c.output_shapes = {TensorShape::UnknownRank()};
  c.resources = &resources_;
  return kernel_->Init(c);
}

absl::Status DirectKernel::Compute(std::vector<Value>* inputs,
                                   const std::vector<uint64_t>& versions,
                                   const std::vector<bool>& forwardable) {
  std::vector<Value*> in;
  for (Value& v : *inputs) in.push_back(&v);
  KernelContext ctx(node_name_, &resources_, std::move(in), {&output_});
  for (size_t i = 0; i < versions.size(); ++i)
    ctx.set_input_version(i, versions[i]);
  for (size_t i = 0; i < forwardable.size(); ++i)
    ctx.set_input_forwardable(i, forwardable[i]);
  return kernel_->Compute(ctx);
}

}  // namespace nn_test
}  // namespace flowlet
