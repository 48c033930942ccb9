// Graph files: GraphDef / MetaGraphDef, binary or text, written atomically and
// read with bounded nesting.
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
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

absl::Status WriteMessage(const google::protobuf::Message& message,
                          const std::string& path) {
  std::string contents;
  if (IsTextPath(path)) {
    google::protobuf::TextFormat::Printer printer;
    if (!printer.PrintToString(message, &contents)) {
      return absl::InternalError(
          absl::StrCat("cannot print '", path, "' as text"));
    }
  } else {
    if (message.ByteSizeLong() > static_cast<size_t>(INT_MAX)) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "cannot write '", path, "': the graph is over 2 GiB serialized"));
    }
    contents = SerializeDeterministic(message);
  }
  return WriteFileAtomically(path, contents);
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
