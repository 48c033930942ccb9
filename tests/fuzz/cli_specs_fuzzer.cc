// Fuzz target: the flowlet tool's flag parsers (tools/flowlet/feed_spec.h).
// Each line of the input goes through every parser, and the whole input
// through the list parsers. Accepted names must print back to themselves.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "tests/fuzz/fuzz_util.h"
#include "tools/flowlet/feed_spec.h"

namespace {

void Check(bool ok, const char* what, absl::string_view input) {
  if (!ok) {
    std::fprintf(stderr, "cli_specs_fuzzer: invariant violated: %s on '%.*s'\n",
                 what, static_cast<int>(input.size()), input.data());
    std::abort();
  }
}

void ParseAll(absl::string_view text, const flowlet::ResourceLimits& limits) {
  namespace cli = flowlet::cli;
  absl::StatusOr<cli::TensorName> name = cli::ParseTensorName(text);
  if (name.ok()) {
    absl::StatusOr<cli::TensorName> again =
        cli::ParseTensorName(name->ToString());
    Check(
        again.ok() && again->node == name->node && again->index == name->index,
        "TensorName round trip", text);
    Check(name->index >= 0 && name->index <= cli::kMaxOutputIndex,
          "output index in range", text);
  }
  cli::ValidateNodeName(text).IgnoreError();
  for (int64_t element_size :
       {int64_t{0}, int64_t{1}, int64_t{4}, int64_t{8}}) {
    absl::StatusOr<flowlet::TensorShape> dims =
        cli::ParseDims(text, limits, element_size);
    if (dims.ok()) {
      Check(dims->rank() <= limits.max_rank, "dims rank", text);
      Check(dims->IsFullyDefined(), "dims fully defined", text);
      Check(dims->num_elements() <= limits.max_tensor_elements,
            "dims element count", text);
    }
  }
  absl::StatusOr<cli::FeedSpec> feed = cli::ParseFeed(text, limits);
  if (feed.ok()) {
    Check(feed->shape.num_elements() <= limits.max_tensor_elements,
          "feed element count", text);
    for (int64_t d : feed->shape.dims()) Check(d >= 0, "feed dims >= 0", text);
    // random:DIMS:SEED keeps the seed's value: its decimal text without
    // leading zeros.
    const size_t random = text.find("=random:");
    const size_t colon =
        random == absl::string_view::npos ? random : text.rfind(':');
    if (feed->kind == cli::FeedSpec::Kind::kRandom && colon > random + 7) {
      absl::string_view digits = text.substr(colon + 1);
      while (digits.size() > 1 && digits[0] == '0') digits.remove_prefix(1);
      Check(absl::StrCat(feed->seed) == digits, "random seed value", text);
    }
  }
  cli::ParseFetch(text).IgnoreError();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const flowlet::ResourceLimits limits = flowlet::fuzz::FuzzLimits();
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<absl::string_view> lines = absl::StrSplit(input, '\n');
  for (absl::string_view line : lines) ParseAll(line, limits);
  namespace cli = flowlet::cli;
  cli::ParseFeedList(input, limits).IgnoreError();
  cli::ParseFetchList(input).IgnoreError();
  cli::ParseNodeList(input, "target").IgnoreError();
  for (absl::string_view line : lines) {
    cli::ParseFeedList(line, limits).IgnoreError();
    cli::ParseFetchList(line).IgnoreError();
    cli::ParseNodeList(line, "outputs").IgnoreError();
  }
  return 0;
}
