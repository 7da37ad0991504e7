// The admin web app's files under /admin/ (issue 11), over real HTTP against a real `thumbgen serve` with a
// generated admin folder: types, the exact security headers, caching, the single-page-app fallback, HEAD, the "not
// built" page, and paths that try to leave the folder (.., encoded .., a symlink, a dotfile, the data folder).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "server/importer.h"
#include "support/http_client.h"
#include "support/process.h"
#include "support/scratch_dir.h"
#include "support/server_fixtures.h"
#include "support/server_login.h"
#include "support/server_process.h"

namespace thumbgen {
namespace {

namespace fs = std::filesystem;
using namespace test;

const std::string kIndex =
    "<!doctype html><html><head><script type=\"module\" src=\"/admin/assets/app-1a2b3c4d.js\"></script></head>"
    "<body>admin app</body></html>\n";
const std::string kScript = "console.log('admin');\n";
const std::string kWasm("\0asm\1\0\0\0", 8);
const std::string kStyle = "body{margin:0}\n";
const std::string kSvg = "<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n";

void write_file(const fs::path& path, std::string_view text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

// The policy the contract names, with the server's own public URL as the media origin (no other origins known).
std::string expected_csp(unsigned short port) {
  const std::string media = "http://127.0.0.1:" + std::to_string(port);
  return "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data: blob: " +
         media + "; connect-src 'self' " + media +
         "; worker-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
}

class AdminPagesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    admin_ = scratch_ / "admin";
    write_file(admin_ / "index.html", kIndex);
    write_file(admin_ / "assets" / "app-1a2b3c4d.js", kScript);
    write_file(admin_ / "assets" / "thumbgen_wasm-0a1b2c3d.wasm", kWasm);
    write_file(admin_ / "assets" / "style-99ffee00.css", kStyle);
    write_file(admin_ / "favicon.svg", kSvg);
    write_file(admin_ / ".env", "ADMIN-DOTFILE-SECRET");
    write_file(admin_ / "assets" / ".hidden.js", "ADMIN-DOTFILE-SECRET");
    write_file(scratch_ / "outside" / "secret.txt", "OUTSIDE-SECRET");
    fs::create_symlink(scratch_ / "outside" / "secret.txt", admin_ / "leak.txt");
    fs::create_symlink(scratch_ / "outside" / "secret.txt", admin_ / "assets" / "leak-00000000.js");
    fs::create_directory_symlink(scratch_ / "outside", admin_ / "linked");
    ASSERT_EQ(server_.add_user("admin", "admin-password", true), 0);
    server_.start({}, {"THUMBGEN_ADMIN_DIR=" + admin_.string()});
  }

  HttpResult get(const std::string& target) { return http_request(server_.port(), "GET", target); }

  void expect_page_headers(const HttpResult& result, const std::string& what) {
    EXPECT_EQ(result.header("content-security-policy"), expected_csp(server_.port())) << what;
    EXPECT_EQ(result.header("x-frame-options"), "DENY") << what;
    EXPECT_EQ(result.header("x-content-type-options"), "nosniff") << what;
    EXPECT_EQ(result.header("referrer-policy"), "same-origin") << what;
  }

  // Refused: 404, and nothing of what lies outside the folder (or hidden in it) in the answer.
  void expect_refused(const std::string& target) {
    HttpResult result = get(target);
    EXPECT_TRUE(result.status == 404 || result.status == 400) << target << " -> " << result.status;
    EXPECT_EQ(result.body.find("SECRET"), std::string::npos) << target;
    EXPECT_EQ(result.body.find("SQLite format"), std::string::npos) << target;
    EXPECT_EQ(result.body.find("admin app"), std::string::npos) << target << ": answered with index.html";
  }

