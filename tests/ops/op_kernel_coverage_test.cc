// Every op of //src/ops:ops is registered (alwayslink works) and has a kernel
// in
// //src/kernels:kernels, and each declares TensorFlow's attr names.
#include <map>
#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "src/graph/op_registry.h"
#include "src/kernels/op_kernel.h"

namespace flowlet {
namespace {

// TensorFlow's attrs of each op (names only; defaults are checked through the
// graph tests).
const std::map<std::string, std::set<std::string>>& ExpectedAttrs() {
  static const auto* attrs = new std::map<std::string, std::set<std::string>>{
      {"Placeholder", {"dtype", "shape"}},
      {"PlaceholderWithDefault", {"dtype", "shape"}},
      {"Const", {"value", "dtype"}},
      {"Identity", {"T"}},
      {"NoOp", {}},
      {"Shape", {"T", "out_type"}},
      {"StridedSlice",
       {"T", "Index", "begin_mask", "end_mask", "ellipsis_mask",
        "new_axis_mask", "shrink_axis_mask"}},
      {"Pack", {"N", "T", "axis"}},
      {"Reshape", {"T", "Tshape"}},
      {"Add", {"T"}},
      {"AddV2", {"T"}},
      {"Sub", {"T"}},
      {"Mul", {"T"}},
      {"RealDiv", {"T"}},
      {"Neg", {"T"}},
      {"Square", {"T"}},
      {"Sqrt", {"T"}},
      {"Sum", {"keep_dims", "T", "Tidx"}},
      {"Mean", {"keep_dims", "T", "Tidx"}},
      {"Fill", {"T", "index_type"}},
      {"Cast", {"SrcT", "DstT", "Truncate"}},
      {"VariableV2", {"shape", "dtype", "container", "shared_name"}},
      {"Assign", {"T", "validate_shape", "use_locking"}},
  };
  return *attrs;
}

TEST(OpKernelCoverage, EveryOpIsRegisteredWithAKernelAndTensorFlowsAttrs) {
  for (const auto& [name, attrs] : ExpectedAttrs()) {
    SCOPED_TRACE(name);
    const OpDef* def = OpRegistry::Global()->Find(name);
    ASSERT_NE(def, nullptr) << "op not registered";
    EXPECT_NE(KernelRegistry::Global()->Find(name), nullptr) << "no kernel";
    std::set<std::string> declared;
    for (const AttrDef& a : def->attrs) declared.insert(a.name);
    EXPECT_EQ(declared, attrs);
  }
}

TEST(OpKernelCoverage, InputAndOutputNamesAreTensorFlows) {
  const std::map<std::string,
                 std::pair<std::vector<std::string>, std::vector<std::string>>>
      args = {
          {"StridedSlice", {{"input", "begin", "end", "strides"}, {"output"}}},
          {"Sum", {{"input", "reduction_indices"}, {"output"}}},
          {"Fill", {{"dims", "value"}, {"output"}}},
          {"Reshape", {{"tensor", "shape"}, {"output"}}},
          {"Cast", {{"x"}, {"y"}}},
          {"AddV2", {{"x", "y"}, {"z"}}},
          {"Assign", {{"ref", "value"}, {"output_ref"}}},
          {"VariableV2", {{}, {"ref"}}},
          {"Pack", {{"values"}, {"output"}}},
      };
  for (const auto& [name, io] : args) {
    SCOPED_TRACE(name);
    const OpDef* def = OpRegistry::Global()->Find(name);
    ASSERT_NE(def, nullptr);
    std::vector<std::string> in, out;
    for (const ArgDef& a : def->inputs) in.push_back(a.name);
    for (const ArgDef& a : def->outputs) out.push_back(a.name);
    EXPECT_EQ(in, io.first);
    EXPECT_EQ(out, io.second);
  }
  EXPECT_TRUE(OpRegistry::Global()->Find("Assign")->inputs[0].is_ref);
  EXPECT_TRUE(OpRegistry::Global()->Find("Assign")->outputs[0].is_ref);
  EXPECT_TRUE(OpRegistry::Global()->Find("VariableV2")->outputs[0].is_ref);
}

}  // namespace
}  // namespace flowlet
