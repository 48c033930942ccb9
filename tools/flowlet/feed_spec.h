// Parsers of the flowlet tool's feed, fetch and name-list flags. Pure string
// parsing: nothing here touches files or graphs. Every error is
// InvalidArgument naming the spec and what was wrong (a usage error).
#ifndef FLOWLET_TOOLS_FLOWLET_FEED_SPEC_H_
#define FLOWLET_TOOLS_FLOWLET_FEED_SPEC_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "flowlet/resource_limits.h"
#include "flowlet/tensor_shape.h"

namespace flowlet {
namespace cli {

// Largest output index accepted in "node:index".
constexpr int64_t kMaxOutputIndex = 1 << 20;

// A tensor name "node" or "node:index" (index decimal, no sign, no leading
// zeros except "0"). Node names follow TensorFlow: [A-Za-z0-9.][A-Za-z0-9_./-]*
// (also '>' as TensorFlow allows).
struct TensorName {
  std::string node;
  int index = 0;
  // "node" for index 0, "node:index" otherwise.
  std::string ToString() const;
};
absl::StatusOr<TensorName> ParseTensorName(absl::string_view text);
// A node name only (targets, --outputs).
absl::Status ValidateNodeName(absl::string_view text);

// DIMS: "AxBxC" (e.g. 1x4x4x64), "scalar" for rank 0. Checked: rank <=
// limits.max_rank, each dim a decimal >= 0 without overflow, element count
// and element_size * elements without overflow and within
// limits.max_tensor_elements / max_tensor_bytes.
absl::StatusOr<TensorShape> ParseDims(absl::string_view text,
                                      const ResourceLimits& limits,
                                      int64_t element_size = 4);

struct FeedSpec {
  enum class Kind { kNpy, kNpz, kRandom, kFill };
  TensorName name;
  Kind kind = Kind::kNpy;
  std::string path;     // kNpy, kNpz
  std::string npz_key;  // kNpz
  TensorShape shape;    // kRandom, kFill
  uint64_t seed = 0;    // kRandom
  double fill_value = 0;
  std::string text;  // the whole spec, for messages
};
// One feed "NAME=VALUE" (the first '=' splits): VALUE is FILE.npy,
// FILE.npz[key], random:DIMS[:seed] or fill:VALUE:DIMS.
absl::StatusOr<FeedSpec> ParseFeed(absl::string_view text,
                                   const ResourceLimits& limits = {});
// Comma-separated feeds; names must be distinct. Empty input: no feeds.
absl::StatusOr<std::vector<FeedSpec>> ParseFeedList(
    absl::string_view text, const ResourceLimits& limits = {});

struct FetchSpec {
  TensorName name;
  std::string path;  // empty: summarize on stdout
};
// "NAME" or "NAME=FILE.npy" (the file must end in .npy).
absl::StatusOr<FetchSpec> ParseFetch(absl::string_view text);
// Comma-separated; output files must be distinct.
absl::StatusOr<std::vector<FetchSpec>> ParseFetchList(absl::string_view text);

// Comma-separated node names (targets, --outputs); empty input: none.
absl::StatusOr<std::vector<std::string>> ParseNodeList(absl::string_view text,
                                                       absl::string_view flag);

}  // namespace cli
}  // namespace flowlet

#endif  // FLOWLET_TOOLS_FLOWLET_FEED_SPEC_H_
