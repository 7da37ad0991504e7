#include "server/data_folder.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <system_error>

namespace thumbgen::server {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail(const char* what, const fs::path& path) {
  throw fs::filesystem_error(what, path, std::error_code(errno, std::generic_category()));
}

}  // namespace

mode_t make_new_files_private() { return ::umask(077); }

void create_private_folder(const fs::path& folder) {
  fs::path path;
  for (const fs::path& part : folder) {
    path /= part;
    if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) fail("cannot create folder", path);
  }
  if (!fs::is_directory(folder))
    throw fs::filesystem_error("not a folder", folder, std::make_error_code(std::errc::not_a_directory));
}

void create_private_file(const fs::path& file) {
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd >= 0) {
    ::close(fd);
    return;
  }
  if (errno != EEXIST) fail("cannot create file", file);
}

std::vector<std::string> shared_catalogue_warnings(const fs::path& catalogue_file) {
  std::vector<std::string> warnings;
  for (const char* suffix : {"", "-wal", "-shm"}) {
    const fs::path path = catalogue_file.string() + suffix;
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0 || (info.st_mode & 077) == 0) continue;
    char mode[8];
    std::snprintf(mode, sizeof mode, "%03o", static_cast<unsigned>(info.st_mode & 0777));
    warnings.push_back(path.string() + " holds password hashes but is mode " + mode +
                       ": others on this machine may read it (chmod 600 " + path.string() + ")");
  }
  return warnings;
}

}  // namespace thumbgen::server
