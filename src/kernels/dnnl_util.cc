#include "src/kernels/dnnl_util.h"

#include "absl/strings/str_cat.h"

namespace flowlet {
namespace dnnl_util {

absl::Status CheckEngine(const KernelResources* resources) {
  if (resources == nullptr || resources->engine == nullptr ||
      resources->stream == nullptr) {
    return absl::FailedPreconditionError(
        "kernel needs a oneDNN engine and stream (KernelResources::engine / "
        "stream are null)");
  }
  return absl::OkStatus();
}

dnnl::memory::desc PlainF32Desc(const dnnl::memory::dims& dims) {
  dnnl::memory::dims d = dims.empty() ? dnnl::memory::dims{1} : dims;
  dnnl::memory::dims strides(d.size(), 1);
  for (int i = static_cast<int>(d.size()) - 2; i >= 0; --i) {
    strides[i] = strides[i + 1] * (d[i + 1] > 0 ? d[i + 1] : 1);
  }
  return dnnl::memory::desc(d, dnnl::memory::data_type::f32, strides);
}

absl::Status FromDnnlError(const dnnl::error& e, absl::string_view what) {
  return absl::InternalError(absl::StrCat(what, " failed: ", e.what(),
                                          " (status ",
                                          static_cast<int>(e.status), ")"));
}

}  // namespace dnnl_util
}  // namespace flowlet
