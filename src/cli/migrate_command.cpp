// `thumbgen migrate --from sqlite:DATA --to postgresql://... [--media-from file:DIR --media-to s3://bucket/prefix]`:
// moves an installation from the embedded SQLite catalogue (and its thumbnails on disk) to PostgreSQL (and a
// bucket). Nothing is lost, and running it again copies only what is missing. Stop the servers on DATA first: the
// copy reads one snapshot of the source.
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cinttypes>
#include <cstdio>
#include <memory>
#include <string>

#include "cli/render_command.h"
#include "cli/serve_command.h"
#include "server/catalogue_migration.h"
#include "server/media_migration.h"
#include "server/media_storage.h"
#include "server/server_config.h"

namespace thumbgen::cli {

namespace {

struct MigrateFlags {
  std::string from, to, media_from, media_to;
};

// A store as `thumbgen serve --storage VALUE --data DATA` opens it (S3 settings from THUMBGEN_S3_* and AWS_*).
std::unique_ptr<server::Storage> open_store(const std::string& value, const std::filesystem::path& data) {
  server::ServerConfig config = server::load_server_config(std::nullopt);
  config.data = data;
  config.storage = value;
  return server::open_media_storage(config);
}

// The source store must exist: a mistyped file:DIR would otherwise copy nothing and look done. The default file:
// folder is made by the first stored thumbnail, so an installation that has none yet may lack it.
void check_media_source(const std::string& value) {
  const server::StorageLocation location = server::parse_storage_location(value);
  if (location.is_s3() || location.folder.empty() || std::filesystem::is_directory(location.folder)) return;
  throw std::runtime_error("--media-from " + value + ": no such folder");
}

int run_migrate(const MigrateFlags& flags) {
  using namespace thumbgen::server;
  if (flags.media_from.empty() != flags.media_to.empty()) {
    std::fputs("thumbgen migrate: --media-from and --media-to go together\n", stderr);
    return kExitUsage;
  }
  std::filesystem::path source_file;
  sql::Target destination_target;
  try {
    source_file = source_catalogue_file(flags.from);
    destination_target = sql::parse_target(flags.to, {});
    if (destination_target.dialect != sql::Dialect::Postgres)
      throw std::invalid_argument("--to must be postgresql://user:password@host:port/database");
    if (!flags.media_from.empty()) {
      parse_storage_location(flags.media_from);
      parse_storage_location(flags.media_to);
    }
  } catch (const std::invalid_argument& error) {
    std::fprintf(stderr, "thumbgen migrate: %s\n", error.what());
    return kExitUsage;
  }
  const std::filesystem::path data = source_file.parent_path();
  try {
    // The stores first: a wrong secret or bucket stops the run before anything is written.
    std::unique_ptr<Storage> media_from, media_to;
    if (!flags.media_from.empty()) {
      check_media_source(flags.media_from);
      media_from = open_store(flags.media_from, data);
      media_to = open_store(flags.media_to, data);
    }
    std::printf("catalogue: %s -> %s\n", source_file.c_str(), destination_target.describe().c_str());
    std::fflush(stdout);
    Catalogue destination(destination_target, 1);  // migrates it, under its advisory lock
    CatalogueCopyResult copied = copy_catalogue(source_file, destination, [](const TableCopyResult& table) {
      std::printf("  %-16s %" PRId64 " rows copied, %" PRId64 " already there\n", table.table.c_str(), table.copied,
                  table.already_there);
      std::fflush(stdout);
    });
    std::printf("  %-16s fencing tokens continue after %" PRId64 "; missing counts recounted\n", "counters",
                copied.fencing_token_floor);

    if (flags.media_from.empty()) {
      std::printf(
          "media: not moved. The thumbnails stay in %s: start each server with --storage file:%s (a folder they all "
          "share), or copy them into a bucket with --media-from file:%s --media-to s3://bucket/prefix\n",
          (data / "media").c_str(), (data / "media").c_str(), (data / "media").c_str());
    } else {
      std::printf("media: %s -> %s\n", flags.media_from.c_str(), flags.media_to.c_str());
      MediaCopyResult media = copy_media(*media_from, *media_to);
      std::printf("  %-16s %" PRId64 " objects copied, %" PRId64 " already there, %" PRIu64 " bytes copied\n",
                  "thumbs/", media.copied, media.already_there, media.bytes_copied);
      std::printf("  start the servers with --storage %s\n", flags.media_to.c_str());
    }
    std::printf(
        "done. Start the servers with --database %s; tokens signed before stay valid where the servers use the "
        "signing keys of %s\n",
        destination_target.describe().c_str(), (data / "keys").c_str());
    return kExitOk;
  } catch (const std::exception& error) {
    std::fflush(stdout);
    std::fprintf(stderr, "thumbgen migrate: %s\n", error.what());
    return 1;
  }
}

}  // namespace

std::function<int()> add_migrate_command(CLI::App& app) {
  auto flags = std::make_shared<MigrateFlags>();
  CLI::App* migrate = app.add_subcommand(
      "migrate",
      "Move an installation to PostgreSQL (and its thumbnails to a bucket) without losing anything; running it "
      "again copies only what is missing. Stop the servers on the source first.");
  migrate
      ->add_option("--from", flags->from,
                   "the SQLite catalogue: sqlite:DATA (a data folder: its catalogue.sqlite3) or sqlite:FILE")
      ->required();
  migrate->add_option("--to", flags->to, "the PostgreSQL catalogue: postgresql://user:password@host:port/database")
      ->required();
  migrate->add_option("--media-from", flags->media_from,
                      "the thumbnails now: file: (DATA/media), file:DIR or s3://bucket/prefix");
  migrate->add_option("--media-to", flags->media_to,
                      "where they go: s3://bucket/prefix (THUMBGEN_S3_*, AWS_* as for serve) or file:DIR");
  return [flags] {
    spdlog::set_level(spdlog::level::warn);  // the figures go to stdout; the stores' info lines are noise here
    return run_migrate(*flags);
  };
}

}  // namespace thumbgen::cli
