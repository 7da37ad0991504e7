// What `/files/` publishes, over real HTTP against a real `thumbgen serve` and catalogues filled by the real
// `thumbgen import`: only a model's main file and the files it references (reference discovery of src/scene), never
// through a symlink (at import or at serve time), never a file of the data folder, and catalogues written before
// these rules re-scanned by the next import.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "server/catalogue.h"
#include "server/importer.h"
#include "server/db.h"
#include "support/http_client.h"
#include "support/process.h"
#include "support/server_login.h"
#include "support/server_process.h"

namespace thumbgen {
namespace {

namespace fs = std::filesystem;
using namespace test;

void write_file(const fs::path& path, std::string_view text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The /files/ target of `path` in the asset imported from `model` (relative to the imported folder).
std::string file_target(const std::string& model, const std::string& path) {
  return "/files/" + server::asset_url_for(model) + "/" + path;
}

// `thumbgen import ARGS... --data DATA`, with what it printed.
test::ProcessResult import(const ServerProcess& server, std::vector<std::string> args) {
  args.insert(args.begin(), {THUMBGEN_BINARY, "import"});
  args.insert(args.end(), {"--data", server.data().string()});
  return test::run_process(args);
}

const char* const kObj = "mtllib model.mtl\nv 0 0 0\nv 1 0 0\nv 0 1 0\nusemtl a\nf 1 2 3\n";

class PublishedFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.start();  // creates the data folder and its signing keys
    models_ = server_.data().parent_path() / "models";
    outside_ = server_.data().parent_path() / "outside";
    fs::create_directories(models_);
    write_file(outside_ / "secret-folder" / "secret.png", "outside secret");
    write_file(outside_ / "other.glb", "glTF outside model");
  }

  HttpResult get(const std::string& target) { return http_request(server_.port(), "GET", target); }
  int status(const std::string& target) { return get(target).status; }
  void import_models() {
    test::ProcessResult result = import(server_, {models_.string()});
    ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  }

  ServerProcess server_;
  fs::path models_, outside_;
};

// The first audit's finding: `keys-link.jpg -> <data>/keys` next to a model published the JWT signing key.
TEST_F(PublishedFilesTest, SymlinksToSecretsAreNeitherPublishedNorServed) {
  const fs::path shop = models_ / "shop";
  write_file(shop / "model.obj", kObj);
  write_file(shop / "model.mtl", "newmtl a\nmap_Kd keys-link.jpg\nmap_Ka linked/secret.png\nmap_Ks real.png\n");
  write_file(shop / "real.png", "real texture");
  fs::create_symlink(server_.data() / "keys", shop / "keys-link.jpg");
  fs::create_directory_symlink(outside_ / "secret-folder", shop / "linked");
  fs::create_symlink(outside_ / "other.glb", shop / "linked-model.glb");
  import_models();

  EXPECT_EQ(status(file_target("shop/model.obj", "model.obj")), 200);
  EXPECT_EQ(status(file_target("shop/model.obj", "model.mtl")), 200);
  EXPECT_EQ(status(file_target("shop/model.obj", "real.png")), 200);
  HttpResult key = get(file_target("shop/model.obj", "keys-link.jpg"));
  EXPECT_EQ(key.status, 404) << "the signing key was served: " << key.body;
  EXPECT_EQ(status(file_target("shop/model.obj", "linked/secret.png")), 404);
  // A symlinked model file is no asset: nothing of it is served.
  EXPECT_EQ(status(file_target("shop/linked-model.glb", "linked-model.glb")), 404);
}

// The catalogue lists a file; what is at that path later is checked again when it is served.
TEST_F(PublishedFilesTest, SymlinksSwappedInAfterImportAreNotServed) {
  const fs::path shop = models_ / "shop";
  write_file(shop / "model.obj", kObj);
  write_file(shop / "model.mtl", "newmtl a\nmap_Kd tex/real.png\n");
  write_file(shop / "tex" / "real.png", "real texture");
  import_models();
  const std::string texture = file_target("shop/model.obj", "tex/real.png");
  ASSERT_EQ(status(texture), 200);

  fs::remove(shop / "tex" / "real.png");
  fs::create_symlink(server_.data() / "keys", shop / "tex" / "real.png");
  HttpResult file_link = get(texture);
  EXPECT_EQ(file_link.status, 404) << "served through a file symlink: " << file_link.body;

  fs::remove_all(shop / "tex");
  write_file(outside_ / "tex" / "real.png", "outside secret");
  fs::create_directory_symlink(outside_ / "tex", shop / "tex");
  HttpResult folder_link = get(texture);
  EXPECT_EQ(folder_link.status, 404) << "served through a folder symlink: " << folder_link.body;

  fs::rename(shop / "model.obj", shop / "model.obj.real");
  fs::create_symlink(outside_ / "other.glb", shop / "model.obj");
  EXPECT_EQ(status(file_target("shop/model.obj", "model.obj")), 404);
}

TEST_F(PublishedFilesTest, FilesAModelDoesNotReferenceAreNotServed) {
  write_file(models_ / "tower" / "tower.gltf",
             R"({"asset": {"version": "2.0"}, "buffers": [{"uri": "tower.bin", "byteLength": 4}],
                 "images": [{"uri": "textures/wood.png"}]})");
  write_file(models_ / "tower" / "tower.bin", "bin!");
  write_file(models_ / "tower" / "textures" / "wood.png", "wood");
  write_file(models_ / "tower" / "textures" / "unused.png", "unused");
  write_file(models_ / "tower" / "generate.py", "print('not for the public')\n");
  write_file(models_ / "tower" / "LICENSE.md", "license\n");
  write_file(models_ / "tower" / "notes" / "todo.txt", "private notes\n");
  import_models();

