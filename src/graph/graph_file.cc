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
#include "src/core/status_macros.h"

namespace flowlet {
namespace {

bool IsTextPath(const std::string& path) {
  return absl::EndsWith(path, ".pbtxt") || absl::EndsWith(path, ".txt");
}

absl::Status IoError(const std::string& what, const std::string& path,
                     int err) {
  return absl::ErrnoToStatus(err,
                             absl::StrCat("cannot ", what, " '", path, "'"));
}

// 0 or the errno of the failed write.
int WriteAll(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    done += static_cast<size_t>(n);
  }
  return 0;
}

// Writes `contents` to a new temporary file next to `path`, syncs it and
// renames it over `path`, then syncs the directory. On failure the temporary
// file is removed.
absl::Status WriteFileAtomically(const std::string& path,
                                 const std::string& contents) {
  if (path.empty() || path.back() == '/') {
    return absl::InvalidArgumentError(
        absl::StrCat("'", path, "' is not a file path"));
  }
  const size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos
                              ? "."
                              : (slash == 0 ? "/" : path.substr(0, slash));
  const std::string base =
      slash == std::string::npos ? path : path.substr(slash + 1);
  std::string tmpl = absl::StrCat(dir, "/.", base, ".tmp.XXXXXX");
  std::vector<char> name(tmpl.begin(), tmpl.end());
  name.push_back('\0');
  int fd = ::mkstemp(name.data());
  if (fd < 0) return IoError("create a temporary file for", path, errno);
  const std::string tmp(name.data());
  auto fail = [&](const char* what, int err) {
    if (fd >= 0) ::close(fd);
    ::unlink(tmp.c_str());
    return IoError(what, path, err);
  };
  if (::fchmod(fd, 0644) != 0) return fail("set the mode of", errno);
  if (int err = WriteAll(fd, contents); err != 0) return fail("write", err);
  if (::fsync(fd) != 0) return fail("sync", errno);
  int closed = ::close(fd);
  fd = -1;
  if (closed != 0) return fail("close", errno);
  if (::rename(tmp.c_str(), path.c_str()) != 0)
    return fail("rename a temporary file to", errno);
  int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (dir_fd >= 0) {  // Best effort: the file itself is complete either way.
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
  return absl::OkStatus();
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

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return IoError("open", path, errno);
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return IoError("stat", path, err);
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return absl::InvalidArgumentError(
        absl::StrCat("'", path, "' is not a regular file"));
  }
  if (st.st_size > INT_MAX) {
    ::close(fd);
    return absl::ResourceExhaustedError(
        absl::StrCat("'", path, "' has ", st.st_size,
                     " bytes; graph files are limited to 2 GiB"));
  }
  std::string data;
  data.resize(static_cast<size_t>(st.st_size));
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::read(fd, &data[done], data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return IoError("read", path, err);
    }
    if (n == 0) break;  // Shrunk while reading.
    done += static_cast<size_t>(n);
  }
  data.resize(done);
  ::close(fd);
  return data;
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
