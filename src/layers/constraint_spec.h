// The canonical spec texts of the built-in constraints (Constraint::spec).
#ifndef FLOWLET_SRC_LAYERS_CONSTRAINT_SPEC_H_
#define FLOWLET_SRC_LAYERS_CONSTRAINT_SPEC_H_

#include <string>
#include <vector>

namespace flowlet {
namespace constraint_spec {

// "max_norm(max_value=2,axis=0)"; axis lists of other lengths in brackets:
// "axis=[0,1,2]", "axis=[]".
std::string MaxNorm(double max_value, const std::vector<int>& axis);
// "non_neg()".
std::string NonNeg();
// "unit_norm(axis=0)".
std::string UnitNorm(const std::vector<int>& axis);
// "min_max_norm(min_value=0,max_value=1,rate=1,axis=0)".
std::string MinMaxNorm(double min_value, double max_value, double rate,
                       const std::vector<int>& axis);
// "radial_constraint()".
std::string Radial();

}  // namespace constraint_spec
}  // namespace flowlet

#endif  // FLOWLET_SRC_LAYERS_CONSTRAINT_SPEC_H_