  for (const char* path : {"generate.py", "LICENSE.md", "textures/unused.png", "notes/todo.txt", ".", ""}) {
    EXPECT_EQ(status(file_target("tower/tower.gltf", path)), 404) << path;
  }
}

// A file named "secret\keys" (a backslash is no separator in a Linux name) resolved a model's "secret/keys" and was
// published under that other path, which the listing never looked at: a second path to the data folder (a bind
// mount) was then served.
TEST_F(PublishedFilesTest, ANameWithABackslashIsNotPublishedUnderAnotherPath) {
  write_file(models_ / "vault" / "vault.gltf",
             R"({"asset": {"version": "2.0"}, "buffers": [{"uri": "secret/keys", "byteLength": 4}]})");
  write_file(models_ / "vault" / "secret\\keys", "k1 x");
  test::ProcessResult result = import(server_, {models_.string()});
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_NE((result.out + result.err).find("backslash"), std::string::npos) << result.out << result.err;
  write_file(models_ / "vault" / "secret" / "keys", "what a bind mount of the data folder would show");
  EXPECT_EQ(status(file_target("vault/vault.gltf", "secret/keys")), 404);
  EXPECT_EQ(status(file_target("vault/vault.gltf", "vault.gltf")), 200);
}

// The brief's own example: `thumbgen import examples` published generate.py and LICENSE.md with the OBJ.
TEST_F(PublishedFilesTest, ImportingTheExamplesPublishesNoScriptOrLicense) {
  test::ProcessResult result = import(server_, {std::string(THUMBGEN_SOURCE_DIR) + "/examples"});
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_EQ(status(file_target("ziggurat.obj", "ziggurat.obj")), 200);
  EXPECT_EQ(status(file_target("ziggurat.obj", "ziggurat.mtl")), 200);
  EXPECT_EQ(status(file_target("ziggurat.obj", "generate.py")), 404);
  EXPECT_EQ(status(file_target("ziggurat.obj", "LICENSE.md")), 404);
}

