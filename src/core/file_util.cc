#include "src/core/file_util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"

namespace flowlet {
namespace {

absl::Status ErrnoStatus(const char* what, const std::string& path, int err) {
  std::string msg =
      absl::StrCat("cannot ", what, " '", path, "': ", std::strerror(err));
  switch (err) {
    case ENOENT:
      return absl::NotFoundError(msg);
    case EACCES:
    case EPERM:
    case EROFS:
      return absl::PermissionDeniedError(msg);
    case ENOSPC:
      return absl::ResourceExhaustedError(msg);
    default:
      return absl::InternalError(msg);
  }
}

int WriteAll(int fd, absl::string_view data) {
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

struct Crc32Table {
  uint32_t entries[256];
  constexpr Crc32Table() : entries() {
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      entries[i] = c;
    }
  }
};
constexpr Crc32Table kCrc32Table;

}  // namespace

uint32_t Crc32(absl::string_view data, uint32_t crc) {
  crc = ~crc;
  for (unsigned char b : data) {
    crc = kCrc32Table.entries[(crc ^ b) & 0xFF] ^ (crc >> 8);
  }
  return ~crc;
}

absl::StatusOr<std::string> ReadFileToString(const std::string& path,
                                             int64_t max_bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("open", path, errno);
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return ErrnoStatus("stat", path, err);
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return absl::InvalidArgumentError(
        absl::StrCat("'", path, "' is not a regular file"));
  }
  if (st.st_size > max_bytes) {
    ::close(fd);
    return absl::ResourceExhaustedError(
        absl::StrCat("'", path, "' has ", st.st_size,
                     " bytes, more than the limit of ", max_bytes));
  }
  std::string contents;
  contents.resize(static_cast<size_t>(st.st_size));
  size_t done = 0;
  while (done < contents.size()) {
    ssize_t n = ::read(fd, &contents[done], contents.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return ErrnoStatus("read", path, err);
    }
    if (n == 0) break;  // Shrunk while reading.
    done += static_cast<size_t>(n);
  }
  contents.resize(done);
  ::close(fd);
  return contents;
}

absl::Status WriteFileAtomically(const std::string& path,
                                 const std::string& contents) {
  const absl::string_view piece(contents);
  return WriteFileAtomically(path, absl::MakeConstSpan(&piece, 1));
}

absl::Status WriteFileAtomically(const std::string& path,
                                 absl::Span<const absl::string_view> pieces) {
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
  // O_CLOEXEC: a process started meanwhile by another thread does not keep
  // the temporary file open.
  int fd = ::mkostemp(name.data(), O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("create a temporary file for", path, errno);
  const std::string tmp(name.data());
  auto fail = [&](const char* what, int err) {
    if (fd >= 0) ::close(fd);
    ::unlink(tmp.c_str());
    return ErrnoStatus(what, path, err);
  };
  if (::fchmod(fd, 0644) != 0) return fail("set the mode of", errno);
  for (absl::string_view piece : pieces) {
    if (int err = WriteAll(fd, piece); err != 0) return fail("write", err);
  }
  if (::fsync(fd) != 0) return fail("sync", errno);
  int closed = ::close(fd);
  fd = -1;
  if (closed != 0) return fail("close", errno);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    return fail("rename a temporary file to", errno);
  }
  int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {  // Best effort: the file itself is complete either way.
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
  return absl::OkStatus();
}

}  // namespace flowlet
