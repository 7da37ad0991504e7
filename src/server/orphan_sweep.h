// Thumbnails stored without the catalogue pointing at them: an upload stores the file first and switches the
// asset's pointer after, so a failed database update (or a crash in between) leaves the file behind. Swept at the
// start of `serve`, before any upload can be in flight.
#pragma once

#include <cstddef>

#include "server/catalogue.h"
#include "server/storage_local.h"

namespace thumbgen::server {

// Removes every stored thumbnail (thumbs/<asset id>/...) that is not its asset's current thumbnail, and those of
// assets that no longer exist. Returns how many were removed.
std::size_t remove_orphaned_thumbnails(LocalStorage& storage, Catalogue& catalogue);

}  // namespace thumbgen::server