TEST_F(PublishedFilesTest, GltfBufferAndTextureAndObjMaterialAndMapAreServed) {
  write_file(models_ / "tower" / "tower.gltf",
             R"({"asset": {"version": "2.0"}, "buffers": [{"uri": "tower%20data.bin", "byteLength": 4}],
                 "images": [{"uri": "textures/wood.png"}, {"uri": "data:image/png;base64,AAAA"}]})");
  write_file(models_ / "tower" / "tower data.bin", "bin!");
  write_file(models_ / "tower" / "textures" / "wood.png", "wood");
  write_file(models_ / "duck" / "duck.obj", "mtllib duck.mtl\nv 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n");
  write_file(models_ / "duck" / "duck.mtl", "newmtl a\nmap_Kd -s 1 1 1 maps/duck.png\n");
  write_file(models_ / "duck" / "maps" / "duck.png", "duck texture");
  import_models();

  HttpResult buffer = get(file_target("tower/tower.gltf", "tower%20data.bin"));
  EXPECT_EQ(buffer.status, 200);
  EXPECT_EQ(buffer.body, "bin!");
  EXPECT_EQ(status(file_target("tower/tower.gltf", "tower.gltf")), 200);
  EXPECT_EQ(get(file_target("tower/tower.gltf", "textures/wood.png")).body, "wood");
  EXPECT_EQ(status(file_target("duck/duck.obj", "duck.obj")), 200);
  EXPECT_EQ(status(file_target("duck/duck.obj", "duck.mtl")), 200);
  HttpResult map = get(file_target("duck/duck.obj", "maps/duck.png"));
  EXPECT_EQ(map.status, 200);
  EXPECT_EQ(map.body, "duck texture");
  EXPECT_EQ(map.header("content-type"), "image/png");
}

// The data folder inside the imported folder, a hard link to the signing key, and a catalogue row naming a data
// file directly (as a hand-edited or older catalogue could): none of them is ever served.
TEST_F(PublishedFilesTest, FilesOfTheDataFolderAreNeverServedEvenWhenReferenced) {
  const fs::path top = server_.data().parent_path();
  write_file(top / "loot.gltf", R"({"asset": {"version": "2.0"},
    "buffers": [{"uri": "data/keys", "byteLength": 4}], "images": [{"uri": "data/catalogue.sqlite3"}]})");
  write_file(models_ / "linked" / "linked.gltf",
             R"({"asset": {"version": "2.0"}, "buffers": [{"uri": "key-copy.bin", "byteLength": 4}]})");
  fs::create_hard_link(server_.data() / "keys", models_ / "linked" / "key-copy.bin");
  ASSERT_EQ(import(server_, {top.string()}).exit_code, 0);
  import_models();

  EXPECT_EQ(status(file_target("loot.gltf", "loot.gltf")), 200);
  HttpResult key = get(file_target("loot.gltf", "data/keys"));
  EXPECT_EQ(key.status, 404) << "the signing key was served: " << key.body;
  EXPECT_EQ(status(file_target("loot.gltf", "data/catalogue.sqlite3")), 404);
  HttpResult copy = get(file_target("linked/linked.gltf", "key-copy.bin"));
  EXPECT_EQ(copy.status, 404) << "the signing key was served through a hard link: " << copy.body;

  server::AssetRecord row;
  row.url = "hand-made";
  row.files_root = server_.data().string();
  row.formats.push_back({"GLB", "keys", true, {{"keys", "application/octet-stream"}}});
  {
    server::Catalogue catalogue(server_.data() / "catalogue.sqlite3", 1);
    catalogue.upsert_asset(row);
  }
  HttpResult direct = get("/files/hand-made/keys");
  EXPECT_EQ(direct.status, 404) << "a catalogue row served the signing key: " << direct.body;
}

