#include "server/orphan_sweep.h"

#include <charconv>
#include <filesystem>
#include <string>
#include <vector>

namespace thumbgen::server {

std::size_t remove_orphaned_thumbnails(LocalStorage& storage, Catalogue& catalogue) {
  namespace fs = std::filesystem;
  std::vector<std::string> orphans;
  std::error_code error;
  for (const fs::directory_entry& folder : fs::directory_iterator(storage.root() / "thumbs", error)) {
    const std::string id_text = folder.path().filename().string();
    std::int64_t asset_id = 0;
    const auto [end, parsed] = std::from_chars(id_text.data(), id_text.data() + id_text.size(), asset_id);
    if (parsed != std::errc() || end != id_text.data() + id_text.size() || folder.is_symlink(error) ||
        !folder.is_directory(error))
      continue;  // not a folder thumbgen made: left alone
    const std::optional<std::string> current = catalogue.thumbnail_of(asset_id);
    for (const fs::directory_entry& file : fs::directory_iterator(folder.path(), error)) {
      const std::string key = "thumbs/" + id_text + "/" + file.path().filename().string();
      if (file.path().filename().string().starts_with(".tmp-") || !file.is_regular_file(error) ||
          !is_own_thumbnail_key(asset_id, key))
        continue;
      if (key != current) orphans.push_back(key);
    }
  }
  for (const std::string& key : orphans) storage.remove(key);
  return orphans.size();
}

}  // namespace thumbgen::server
