#include "support/in_process_api.h"

#include "server/auth_jwt.h"

namespace thumbgen::test {
namespace {

server::ApiSettings with_scratch_folder(server::ApiSettings settings, const std::filesystem::path& folder) {
  settings.public_url = "http://127.0.0.1:8080";
  settings.data_folder = folder;
  return settings;
}

}  // namespace

InProcessApi::InProcessApi(server::ApiSettings settings)
    : dir_("in-process-api"),
      catalogue_(dir_ / "catalogue.sqlite3", 2),
      storage_(dir_ / "media"),
      api_(with_scratch_folder(std::move(settings), dir_.path()), catalogue_, storage_,
           server::load_or_create_keyring(dir_ / "keys")) {}

}  // namespace thumbgen::test