// Several servers share one keys file (THUMBGEN_KEYS_FILE), which may lie outside the data folder, even (by mistake)
// in a model folder: a model that references it still never gets it served.
TEST_F(PublishedFilesTest, ASharedKeysFileOutsideTheDataFolderIsNeverServed) {
  const fs::path keys = models_ / "shared" / "jwt.keys";
  write_file(models_ / "shared" / "scene.gltf",
             R"({"asset": {"version": "2.0"}, "buffers": [{"uri": "jwt.keys", "byteLength": 4}]})");
  ASSERT_EQ(server_.stop(), 0);
  server_.restart({}, {"THUMBGEN_KEYS_FILE=" + keys.string()});
  ASSERT_TRUE(fs::exists(keys)) << "serve did not create the shared keys file";
  import_models();
  EXPECT_EQ(status(file_target("shared/scene.gltf", "scene.gltf")), 200);
  HttpResult key = get(file_target("shared/scene.gltf", "jwt.keys"));
  EXPECT_EQ(key.status, 404) << "the shared signing key was served: " << key.body;
}

// A catalogue written before these rules (tests/data/catalogue_v2_folder_import.sql, made by that version's
// `thumbgen import`) listed every file of the folder. Opened now, it serves the main file only, and the next import
// of the folder re-scans the model even though nothing in it changed.
TEST(PublishedFilesMigration, AnOldCatalogueServesOnlyItsMainFilesUntilTheNextImportRescansIt) {
  ServerProcess server;
  const fs::path models = server.data().parent_path() / "models";
  write_file(models / "lamp" / "lamp.obj", "mtllib lamp.mtl\nv 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n");
  write_file(models / "lamp" / "lamp.mtl", "newmtl a\nmap_Kd lamp.png\n");
  write_file(models / "lamp" / "lamp.png", "png");
  write_file(models / "lamp" / "generate.py", "print('hi')\n");
  write_file(models / "lamp" / "LICENSE.md", "license\n");
  std::string dump = read_file(fs::path(THUMBGEN_SOURCE_DIR) / "tests" / "data" / "catalogue_v2_folder_import.sql");
  ASSERT_FALSE(dump.empty());
  for (std::size_t at = dump.find("@MODELS@"); at != std::string::npos; at = dump.find("@MODELS@", at)) {
    dump.replace(at, 8, models.string());
  }
  fs::create_directories(server.data());
  {
    server::sql::Connection old(server.data() / "catalogue.sqlite3");
    server::migrate(old, 2);
    old.exec(dump.c_str());
  }
  server.start();
  auto status = [&](const std::string& path) {
    return http_request(server.port(), "GET", file_target("lamp/lamp.obj", path)).status;
  };
  EXPECT_EQ(status("lamp.obj"), 200) << server.log();
  EXPECT_EQ(status("generate.py"), 404);
  EXPECT_EQ(status("LICENSE.md"), 404);
  EXPECT_EQ(status("lamp.mtl"), 404);  // not verified yet
  EXPECT_NE(server.log().find("thumbgen import"), std::string::npos) << server.log();
  // A worker's claim lists what /files/ serves, so it does not fail on side files the server now refuses.
  ASSERT_EQ(server.add_user("admin", "admin-password", true), 0);
  const std::string token = test::login_token(server.port(), "admin", "admin-password");
  HttpResult claimed = http_request(server.port(), "POST", "/api/v1/admin/thumbnail-jobs/claim",
                                    R"({"worker": "w:1", "max": 1, "lease_seconds": 300})", test::bearer(token));
  ASSERT_EQ(claimed.status, 200) << claimed.body;
  const nlohmann::json answer = claimed.json();
  ASSERT_EQ(answer["jobs"].size(), 1u) << claimed.body;
  const nlohmann::json& files = answer["jobs"][0]["asset"]["formats"][0]["files"];
  ASSERT_EQ(files.size(), 1u) << claimed.body;
  EXPECT_EQ(files[0]["path"], "lamp.obj");

  test::ProcessResult again = import(server, {models.string()});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("1 updated"), std::string::npos) << again.out;
  EXPECT_EQ(status("lamp.obj"), 200);
  EXPECT_EQ(status("lamp.mtl"), 200);
  EXPECT_EQ(status("lamp.png"), 200);
  EXPECT_EQ(status("generate.py"), 404);
  EXPECT_EQ(status("LICENSE.md"), 404);
}

}  // namespace
}  // namespace thumbgen
