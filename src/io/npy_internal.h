// Shared between npy.cc and npz.cc.
#ifndef FLOWLET_SRC_IO_NPY_INTERNAL_H_
#define FLOWLET_SRC_IO_NPY_INTERNAL_H_

#include "flowlet/types.h"

namespace flowlet {
namespace io {
namespace internal {

// numpy's descr for `dtype` ("<f4"), or nullptr if .npy cannot hold it
// directly (bfloat16 is widened to float32 by SerializeNpy).
const char* NpyDescr(DataType dtype);

}  // namespace internal
}  // namespace io
}  // namespace flowlet

#endif  // FLOWLET_SRC_IO_NPY_INTERNAL_H_
