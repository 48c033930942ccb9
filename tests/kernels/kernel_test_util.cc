#include "tests/kernels/kernel_test_util.h"

#include <cmath>
#include <cstring>
#include <random>
#include <utility>

#include "absl/strings/str_cat.h"

namespace flowlet {
namespace kernel_test {

dnnl::engine& TestEngine() {
  static dnnl::engine* const engine =
      new dnnl::engine(dnnl::engine::kind::cpu, 0);
  return *engine;
}

dnnl::stream& TestStream() {
  static dnnl::stream* const stream = new dnnl::stream(TestEngine());
  return *stream;
}

KernelRunner::KernelRunner(std::string op, AttrMap attrs,
                           const RunOptions& options)
    : node_name_(absl::StrCat("test_", op)),
      op_(std::move(op)),
      attrs_(std::move(attrs)),
      options_(options) {
  resources_.engine = &TestEngine();
  resources_.stream = &TestStream();
  resources_.limits = options.limits;
  resources_.variable = [this](const std::string& name) {
    return variable(name);
  };
  outputs_.resize(options.num_outputs);
}

Variable* KernelRunner::variable(const std::string& name) {
  std::unique_ptr<Variable>& v = variables_[name];
  if (v == nullptr) v = std::make_unique<Variable>(name);
  return v.get();
}

absl::Status KernelRunner::Init(const std::vector<DataType>& input_types,
                                const std::vector<TensorShape>& input_shapes,
                                const std::vector<const Tensor*>& constants,
                                const std::vector<bool>& is_ref) {
  const KernelFactory* factory = KernelRegistry::Global()->Find(op_);
  if (factory == nullptr)
    return absl::NotFoundError(absl::StrCat("no kernel for op ", op_));
  kernel_ = (*factory)();
  KernelConstruction c;
  c.node_name = node_name_;
  c.op = op_;
  c.attrs = &attrs_;
  c.input_types = input_types;
  c.input_is_ref =
      is_ref.empty() ? std::vector<bool>(input_types.size(), false) : is_ref;
  c.output_types.assign(options_.num_outputs, DT_INVALID);
  c.input_shapes = input_shapes;
  c.output_shapes.assign(options_.num_outputs, TensorShape::UnknownRank());
  c.constant_inputs = constants.empty() ? std::vector<const Tensor*>(
                                              input_types.size(), nullptr)
                                        : constants;
  c.resources = &resources_;
  absl::Status s = kernel_->Init(c);
  if (!s.ok()) kernel_.reset();
  return s;
}

absl::Status KernelRunner::InitFor(const std::vector<Tensor>& inputs) {
  std::vector<DataType> types;
  std::vector<TensorShape> shapes;
  std::vector<const Tensor*> constants(inputs.size(), nullptr);
  for (const Tensor& t : inputs) {
    types.push_back(t.dtype());
    shapes.push_back(
        options_.shapes_known_at_init ? t.shape() : TensorShape::UnknownRank());
  }
  for (int i : options_.constant_inputs) constants[i] = &inputs[i];
  return Init(types, shapes, constants);
}

absl::StatusOr<std::vector<Tensor>> KernelRunner::Compute(
    const std::vector<Tensor>& inputs, const std::vector<Variable*>& refs) {
  if (kernel_ == nullptr)
    return absl::FailedPreconditionError("Init did not succeed");
  std::vector<Value> in(inputs.size());
  std::vector<Value*> in_ptrs, out_ptrs;
  for (size_t i = 0; i < inputs.size(); ++i) {
    in[i].tensor = inputs[i];
    in[i].ref = i < refs.size() ? refs[i] : nullptr;
    in_ptrs.push_back(&in[i]);
  }
  for (Value& v : outputs_) out_ptrs.push_back(&v);
  KernelContext ctx(node_name_, &resources_, std::move(in_ptrs),
                    std::move(out_ptrs));
  absl::Status s = kernel_->Compute(ctx);
  if (!s.ok()) return s;
  std::vector<Tensor> result;
  for (const Value& v : outputs_) result.push_back(v.tensor.DeepCopy());
  return result;
}

namespace {

absl::StatusOr<std::vector<Tensor>> RunVariant(
    const std::string& op, const AttrMap& attrs,
    const std::vector<Tensor>& inputs, const RunOptions& options) {
  KernelRunner runner(op, attrs, options);
  absl::Status s = runner.InitFor(inputs);
  if (!s.ok()) return s;
  absl::StatusOr<std::vector<Tensor>> first = runner.Compute(inputs);
  if (!first.ok()) return first;
  absl::StatusOr<std::vector<Tensor>> second = runner.Compute(inputs);
  if (!second.ok()) {
    return absl::InternalError(
        absl::StrCat("second run failed where the first succeeded: ",
                     second.status().ToString()));
  }
  for (size_t i = 0; i < first->size(); ++i) {
    if (!BitEqual((*first)[i], (*second)[i])) {
      return absl::InternalError(absl::StrCat(
          "output ", i, " differs between runs: ", (*first)[i].DebugString(),
          " vs ", (*second)[i].DebugString()));
    }
  }
  return first;
}

}  // namespace

absl::StatusOr<std::vector<Tensor>> RunKernel(const std::string& op,
                                              const AttrMap& attrs,
                                              const std::vector<Tensor>& inputs,
                                              const RunOptions& options) {
  RunOptions known = options;
  known.shapes_known_at_init = true;
  RunOptions lazy = options;
  lazy.shapes_known_at_init = false;
  lazy.constant_inputs.clear();
  absl::StatusOr<std::vector<Tensor>> a = RunVariant(op, attrs, inputs, known);
  absl::StatusOr<std::vector<Tensor>> b = RunVariant(op, attrs, inputs, lazy);
  if (a.ok() != b.ok() || (!a.ok() && a.status().code() != b.status().code())) {
    return absl::InternalError(
        absl::StrCat("shapes known at Init: ", a.status().ToString(),
                     "; unknown at Init: ", b.status().ToString()));
  }
  if (!a.ok()) return a;
  for (size_t i = 0; i < a->size(); ++i) {
    if (!BitEqual((*a)[i], (*b)[i])) {
      return absl::InternalError(absl::StrCat(
          "output ", i, " differs between shapes known and unknown at Init: ",
          (*a)[i].DebugString(), " vs ", (*b)[i].DebugString()));
    }
  }
  return a;
}

absl::StatusOr<Tensor> RunKernel1(const std::string& op, const AttrMap& attrs,
                                  const std::vector<Tensor>& inputs,
                                  const RunOptions& options) {
  absl::StatusOr<std::vector<Tensor>> out =
      RunKernel(op, attrs, inputs, options);
  if (!out.ok()) return out.status();
  if (out->size() != 1) return absl::InternalError("expected one output");
  return (*out)[0];
}

bool BitEqual(const Tensor& a, const Tensor& b) {
  if (a.IsInitialized() != b.IsInitialized()) return false;
  if (!a.IsInitialized()) return true;
  if (a.dtype() != b.dtype() || a.shape() != b.shape()) return false;
  return a.TotalBytes() == 0 ||
         std::memcmp(a.raw_data(), b.raw_data(), a.TotalBytes()) == 0;
}

::testing::AssertionResult TensorNear(const Tensor& actual,
                                      const Tensor& expected,
                                      double tolerance) {
  if (actual.dtype() != expected.dtype()) {
    return ::testing::AssertionFailure()
           << "dtype " << DataTypeString(actual.dtype()) << " vs expected "
           << DataTypeString(expected.dtype());
  }
  if (actual.shape() != expected.shape()) {
    return ::testing::AssertionFailure()
           << "shape " << actual.shape().DebugString() << " vs expected "
           << expected.shape().DebugString();
  }
  for (int64_t i = 0; i < actual.num_elements(); ++i) {
    const double a = actual.ValueAsDouble(i), e = expected.ValueAsDouble(i);
    if (std::isnan(a) && std::isnan(e)) continue;
    if (a == e) continue;  // Also equal infinities.
    if (!(std::fabs(a - e) <= tolerance * (1 + std::fabs(e)))) {
      return ::testing::AssertionFailure()
             << "element " << i << ": " << a << " vs expected " << e
             << " (actual " << actual.DebugString(16) << ", expected "
             << expected.DebugString(16) << ")";
    }
  }
  return ::testing::AssertionSuccess();
}

Tensor RandomTensor(DataType dtype, const TensorShape& shape, uint32_t seed,
                    double lo, double hi) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> dist(lo, hi);
  Tensor t(dtype, shape);
  const int64_t n = t.num_elements();
  for (int64_t i = 0; i < n; ++i) {
    const double v = dist(gen);
    switch (dtype) {
      case DT_FLOAT:
        t.data<float>()[i] = static_cast<float>(v);
        break;
      case DT_DOUBLE:
        t.data<double>()[i] = v;
        break;
      case DT_INT32:
        t.data<int32_t>()[i] = static_cast<int32_t>(std::floor(v));
        break;
      case DT_INT64:
        t.data<int64_t>()[i] = static_cast<int64_t>(std::floor(v));
        break;
      case DT_UINT8:
        t.data<uint8_t>()[i] = static_cast<uint8_t>(std::floor(std::fabs(v)));
        break;
      case DT_INT8:
        t.data<int8_t>()[i] = static_cast<int8_t>(std::floor(v));
        break;
      case DT_BOOL:
        t.data<bool>()[i] = v > (lo + hi) / 2;
        break;
      case DT_BFLOAT16:
        t.data<bfloat16>()[i] = bfloat16(static_cast<float>(v));
        break;
      case DT_HALF:
        t.data<half>()[i] = half(static_cast<float>(v));
        break;
      default:
        break;
    }
  }
  return t;
}

AttrMap Attrs(
    std::initializer_list<std::pair<const std::string, tensorflow::AttrValue>>
        list) {
  return AttrMap(list.begin(), list.end());
}

}  // namespace kernel_test
}  // namespace flowlet
