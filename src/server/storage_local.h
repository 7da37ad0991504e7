// Local-disk Storage: temp file in the target directory (O_EXCL), write all, fsync, rename, fsync the directory.
#pragma once

#include <filesystem>

#include "server/storage.h"

namespace thumbgen::server {

class LocalStorage final : public Storage {
 public:
  // Creates root if missing.
  explicit LocalStorage(std::filesystem::path root);

  std::string put(std::string_view key, std::span<const std::uint8_t> bytes, std::string_view content_type) override;
  std::optional<std::filesystem::path> local_path(std::string_view key) const override;
  std::optional<std::string> read(std::string_view key) const override;
  // Regular files only: symbolic links (to files or folders) and temporary files are left out.
  void list(std::string_view prefix, const std::function<void(const StoredObject&)>& visit) const override;
  void remove(std::string_view key) override;
  // served_media_url(base_url, key).
  std::string public_url(std::string_view key, std::string_view base_url) const override;
  // The root is still a folder this process may list and write into.
  void check_reachable() const override;

  const std::filesystem::path& root() const { return root_; }

  // Removes the temporary files (".tmp-*") that puts interrupted by a crash left under root; returns how many.
  // For the start of the server, before any put: a put in progress has its temporary file too.
  std::size_t remove_stale_temp_files();

 private:
  std::filesystem::path root_;
};

}  // namespace thumbgen::server