  ScratchDir scratch_{"admin-pages"};
  fs::path admin_;
  ServerProcess server_;
};

TEST_F(AdminPagesTest, IndexIsServedWithTheStrictHeadersAndNoCache) {
  HttpResult index = get("/admin/");
  ASSERT_EQ(index.status, 200);
  EXPECT_EQ(index.body, kIndex);
  EXPECT_EQ(index.header("content-type"), "text/html; charset=utf-8");
  EXPECT_EQ(index.header("cache-control"), "no-cache");
  expect_page_headers(index, "/admin/");
  EXPECT_EQ(get("/admin/index.html").body, kIndex);
}

TEST_F(AdminPagesTest, AdminWithoutSlashRedirects) {
  HttpResult redirect = get("/admin");
  EXPECT_EQ(redirect.status, 308);
  EXPECT_EQ(redirect.header("location"), "/admin/");
}

TEST_F(AdminPagesTest, BuiltFilesHaveTheirTypesAndHashedOnesAreImmutable) {
  struct Case {
    std::string target, body, type;
  };
  for (const Case& c : std::vector<Case>{
           {"/admin/assets/app-1a2b3c4d.js", kScript, "text/javascript; charset=utf-8"},
           {"/admin/assets/thumbgen_wasm-0a1b2c3d.wasm", kWasm, "application/wasm"},
           {"/admin/assets/style-99ffee00.css", kStyle, "text/css; charset=utf-8"},
       }) {
    HttpResult result = get(c.target);
    ASSERT_EQ(result.status, 200) << c.target;
    EXPECT_EQ(result.body, c.body) << c.target;
    EXPECT_EQ(result.header("content-type"), c.type) << c.target;
    EXPECT_EQ(result.header("cache-control"), "public, max-age=31536000, immutable") << c.target;
    expect_page_headers(result, c.target);
  }
  HttpResult icon = get("/admin/favicon.svg");  // not hashed: revalidated
  ASSERT_EQ(icon.status, 200);
  EXPECT_EQ(icon.header("content-type"), "image/svg+xml");
  EXPECT_EQ(icon.header("cache-control"), "no-cache");
}

TEST_F(AdminPagesTest, HeadSendsTheHeadersAndLengthWithoutTheBody) {
  HttpResult head = http_request(server_.port(), "HEAD", "/admin/assets/app-1a2b3c4d.js");
  EXPECT_EQ(head.status, 200);
  EXPECT_TRUE(head.body.empty());
  EXPECT_EQ(head.header("content-length"), std::to_string(kScript.size()));
  EXPECT_EQ(head.header("content-type"), "text/javascript; charset=utf-8");
  expect_page_headers(head, "HEAD");
  HttpResult route = http_request(server_.port(), "HEAD", "/admin/icosa/asset/");
  EXPECT_EQ(route.status, 200);
  EXPECT_EQ(route.header("content-length"), std::to_string(kIndex.size()));
}

TEST_F(AdminPagesTest, TheAppsOwnRoutesGetIndexHtml) {
  for (const std::string target :
       {"/admin/icosa/asset/", "/admin/login/?next=%2Fadmin%2Ficosa%2Fasset%2F", "/admin/thumbnails/generate/",
        "/admin/thumbnails/generate/?selection=s-1", "/admin/icosa/asset"}) {
    HttpResult result = get(target);
    ASSERT_EQ(result.status, 200) << target;
    EXPECT_EQ(result.body, kIndex) << target;
    EXPECT_EQ(result.header("content-type"), "text/html; charset=utf-8") << target;
    EXPECT_EQ(result.header("cache-control"), "no-cache") << target;
    expect_page_headers(result, target);
  }
}

TEST_F(AdminPagesTest, AMissingHashedFileIs404NotHtml) {
  HttpResult missing = get("/admin/assets/app-ffffffff.js");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.body.find("admin app"), std::string::npos);
  expect_page_headers(missing, "missing asset");
}

TEST_F(AdminPagesTest, PathsLeavingTheFolderAreRefused) {
  for (const std::string target : {
           "/admin/../data/catalogue.sqlite3",
           "/admin/%2e%2e/data/catalogue.sqlite3",
           "/admin/%2E%2E/%2e%2e/etc/passwd",
           "/admin/..%2fdata%2fkeys",
           "/admin/assets/..%2f..%2foutside%2fsecret.txt",
           "/admin/./index.html/..",
           "/admin/leak.txt",                 // a symlink to a file outside
           "/admin/assets/leak-00000000.js",  // the same, under assets/
           "/admin/linked/secret.txt",        // through a symlinked folder
           "/admin/.env",                     // dotfiles
           "/admin/assets/.hidden.js",
           "/admin/%2eenv",
           "/admin/index.html/x",
       }) {
    expect_refused(target);
  }
}

