// Thumbnails stored without the catalogue pointing at them: an upload stores the object first and switches the
// asset's pointer after, so a failed database update (or a crash in between) leaves the object behind. Swept at the
// start of `serve`.
#pragma once

#include <chrono>
#include <cstddef>

#include "server/catalogue.h"
#include "server/storage.h"

namespace thumbgen::server {

// Removes every stored thumbnail (thumbs/<asset id>/...) that is not its asset's current thumbnail, and those of
// assets that no longer exist, unless it was written less than `min_age` ago: on a bucket other servers share, an
// object that young may belong to an upload whose pointer switch has not committed yet. Returns how many were
// removed.
std::size_t remove_orphaned_thumbnails(Storage& storage, Catalogue& catalogue,
                                       std::chrono::seconds min_age = std::chrono::seconds(0));

}  // namespace thumbgen::server
