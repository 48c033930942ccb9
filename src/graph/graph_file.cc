// Graph files: GraphDef / MetaGraphDef, binary or text, written atomically
// (binary ones with an integrity record) and read with bounded nesting.
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "flowlet/serialization.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/stubs/logging.h"
#include "google/protobuf/text_format.h"
#include "src/core/file_util.h"
#include "src/core/status_macros.h"

namespace flowlet {
namespace {

bool IsTextPath(const std::string& path) {
  return absl::EndsWith(path, ".pbtxt") || absl::EndsWith(path, ".txt");
}

// Binary graph files written by flowlet start with an integrity record: a
// length-delimited field of a number no schema uses (protobuf parsers,
// TensorFlow's included, skip it as unknown) holding "FLWI", version 1, the
// byte count (8 bytes) and the CRC-32 (4 bytes) of the serialized graph that
// follows. ReadGraphFile checks both when a file has the record (files from
// TensorFlow have none), so a truncated or corrupted file is refused instead of
// parsing as a smaller or different graph.
constexpr uint64_t kIntegrityField = 536870000;  // Below 2^29 - 1.
constexpr char kIntegrityMagic[] = "FLWI";
constexpr size_t kIntegrityPayload = 4 + 1 + 8 + 4;

void PutVarint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

// The record's bytes up to its payload: tag (field, wire type 2) and length.
const std::string& IntegrityPrefix() {
  static const std::string* const prefix = [] {
    auto* p = new std::string;
    PutVarint(kIntegrityField << 3 | 2, p);
    PutVarint(kIntegrityPayload, p);
    return p;
  }();
  return *prefix;
}

std::string IntegrityRecord(absl::string_view graph) {
  std::string record = IntegrityPrefix();
  record.append(kIntegrityMagic, 4);
  record.push_back(1);
  for (int i = 0; i < 8; ++i) {
    record.push_back(static_cast<char>(uint64_t{graph.size()} >> (8 * i)));
  }
  const uint32_t crc = Crc32(graph);
  for (int i = 0; i < 4; ++i)
    record.push_back(static_cast<char>(crc >> (8 * i)));
  return record;
}

uint64_t GetLE(absl::string_view b, size_t at, int n) {
  uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i) {
    v = (v << 8) | static_cast<unsigned char>(b[at + i]);
  }
  return v;
}

// Checks and removes the integrity record of `data` when it starts with one.
absl::Status CheckIntegrity(const std::string& path, std::string* data) {
  const std::string& prefix = IntegrityPrefix();
  if (data->compare(0, prefix.size(), prefix) != 0) return absl::OkStatus();
  const size_t header = prefix.size() + kIntegrityPayload;
  if (data->size() < header) {
    return absl::DataLossError(absl::StrCat(
        "'", path, "' is truncated: it ends inside its integrity record (",
        data->size(), " of ", header, " bytes)"));
  }
  const absl::string_view payload =
      absl::string_view(*data).substr(prefix.size(), kIntegrityPayload);
  if (payload.substr(0, 4) != kIntegrityMagic || payload[4] != 1) {
    return absl::DataLossError(absl::StrCat(
        "'", path, "' is corrupt: its integrity record is malformed"));
  }
  const uint64_t size = GetLE(payload, 5, 8);
  const uint32_t crc = static_cast<uint32_t>(GetLE(payload, 13, 4));
  const absl::string_view graph = absl::string_view(*data).substr(header);
  if (graph.size() != size) {
    return absl::DataLossError(absl::StrCat(
        "'", path, "' is ", graph.size() < size ? "truncated" : "corrupt",
        ": its integrity record declares ", size, " bytes of graph but ",
        graph.size(), " follow it"));
  }
  const uint32_t actual = Crc32(graph);
  if (actual != crc) {
    return absl::DataLossError(absl::StrCat(
        "'", path, "' is corrupt: the CRC-32 of its graph bytes is ",
        absl::Hex(actual, absl::kZeroPad8), ", its integrity record says ",
        absl::Hex(crc, absl::kZeroPad8)));
  }
  data->erase(0, header);
  return absl::OkStatus();
}

absl::Status WriteMessage(const google::protobuf::Message& message,
                          const std::string& path) {
  if (IsTextPath(path)) {
    std::string contents;
    google::protobuf::TextFormat::Printer printer;
    if (!printer.PrintToString(message, &contents)) {
      return absl::InternalError(
          absl::StrCat("cannot print '", path, "' as text"));
    }
    return WriteFileAtomically(path, contents);
  }
  if (message.ByteSizeLong() > static_cast<size_t>(INT_MAX)) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "cannot write '", path, "': the graph is over 2 GiB serialized"));
  }
  const std::string graph = SerializeDeterministic(message);
  const std::string record = IntegrityRecord(graph);
  const absl::string_view pieces[] = {record, graph};
  return WriteFileAtomically(path, pieces);
}

