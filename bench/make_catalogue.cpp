// Generates a large benchmark catalogue through the real schema and migrations (server::Catalogue), quickly: one
// transaction, prepared statements, rows written straight into the tables the server reads.
//   thumbgen_make_catalogue DATA_DIR [ASSETS=1000000] [USER=bench] [PASSWORD=bench-password]
//   thumbgen_make_catalogue --upload-body FILE   (the upload benchmark's request: a 1280x720 JPEG as base64 JSON)
// Mix per asset (deterministic): 70 % without a thumbnail, 85 % viewer-compatible, 5 % of the missing ones with a
// failed attempt in backoff; one to three formats each (GLB preferred, plus GLTF2 / OBJ).
#include <turbojpeg.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "server/auth_password.h"
#include "server/catalogue.h"
#include "util/base64.h"

namespace {

using thumbgen::server::Catalogue;
namespace sql = thumbgen::server::sql;

// A cheap deterministic mixer so the catalogue is the same on every run.
std::uint64_t mix(std::uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  return x ^ (x >> 33);
}

void fill(sql::Connection& db, std::int64_t count) {
  // A generated file: a crash just means generating it again, so no journal and no fsync while filling; a big
  // page cache because the unique url index is filled in random order.
  db.exec("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -524288");
  sql::Transaction transaction(db);
  auto asset = db.prepare(
      "INSERT INTO assets (id, url, name, owner_displayname, license, thumbnail, preview_image, thumbnail_content_type,"
      " created_at, updated_at, is_viewer_compatible, thumbnail_attempts, thumbnail_last_error,"
      " thumbnail_last_attempt_at, thumbnail_next_attempt_at) VALUES (?1,?2,?3,?4,'CREATIVE_COMMONS_BY',?5,?5,?6,?7,?7,"
      "?8,?9,?10,?11,?12)");
  auto format = db.prepare(
      "INSERT INTO formats (asset_id, format_type, root_resource, is_preferred_for_gallery_viewer) VALUES (?,?,?,?)");
  const std::int64_t now = std::time(nullptr);
  char url[32];
  for (std::int64_t id = 1; id <= count; ++id) {
    const std::uint64_t r = mix(static_cast<std::uint64_t>(id));
    std::snprintf(url, sizeof url, "%016llx", static_cast<unsigned long long>(r));  // mix() is a bijection: unique
    const bool has_thumbnail = r % 100 < 30;
    const bool failed = !has_thumbnail && (r >> 8) % 100 < 5;
    asset.bind(1, id).bind(2, std::string_view(url)).bind(3, "Benchmark model " + std::to_string(id));
    asset.bind(4, "Artist " + std::to_string((r >> 16) % 5000));
    if (has_thumbnail) {
      asset.bind(5, "https://cdn.example/thumbs/" + std::string(url) + ".jpg").bind(6, "image/jpeg");
    } else {
      asset.bind_null(5).bind_null(6);
    }
    asset.bind(7, now - static_cast<std::int64_t>(r % (3 * 365 * 86400))).bind(8, (r >> 24) % 100 < 85);
    if (failed) {
      asset.bind(9, 1)
          .bind(10, "loader crashed")
          .bind(11, now - 30)
          .bind(12, now + 30 + static_cast<std::int64_t>((r >> 32) % 86400));
    } else {
      asset.bind(9, 0).bind_null(10).bind_null(11).bind(12, 0);
    }
    asset.run();
    asset.reset();
    const std::string base = "https://cdn.example/assets/" + std::string(url) + "/";
    const int formats = 1 + static_cast<int>((r >> 40) % 3);
    static const char* kTypes[] = {"GLB", "GLTF2", "OBJ"};
    static const char* kFiles[] = {"model.glb", "model.gltf", "model.obj"};
    for (int f = 0; f < formats; ++f) {
      format.bind(1, id).bind(2, kTypes[f]).bind(3, base + kFiles[f]).bind(4, f == 0).run();
      format.reset();
    }
  }
  transaction.commit();
  db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -2000; PRAGMA optimize");
}

// A render-like 1280x720 picture (smooth shading plus detail), JPEG q90 as a browser canvas would send it.
int write_upload_body(const char* file) {
  const int width = 1280, height = 720;
  std::vector<unsigned char> rgb(static_cast<std::size_t>(width) * height * 3);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      unsigned char* p = &rgb[(static_cast<std::size_t>(y) * width + x) * 3];
      const bool object = (x - 640) * (x - 640) + (y - 360) * (y - 360) * 3 < 250 * 250;
      const unsigned noise = static_cast<unsigned>(mix(static_cast<std::uint64_t>(y) * width + x) & 15);
      p[0] = static_cast<unsigned char>(object ? 120 + x / 16 + noise : 40 + y / 8);
      p[1] = static_cast<unsigned char>(object ? 80 + y / 8 + noise : 40 + y / 8);
      p[2] = static_cast<unsigned char>(object ? 60 + noise : 60 + y / 6);
    }
  }
  tjhandle handle = tjInitCompress();
  unsigned char* jpeg = nullptr;
  unsigned long size = 0;
  const int rc = tjCompress2(handle, rgb.data(), width, 0, height, TJPF_RGB, &jpeg, &size, TJSAMP_420, 90, 0);
  tjDestroy(handle);
  if (rc != 0) return 1;
  std::string base64 = thumbgen::util::encode_base64({jpeg, size});
  tjFree(jpeg);
  std::ofstream(file) << R"({"thumbnail_base64":")" << base64 << R"("})";
  std::printf("upload body: %lu-byte 1280x720 JPEG, %zu bytes of JSON\n", size, base64.size() + 24);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == "--upload-body") return write_upload_body(argv[2]);
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s DATA_DIR [ASSETS] [USER] [PASSWORD]\n", argv[0]);
    return 2;
  }
  const std::filesystem::path data = argv[1];
  const std::int64_t count = argc > 2 ? std::atoll(argv[2]) : 1'000'000;
  const std::string user = argc > 3 ? argv[3] : "bench";
  const std::string password = argc > 4 ? argv[4] : "bench-password";
  try {
    std::filesystem::create_directories(data);
    auto start = std::chrono::steady_clock::now();
    Catalogue catalogue(data / "catalogue.sqlite3", 1);
    if (catalogue.count_assets() > 0) {
      std::fprintf(stderr, "%s already holds assets\n", data.c_str());
      return 1;
    }
    catalogue.with_connection([&](sql::Connection& db) { fill(db, count); });
    thumbgen::server::UserRecord staff;
    staff.username = user;
    staff.display_name = "Benchmark admin";
    staff.password_hash = thumbgen::server::hash_password(password);
    staff.is_staff = true;
    catalogue.add_user(staff);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("catalogue: %lld assets in %.1f s (%s)\n", static_cast<long long>(catalogue.count_assets()), seconds,
                (data / "catalogue.sqlite3").c_str());
  } catch (const std::exception& error) {
    std::fprintf(stderr, "make_catalogue: %s\n", error.what());
    return 1;
  }
  return 0;
}
