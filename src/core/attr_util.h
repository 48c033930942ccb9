// Typed access to node attributes (tensorflow.AttrValue) and builders for them.
#ifndef FLOWLET_SRC_CORE_ATTR_UTIL_H_
#define FLOWLET_SRC_CORE_ATTR_UTIL_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "flowlet/attr_map.h"
#include "flowlet/tensor.h"
#include "flowlet/tensor_shape.h"
#include "flowlet/types.h"
#include "proto/attr_value.pb.h"

namespace flowlet {

// Each getter returns InvalidArgument naming the attr when it is missing or of
// another kind.
absl::Status GetAttr(const AttrMap& attrs, absl::string_view name,
                     int64_t* out);
absl::Status GetAttr(const AttrMap& attrs, absl::string_view name, int* out);
absl::Status GetAttr(const AttrMap& attrs, absl::string_view name, float* out);
absl::Status GetAttr(const AttrMap& attrs, absl::string_view name, bool* out);
absl::Status GetAttr(const AttrMap& attrs, absl::string_view name,
                     std::string* out);
absl::Status GetAttr(const AttrMap& attrs, absl::string_view name,
                     DataType* out);
absl::Status GetAttr(const AttrMap& attrs, absl::string_view name,
                     TensorShape* out);
absl::Status GetAttr(const AttrMap& attrs, absl::string_view name,
                     std::vector<int64_t>* out);
absl::Status GetAttr(const AttrMap& attrs, absl::string_view name,
                     std::vector<int>* out);
absl::Status GetAttr(const AttrMap& attrs, absl::string_view name,
                     std::vector<float>* out);
absl::Status GetAttr(const AttrMap& attrs, absl::string_view name,
                     std::vector<DataType>* out);
absl::Status GetAttr(const AttrMap& attrs, absl::string_view name,
                     const tensorflow::TensorProto** out);

tensorflow::AttrValue AttrInt(int64_t v);
tensorflow::AttrValue AttrFloat(float v);
tensorflow::AttrValue AttrBool(bool v);
tensorflow::AttrValue AttrString(absl::string_view v);
tensorflow::AttrValue AttrType(DataType v);
tensorflow::AttrValue AttrShape(const TensorShape& v);
tensorflow::AttrValue AttrIntList(const std::vector<int64_t>& v);
tensorflow::AttrValue AttrFloatList(const std::vector<float>& v);
tensorflow::AttrValue AttrTypeList(const std::vector<DataType>& v);
tensorflow::AttrValue AttrTensor(const Tensor& v);

// TensorShape <-> TensorShapeProto. Untrusted protos go through
// CheckedShapeFromProto (src/core/shape_checks.h) instead when the shape will
// be allocated.
TensorShape ShapeFromProto(const tensorflow::TensorShapeProto& proto);
void ShapeToProto(const TensorShape& shape,
                  tensorflow::TensorShapeProto* proto);

}  // namespace flowlet

#endif  // FLOWLET_SRC_CORE_ATTR_UTIL_H_
