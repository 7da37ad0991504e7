#include "server/orphan_sweep.h"

#include <charconv>
#include <ctime>
#include <string>
#include <vector>

namespace thumbgen::server {

std::size_t remove_orphaned_thumbnails(Storage& storage, Catalogue& catalogue, std::chrono::seconds min_age) {
  const std::int64_t written_before = static_cast<std::int64_t>(std::time(nullptr)) - min_age.count();
  std::vector<std::string> orphans;
  std::int64_t looked_up = -1;  // keys of one asset come together (sorted listings): one catalogue read per asset
  std::optional<std::string> current;
  storage.list("thumbs/", [&](const StoredObject& object) {
    const std::string_view key = object.key;
    const std::size_t slash = key.find('/', 7);
    if (slash == std::string_view::npos) return;
    const std::string_view id_text = key.substr(7, slash - 7);
    std::int64_t asset_id = 0;
    const auto [end, parsed] = std::from_chars(id_text.data(), id_text.data() + id_text.size(), asset_id);
    // Not a key thumbgen made ("thumbs/x/...", deeper folders): left alone.
    if (parsed != std::errc() || end != id_text.data() + id_text.size() || std::to_string(asset_id) != id_text ||
        key.find('/', slash + 1) != std::string_view::npos || !is_own_thumbnail_key(asset_id, key))
      return;
    if (object.modified_unix > written_before) return;
    if (asset_id != looked_up) {
      current = catalogue.thumbnail_of(asset_id);
      looked_up = asset_id;
    }
    if (key != current) orphans.push_back(object.key);
  });
  for (const std::string& key : orphans) storage.remove(key);
  return orphans.size();
}

}  // namespace thumbgen::server