// Graph files are limited to 2 GiB (protobuf's message size limit).
absl::StatusOr<std::string> ReadFile(const std::string& path) {
  return ReadFileToString(path, INT_MAX);
}

// Speculative: a binary GraphDef parsed as a MetaGraphDef may put non-UTF-8
// bytes in a string field, which protobuf logs as an error; the silencer keeps
// such attempts quiet.
bool ParseBinary(const std::string& data, int nesting,
                 google::protobuf::Message* message) {
  google::protobuf::LogSilencer quiet;
  google::protobuf::io::ArrayInputStream stream(data.data(),
                                                static_cast<int>(data.size()));
  google::protobuf::io::CodedInputStream coded(&stream);
  coded.SetRecursionLimit(nesting);
  return message->ParseFromCodedStream(&coded) && coded.ConsumedEntireMessage();
}

class FirstError : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, google::protobuf::io::ColumnNumber column,
                const std::string& message) override {
    if (text.empty())
      text = absl::StrCat("line ", line + 1, " column ", column + 1, ": ",
                          message);
  }
  std::string text;
};

// Unknown fields are skipped: TensorFlow writes fields flowlet's schema leaves
// out (stripped_op_list, experimental_debug_info, ...).
bool ParseText(const std::string& data, int nesting,
               google::protobuf::Message* message, std::string* error) {
  FirstError errors;
  google::protobuf::TextFormat::Parser parser;
  parser.RecordErrorsTo(&errors);
  parser.AllowUnknownField(true);
  parser.SetRecursionLimit(nesting);
  if (parser.ParseFromString(data, message)) return true;
  *error = errors.text.empty() ? "malformed" : errors.text;
  return false;
}

// A graph with nodes that all have a name and an op. A binary GraphDef can
// happen to parse as a MetaGraphDef (and the reverse); its nodes then come out
// without ops.
bool HasNamedNodes(const tensorflow::GraphDef& graph_def) {
  if (graph_def.node_size() == 0) return false;
  for (const tensorflow::NodeDef& node : graph_def.node()) {
    if (node.name().empty() || node.op().empty()) return false;
  }
  return true;
}

}  // namespace

absl::Status WriteGraphDefFile(const Graph& graph, const std::string& path) {
  tensorflow::GraphDef graph_def;
  FLOWLET_RETURN_IF_ERROR(ExportGraphDef(graph, &graph_def));
  return WriteMessage(graph_def, path);
}

absl::Status WriteMetaGraphFile(const Graph& graph, const std::string& path) {
  tensorflow::MetaGraphDef meta;
  FLOWLET_RETURN_IF_ERROR(ExportMetaGraphDef(graph, &meta));
  return WriteMessage(meta, path);
}

absl::StatusOr<tensorflow::MetaGraphDef> ReadGraphFile(
    const std::string& path, const ResourceLimits& limits) {
  FLOWLET_ASSIGN_OR_RETURN(std::string data, ReadFile(path));
  FLOWLET_RETURN_IF_ERROR(CheckIntegrity(path, &data));
  if (data.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("'", path, "' is empty"));
  }
  const int nesting = limits.max_proto_nesting;

  auto no_graph = [&] {
    return absl::InvalidArgumentError(absl::StrCat(
        "'", path,
        "' holds no graph: no nodes (an empty GraphDef or MetaGraphDef)"));
  };

  tensorflow::MetaGraphDef meta;
  const bool meta_binary = ParseBinary(data, nesting, &meta);
  if (meta_binary && HasNamedNodes(meta.graph_def())) return meta;
  const bool meta_binary_without_nodes =
      meta_binary && meta.has_graph_def() && meta.graph_def().node_size() == 0;
  std::string meta_text_error;
  meta.Clear();
  if (ParseText(data, nesting, &meta, &meta_text_error) &&
      HasNamedNodes(meta.graph_def())) {
    return meta;
  }

  tensorflow::GraphDef graph_def;
  bool parsed =
      ParseBinary(data, nesting, &graph_def) && HasNamedNodes(graph_def);
  std::string graph_text_error;
  if (!parsed) {
    graph_def.Clear();
    parsed = ParseText(data, nesting, &graph_def, &graph_text_error);
    if (parsed && graph_def.node_size() == 0) return no_graph();
  }
  if (!parsed && meta_binary_without_nodes) return no_graph();
  if (!parsed) {
    return absl::InvalidArgumentError(absl::StrCat(
        "'", path,
        "' is not a GraphDef or MetaGraphDef, binary or text (binary: "
        "malformed or nested deeper than ",
        nesting, " levels; text as MetaGraphDef: ",
        meta_text_error.empty() ? "no graph" : meta_text_error,
        "; text as GraphDef: ", graph_text_error, ")"));
  }
  tensorflow::MetaGraphDef wrapped;
  *wrapped.mutable_graph_def() = std::move(graph_def);
  return wrapped;
}

}  // namespace flowlet
