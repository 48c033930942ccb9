// The op registry: every op flowlet knows, declared once with TensorFlow's spec
// syntax.
//
//   FLOWLET_REGISTER_OP("BiasAdd")
//       .Input("value: T")
//       .Input("bias: T")
//       .Output("output: T")
//       .Attr("T: {float, double, bfloat16, half}")
//       .Attr("data_format: {'NHWC', 'NCHW'} = 'NHWC'")
//       .SetShapeFn(BiasAddShape);
//
// Input/output specs: "name: float" (fixed type), "name: T" (type attr), "name:
// N * T", "name: Ref(T)", "name: Tlist" (list(type) attr). Attr specs: "name:
// int", "name: int = 1", "name: int >= 1", "name: type", "name: {float,
// int32}", "name: {float} = DT_FLOAT", "name: list(int) = []", "name: string =
// 'x'", "name: {'A', 'B'} = 'A'", "name: shape", "name: tensor", "name: bool =
// false", "name: float = 0.2".
#ifndef FLOWLET_SRC_GRAPH_OP_REGISTRY_H_
#define FLOWLET_SRC_GRAPH_OP_REGISTRY_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "src/graph/op_def.h"

namespace flowlet {

class OpRegistry {
 public:
  static OpRegistry* Global();

  // InvalidArgument if the name is taken or the def is malformed.
  absl::Status Register(OpDef def);
  // nullptr if unknown.
  const OpDef* Find(absl::string_view name) const;
  // NotFound "Op type not registered '<name>'" if unknown.
  absl::StatusOr<const OpDef*> Lookup(absl::string_view name) const;
  std::vector<std::string> OpNames() const;

 private:
  std::map<std::string, std::unique_ptr<OpDef>, std::less<>> ops_;
};

// Builds an OpDef from spec strings and registers it when the builder is
// destroyed at static initialization (so a malformed spec is a programmer error
// and aborts with a message).
class OpDefBuilder {
 public:
  explicit OpDefBuilder(std::string name);
  OpDefBuilder& Input(absl::string_view spec);
  OpDefBuilder& Output(absl::string_view spec);
  OpDefBuilder& Attr(absl::string_view spec);
  OpDefBuilder& SetShapeFn(ShapeFn fn);
  OpDefBuilder& SetIsStateful();
  // Parses the specs; InvalidArgument naming the bad spec.
  absl::StatusOr<OpDef> Build() const;

 private:
  OpDef def_;
  std::vector<std::string> inputs_, outputs_, attrs_;
};

namespace internal {
struct OpRegistrar {
  OpRegistrar(const OpDefBuilder& builder);  // NOLINT: used by the macro.
};
}  // namespace internal

#define FLOWLET_REGISTER_OP_UNIQ_HELPER(ctr, name) \
  FLOWLET_REGISTER_OP_UNIQ(ctr, name)
#define FLOWLET_REGISTER_OP_UNIQ(ctr, name)                            \
  static ::flowlet::internal::OpRegistrar flowlet_op_registrar_##ctr = \
      ::flowlet::OpDefBuilder(name)
#define FLOWLET_REGISTER_OP(name) \
  FLOWLET_REGISTER_OP_UNIQ_HELPER(__COUNTER__, name)

}  // namespace flowlet

#endif  // FLOWLET_SRC_GRAPH_OP_REGISTRY_H_