TEST_F(AdminPagesTest, NothingOfTheDataFolderIsServedEvenWhenTheAdminFolderHoldsIt) {
  // An operator points THUMBGEN_ADMIN_DIR at the folder that holds --data: its keys and catalogue stay private.
  ASSERT_EQ(server_.stop(), 0);
  const fs::path parent = server_.data().parent_path();
  write_file(parent / "index.html", kIndex);
  server_.restart({}, {"THUMBGEN_ADMIN_DIR=" + parent.string()});
  EXPECT_EQ(get("/admin/").body, kIndex);
  for (const std::string target : {"/admin/data/keys", "/admin/data/catalogue.sqlite3"}) {
    HttpResult result = get(target);
    EXPECT_EQ(result.status, 404) << target;
    EXPECT_EQ(result.body.find("SQLite format"), std::string::npos) << target;
  }
}

TEST_F(AdminPagesTest, FilesAndMediaKeepTheirSandboxHeaders) {
  // /files/ and /media/ share the origin with the token: a served model or thumbnail never runs as a page.
  write_file(scratch_ / "models" / "tri.obj", "v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n");
  ProcessResult imported =
      run_process({THUMBGEN_BINARY, "import", (scratch_ / "models").string(), "--data", server_.data().string()});
  ASSERT_EQ(imported.exit_code, 0) << imported.out << imported.err;
  HttpResult file = get("/files/" + server::asset_url_for("tri.obj") + "/tri.obj");
  ASSERT_EQ(file.status, 200) << file.body;
  EXPECT_EQ(file.header("x-content-type-options"), "nosniff");
  EXPECT_EQ(file.header("content-security-policy"), "sandbox");

  const std::string token = login_token(server_.port(), "admin", "admin-password");
  HttpResult upload =
      http_request(server_.port(), "POST", "/api/v1/admin/assets/" + server::asset_url_for("tri.obj") + "/thumbnail",
                   upload_body(0x80), bearer(token));
  ASSERT_EQ(upload.status, 200) << upload.body;
  const std::string url = upload.json()["thumbnail_url"];
  HttpResult media = get(url.substr(url.find("/media/")));
  ASSERT_EQ(media.status, 200);
  EXPECT_EQ(media.header("content-type"), "image/jpeg");
  EXPECT_EQ(media.header("x-content-type-options"), "nosniff");
  EXPECT_EQ(media.header("content-security-policy"), "sandbox");
}

TEST(AdminPagesNotBuiltTest, EveryAdminPathSaysHowToBuildThemUntilTheyAreBuilt) {
  ScratchDir scratch("admin-not-built");
  ServerProcess server;
  server.start({}, {"THUMBGEN_ADMIN_DIR=" + (scratch / "admin").string()});  // no such folder yet
  for (const std::string target : {"/admin/", "/admin/icosa/asset/", "/admin/assets/app-1a2b3c4d.js"}) {
    HttpResult result = http_request(server.port(), "GET", target);
    EXPECT_EQ(result.status, 503) << target;
    EXPECT_EQ(result.header("content-type"), "text/html; charset=utf-8") << target;
    EXPECT_NE(result.body.find("make web"), std::string::npos) << target;
    EXPECT_EQ(result.body.find("<script"), std::string::npos) << target;
    EXPECT_EQ(result.body.find("style="), std::string::npos) << target;
    EXPECT_EQ(result.header("x-frame-options"), "DENY") << target;
    EXPECT_EQ(result.header("content-security-policy"), expected_csp(server.port())) << target;
  }
  EXPECT_NE(server.log().find("not built"), std::string::npos) << server.log();
  // Built while the server runs: no restart needed.
  write_file(scratch / "admin" / "index.html", kIndex);
  EXPECT_EQ(http_request(server.port(), "GET", "/admin/").status, 200);
}

TEST(AdminPagesDefaultFolderTest, TheDefaultIsTheAdminFolderBesideTheExecutable) {
  ServerProcess server;
  server.start();
  const fs::path expected = fs::canonical(THUMBGEN_BINARY).parent_path() / "admin";
  EXPECT_NE(server.log().find("from " + expected.string()), std::string::npos) << server.log();
}

}  // namespace
}  // namespace thumbgen
