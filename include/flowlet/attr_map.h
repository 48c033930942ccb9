// AttrMap: a node's attributes, TensorFlow's AttrValue keyed and ordered by
// name.
#ifndef FLOWLET_ATTR_MAP_H_
#define FLOWLET_ATTR_MAP_H_

#include <map>
#include <string>

#include "proto/attr_value.pb.h"

namespace flowlet {

// Ordered by name, so serialization is byte-stable.
using AttrMap = std::map<std::string, tensorflow::AttrValue, std::less<>>;

}  // namespace flowlet

#endif  // FLOWLET_ATTR_MAP_H_
