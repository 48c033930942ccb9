#include "tools/flowlet/feed_spec.h"

#include <cmath>
#include <cstdlib>
#include <limits>
#include <set>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace flowlet {
namespace cli {
namespace {

absl::Status Bad(absl::string_view what, absl::string_view text,
                 absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(what, " '", text, "': ", why));
}

bool IsNodeChar(char c, bool first) {
  if (absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.')
    return true;
  return !first && (c == '_' || c == '/' || c == '-' || c == '>');
}

// A non-negative decimal without sign; false on overflow or junk.
bool ParseDecimal(absl::string_view s, int64_t max, int64_t* out) {
  if (s.empty() || s.size() > 19) return false;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    // v * 10 + digit > max, checked without overflowing.
    if (v > max / 10 || v * 10 > max - (c - '0')) return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

}  // namespace

std::string TensorName::ToString() const {
  return index == 0 ? node : absl::StrCat(node, ":", index);
}

absl::Status ValidateNodeName(absl::string_view text) {
  if (text.empty()) return Bad("name", text, "empty node name");
  for (size_t i = 0; i < text.size(); ++i) {
    if (!IsNodeChar(text[i], i == 0)) {
      return Bad(
          "name", text,
          absl::StrCat("invalid character '", std::string(1, text[i]),
                       "' at position ", i,
                       " (node names are [A-Za-z0-9.][A-Za-z0-9_./-]*)"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<TensorName> ParseTensorName(absl::string_view text) {
  TensorName out;
  size_t colon = text.rfind(':');
  absl::string_view node = text;
  if (colon != absl::string_view::npos) {
    node = text.substr(0, colon);
    absl::string_view index = text.substr(colon + 1);
    int64_t v = 0;
    if (!ParseDecimal(index, kMaxOutputIndex, &v) ||
        (index.size() > 1 && index[0] == '0')) {
      return Bad("tensor name", text,
                 absl::StrCat("output index '", index,
                              "' is not a decimal in 0..", kMaxOutputIndex));
    }
    out.index = static_cast<int>(v);
  }
  if (absl::Status s = ValidateNodeName(node); !s.ok())
    return Bad("tensor name", text, s.message());
  out.node = std::string(node);
  return out;
}

absl::StatusOr<TensorShape> ParseDims(absl::string_view text,
                                      const ResourceLimits& limits,
                                      int64_t element_size) {
  if (text == "scalar") return TensorShape();
  if (text.empty())
    return Bad("dims", text, "empty (write e.g. 1x4x4x64, or 'scalar')");
  std::vector<absl::string_view> parts = absl::StrSplit(text, 'x');
  if (static_cast<int64_t>(parts.size()) > limits.max_rank) {
    return Bad("dims", text,
               absl::StrCat("rank ", parts.size(), " exceeds the limit ",
                            limits.max_rank));
  }
  std::vector<int64_t> dims;
  int64_t elements = 1;
  for (absl::string_view p : parts) {
    int64_t d = 0;
    if (!ParseDecimal(p, std::numeric_limits<int64_t>::max() / 10, &d)) {
      return Bad("dims", text,
                 absl::StrCat("dimension '", p,
                              "' is not a non-negative decimal integer"));
    }
    if (d > limits.max_tensor_elements) {
      return Bad("dims", text,
                 absl::StrCat("dimension ", d, " exceeds the element limit ",
                              limits.max_tensor_elements));
    }
    // elements <= max_tensor_elements and d <= max_tensor_elements: check the
    // product without overflow.
    if (d != 0 && elements > limits.max_tensor_elements / d) {
      return Bad(
          "dims", text,
          absl::StrCat("more than ", limits.max_tensor_elements, " elements"));
    }
    elements *= d;
    dims.push_back(d);
  }
  if (element_size > 0 && elements > limits.max_tensor_bytes / element_size) {
    return Bad("dims", text,
               absl::StrCat(elements, " elements of ", element_size,
                            " bytes exceed the limit of ",
                            limits.max_tensor_bytes, " bytes"));
  }
  return TensorShape(std::move(dims));
}

absl::StatusOr<FeedSpec> ParseFeed(absl::string_view text,
                                   const ResourceLimits& limits) {
  FeedSpec spec;
  spec.text = std::string(text);
  size_t eq = text.find('=');
  if (eq == absl::string_view::npos)
    return Bad("feed", text, "expected NAME=VALUE");
  absl::StatusOr<TensorName> name = ParseTensorName(text.substr(0, eq));
  if (!name.ok()) return Bad("feed", text, name.status().message());
  spec.name = *name;
  absl::string_view value = text.substr(eq + 1);
  if (value.empty()) return Bad("feed", text, "empty value");
  if (absl::ConsumePrefix(&value, "random:")) {
    spec.kind = FeedSpec::Kind::kRandom;
    absl::string_view dims = value;
    size_t colon = value.find(':');
    if (colon != absl::string_view::npos) {
      dims = value.substr(0, colon);
      absl::string_view seed = value.substr(colon + 1);
      int64_t v = 0;
      if (!ParseDecimal(seed, std::numeric_limits<int64_t>::max() / 10, &v)) {
        return Bad("feed", text,
                   absl::StrCat("seed '", seed,
                                "' is not a non-negative decimal integer"));
      }
      spec.seed = static_cast<uint64_t>(v);
    }
    absl::StatusOr<TensorShape> shape = ParseDims(dims, limits);
    if (!shape.ok()) return Bad("feed", text, shape.status().message());
    spec.shape = *shape;
    return spec;
  }
  if (absl::ConsumePrefix(&value, "fill:")) {
    spec.kind = FeedSpec::Kind::kFill;
    size_t colon = value.find(':');
    if (colon == absl::string_view::npos)
      return Bad("feed", text, "expected fill:VALUE:DIMS");
    std::string number(value.substr(0, colon));
    double v = 0;
    if (number == "true") {
      v = 1;
    } else if (number == "false") {
      v = 0;
    } else if (number == "nan") {
      v = std::numeric_limits<double>::quiet_NaN();
    } else if (!absl::SimpleAtod(number, &v) || number.empty()) {
      return Bad("feed", text,
                 absl::StrCat("fill value '", number, "' is not a number"));
    }
    spec.fill_value = v;
    absl::StatusOr<TensorShape> shape =
        ParseDims(value.substr(colon + 1), limits);
    if (!shape.ok()) return Bad("feed", text, shape.status().message());
    spec.shape = *shape;
    return spec;
  }
  if (absl::EndsWith(value, "]")) {
    size_t open = value.find('[');
    if (open == absl::string_view::npos || open == 0)
      return Bad("feed", text, "expected FILE.npz[key]");
    spec.kind = FeedSpec::Kind::kNpz;
    spec.path = std::string(value.substr(0, open));
    spec.npz_key = std::string(value.substr(open + 1, value.size() - open - 2));
    if (!absl::EndsWith(spec.path, ".npz"))
      return Bad("feed", text, "FILE[key] needs a .npz file");
    if (spec.npz_key.empty()) return Bad("feed", text, "empty .npz key");
    return spec;
  }
  if (absl::EndsWith(value, ".npz"))
    return Bad("feed", text, "a .npz feed needs a key: FILE.npz[key]");
  if (!absl::EndsWith(value, ".npy")) {
    return Bad("feed", text,
               "value must be FILE.npy, FILE.npz[key], random:DIMS[:seed] or "
               "fill:VALUE:DIMS");
  }
  spec.kind = FeedSpec::Kind::kNpy;
  spec.path = std::string(value);
  return spec;
}

absl::StatusOr<std::vector<FeedSpec>> ParseFeedList(
    absl::string_view text, const ResourceLimits& limits) {
  std::vector<FeedSpec> feeds;
  if (text.empty()) return feeds;
  std::set<std::string> seen;
  for (absl::string_view part : absl::StrSplit(text, ',')) {
    absl::StatusOr<FeedSpec> f = ParseFeed(part, limits);
    if (!f.ok()) return f.status();
    if (!seen.insert(f->name.ToString()).second)
      return Bad("feed", part, "this tensor is fed twice");
    feeds.push_back(*std::move(f));
  }
  return feeds;
}

absl::StatusOr<FetchSpec> ParseFetch(absl::string_view text) {
  FetchSpec spec;
  size_t eq = text.find('=');
  absl::StatusOr<TensorName> name = ParseTensorName(text.substr(0, eq));
  if (!name.ok()) return Bad("fetch", text, name.status().message());
  spec.name = *name;
  if (eq != absl::string_view::npos) {
    spec.path = std::string(text.substr(eq + 1));
    if (spec.path.empty()) return Bad("fetch", text, "empty output file");
    if (!absl::EndsWith(spec.path, ".npy"))
      return Bad("fetch", text, "the output file must end in .npy");
  }
  return spec;
}

absl::StatusOr<std::vector<FetchSpec>> ParseFetchList(absl::string_view text) {
  std::vector<FetchSpec> fetches;
  if (text.empty()) return fetches;
  std::set<std::string> files;
  for (absl::string_view part : absl::StrSplit(text, ',')) {
    absl::StatusOr<FetchSpec> f = ParseFetch(part);
    if (!f.ok()) return f.status();
    if (!f->path.empty() && !files.insert(f->path).second)
      return Bad("fetch", part, "this output file is written twice");
    fetches.push_back(*std::move(f));
  }
  return fetches;
}

absl::StatusOr<std::vector<std::string>> ParseNodeList(absl::string_view text,
                                                       absl::string_view flag) {
  std::vector<std::string> names;
  if (text.empty()) return names;
  std::set<std::string> seen;
  for (absl::string_view part : absl::StrSplit(text, ',')) {
    if (absl::Status s = ValidateNodeName(part); !s.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", flag, ": ", s.message()));
    }
    if (seen.insert(std::string(part)).second)
      names.push_back(std::string(part));
  }
  return names;
}

}  // namespace cli
}  // namespace flowlet
