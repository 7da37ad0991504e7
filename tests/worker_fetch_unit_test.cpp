// What the worker fetches and from where, piece by piece: URLs through libcurl's URL API, address kinds, the fetch
// policy (hosts, resolved addresses), the fetch plan from the claim's file list, local path safety, the download
// cache's folders, and the downloader against tiny servers on loopback (a refused address never sees a connection).
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "support/scratch_dir.h"
#include "support/tiny_http_server.h"
#include "worker/address_class.h"
#include "worker/asset_fetcher.h"
#include "worker/download_cache.h"
#include "worker/fetch_policy.h"
#include "worker/file_downloader.h"
#include "worker/http_url.h"

namespace thumbgen::worker {
namespace {

namespace fs = std::filesystem;
using test::TinyHttpServer;
using test::TinyReply;

TEST(HttpUrlTest, ParsesHttpUrlsWithLibcurl) {
  auto url = parse_http_url("http://Example.COM./a/b%20c.gltf?x=1");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->scheme, "http");
  EXPECT_EQ(url->host, "example.com");
  EXPECT_EQ(url->port, "80");
  EXPECT_FALSE(url->port_given);
  EXPECT_EQ(url->authority(), "example.com:80");
  EXPECT_EQ(url->path, "/a/b%20c.gltf");
  EXPECT_EQ(parse_http_url("https://example.com/x")->port, "443");
  auto explicit_port = parse_http_url("http://127.0.0.1:8080");
  ASSERT_TRUE(explicit_port);
  EXPECT_EQ(explicit_port->authority(), "127.0.0.1:8080");
  EXPECT_TRUE(explicit_port->port_given);
  EXPECT_EQ(parse_http_url("http://[::1]:81/")->host, "[::1]");
  std::string why;
  for (const char* bad : {"http://user@evil.example/x", "http://user:pw@evil.example/x", "file:///etc/passwd",
                          "ftp://example.com/x", "example.com/x", "", "http://"}) {
    EXPECT_FALSE(parse_http_url(bad, &why)) << bad;
    EXPECT_FALSE(why.empty()) << bad;
  }
}

TEST(HttpUrlTest, ResolvesReferencesAndPlacesUrlsBelowAFolder) {
  auto base = parse_http_url("http://h:81/m/scene.gltf");
  ASSERT_TRUE(base);
  EXPECT_EQ(resolve_http_url(*base, "tex/a%20b.png")->url, "http://h:81/m/tex/a%20b.png");
  EXPECT_EQ(resolve_http_url(*base, "/other.bin")->url, "http://h:81/other.bin");
  EXPECT_EQ(resolve_http_url(*base, "http://elsewhere/x")->host, "elsewhere");
  EXPECT_EQ(path_below_folder_of(*base, *parse_http_url("http://h:81/m/tex/a%20b.png")), "tex/a b.png");
  EXPECT_FALSE(path_below_folder_of(*base, *parse_http_url("http://h:81/other/x.png")));
  EXPECT_FALSE(path_below_folder_of(*base, *parse_http_url("http://h:82/m/x.png")));
  EXPECT_FALSE(path_below_folder_of(*base, *parse_http_url("https://h:81/m/x.png")));
  EXPECT_EQ(last_path_segment(*parse_http_url("http://h/a/b%20c.bin?q")), "b c.bin");
}

AddressKind kind_of(const std::string& ip) { return address_from_text(ip, 80)->kind; }

TEST(AddressClassTest, KnowsTheAddressesAWorkerMustNotReachUnasked) {
  for (const char* ip : {"127.0.0.1", "127.255.0.9", "::1", "::ffff:127.0.0.1", "64:ff9b::7f00:1", "2002:7f00:1::"})
    EXPECT_EQ(kind_of(ip), AddressKind::Loopback) << ip;
  for (const char* ip : {"10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "100.64.0.1", "fd00::1", "fc00::5",
                         "::ffff:10.0.0.1"})
    EXPECT_EQ(kind_of(ip), AddressKind::Private) << ip;
  for (const char* ip : {"169.254.169.254", "fe80::1"}) EXPECT_EQ(kind_of(ip), AddressKind::LinkLocal) << ip;
  for (const char* ip :
       {"0.0.0.0", "224.0.0.1", "255.255.255.255", "192.0.2.1", "::", "ff02::1", "2001:db8::1", "2001:0:1::1"})
    EXPECT_EQ(kind_of(ip), AddressKind::Reserved) << ip;
  for (const char* ip : {"8.8.8.8", "172.32.0.1", "1.1.1.1", "2001:4860:4860::8888", "::ffff:8.8.8.8"})
    EXPECT_EQ(kind_of(ip), AddressKind::Public) << ip;
  // Mapped IPv6 addresses read as the IPv4 address they carry.
  EXPECT_EQ(address_from_text("::ffff:127.0.0.1", 8080)->text(), "127.0.0.1:8080");
  EXPECT_EQ(address_from_text("[::1]", 81)->text(), "[::1]:81");
  EXPECT_FALSE(address_from_text("example.com", 80));
  EXPECT_EQ(canonical_ip("[0:0::1]"), "::1");
}

TEST(FetchPolicyTest, AllowsTheServersHostAndTheHostsItIsGiven) {
  FetchPolicy policy("http://127.0.0.1:8080", {"cdn.example", "files.example:8443", "http://Assets.Example"});
  auto check = [&](const std::string& url) { return policy.check_url(*parse_http_url(url)); };
  EXPECT_FALSE(check("http://127.0.0.1:8080/files/a/x.glb"));
  EXPECT_FALSE(check("https://cdn.example/x.glb"));
  EXPECT_FALSE(check("http://cdn.example:9000/x.glb"));  // a host without port: any port
  EXPECT_FALSE(check("http://files.example:8443/x.glb"));
  EXPECT_FALSE(check("https://assets.example:444/x.glb"));
  auto refused = check("http://127.0.0.1:6379/");  // the server's machine, another service
  ASSERT_TRUE(refused);
  EXPECT_NE(refused->find("127.0.0.1:6379"), std::string::npos) << *refused;
  EXPECT_NE(refused->find("--allow-host"), std::string::npos) << *refused;
  EXPECT_TRUE(check("https://files.example/x.glb"));  // 443 is not 8443
  EXPECT_TRUE(check("http://evil.example/x.glb"));
  EXPECT_TRUE(check("http://cdn.example.evil.example/x.glb"));
  for (const char* bad : {"cdn.example/path", "user@cdn.example", "cdn.example?x", "ftp://cdn.example", ""}) {
    EXPECT_THROW(FetchPolicy("http://127.0.0.1:8080", {bad}), std::invalid_argument) << bad;
  }
  EXPECT_THROW(FetchPolicy("ftp://127.0.0.1", {}), std::invalid_argument);
}

TEST(FetchPolicyTest, ChecksResolvedAddresses) {
  FetchPolicy policy("http://gallery.example:8080", {"cdn.example", "10.0.0.5", "[::1]:81", "127.0.0.2:9000"});
  auto check = [&](const std::string& ip, unsigned port) { return policy.check_address(*address_from_text(ip, port)); };
  EXPECT_FALSE(check("93.184.216.34", 80));  // public
  auto refused = check("127.0.0.1", 8080);
  ASSERT_TRUE(refused);
  EXPECT_NE(refused->find("127.0.0.1:8080"), std::string::npos) << *refused;
  EXPECT_NE(refused->find("loopback"), std::string::npos) << *refused;
  EXPECT_NE(check("169.254.169.254", 80)->find("link-local"), std::string::npos);
  EXPECT_NE(check("192.168.0.10", 80)->find("private"), std::string::npos);
  // Allowed by address: any port of 10.0.0.5, only port 81 of ::1, only 9000 of 127.0.0.2.
  EXPECT_FALSE(check("10.0.0.5", 1234));
  EXPECT_FALSE(check("::1", 81));
  EXPECT_TRUE(check("::1", 82));
  EXPECT_FALSE(check("127.0.0.2", 9000));
  EXPECT_TRUE(check("127.0.0.2", 9001));
  // Where the API client found the server: that address and port only.
  policy.note_server_address(*address_from_text("127.0.0.1", 8080));
  EXPECT_FALSE(check("127.0.0.1", 8080));
  EXPECT_FALSE(check("::ffff:127.0.0.1", 8080));
  EXPECT_TRUE(check("127.0.0.1", 8081));
}

TEST(FetchPolicyTest, AllowedHostsComeFromTheOptionsAndTheEnvironment) {
  EXPECT_EQ(allowed_hosts_from({"a.example", " "}, " b.example:81, ,c.example "),
            (std::vector<std::string>{"a.example", "b.example:81", "c.example"}));
  EXPECT_EQ(allowed_hosts_from({}, nullptr), std::vector<std::string>{});
}

TEST(SafeRelativePathTest, NeverLeavesTheFolder) {
  EXPECT_EQ(safe_relative_path("a/b.png"), fs::path("a/b.png"));
  EXPECT_EQ(safe_relative_path("./a//b.png"), fs::path("a/b.png"));
  EXPECT_EQ(safe_relative_path("a\\b.png"), fs::path("a/b.png"));
  EXPECT_EQ(safe_relative_path("a/x/../b.png"), fs::path("a/b.png"));
  EXPECT_EQ(safe_relative_path("a b.png"), fs::path("a b.png"));
  for (const char* bad :
       {"../x", "a/../../x", "/etc/passwd", "\\\\server\\x", "C:/x", "C:\\x", "a/..", "", ".", "http://h/x.png"}) {
    EXPECT_FALSE(safe_relative_path(bad).has_value()) << bad;
  }
  EXPECT_FALSE(safe_relative_path(std::string("a\0b", 3)).has_value());
}

AssetInfo asset_with(FormatInfo format) {
  AssetInfo asset;
  asset.id = "1";
  asset.formats = {std::move(format)};
  return asset;
}

TEST(PlanFetchTest, FetchesThePublishedFilesAtTheirPaths) {
  FormatInfo format{"GLTF2", "http://s:1/files/a/sub/scene.gltf", true,
                    std::vector<PublishedFile>{{"http://s:1/files/a/sub/scene.gltf", "sub/scene.gltf"},
                                               {"http://s:1/files/a/sub/scene.bin", "sub/scene.bin"},
                                               {"http://s:1/files/a/sub/t/a%20b.png", "sub/t/a b.png"},
                                               {"http://s:1/files/a/sub/scene.bin", "sub/scene.bin"}}};
  FetchPlan plan = plan_fetch(asset_with(format));
  EXPECT_TRUE(plan.published);
  EXPECT_EQ(plan.main.url, "http://s:1/files/a/sub/scene.gltf");
  EXPECT_EQ(plan.main.local, fs::path("sub/scene.gltf"));
  ASSERT_EQ(plan.side.size(), 2u);  // the duplicate once
  EXPECT_EQ(plan.side[0].local, fs::path("sub/scene.bin"));
  EXPECT_EQ(plan.side[1].url, "http://s:1/files/a/sub/t/a%20b.png");
  EXPECT_EQ(plan.side[1].local, fs::path("sub/t/a b.png"));
}

TEST(PlanFetchTest, PlacesFilesGivenByUrlOnlyBesideTheMainFile) {
  FormatInfo format{"GLTF2", "https://cdn.example/m/1/scene.gltf", true,
                    std::vector<PublishedFile>{{"https://cdn.example/m/1/scene.bin", ""},
                                               {"https://cdn.example/m/1/tex/a%20b.png", ""},
                                               {"https://other.example/x/shared.png?v=2", ""}}};
  FetchPlan plan = plan_fetch(asset_with(format));
  EXPECT_EQ(plan.main.local, fs::path("scene.gltf"));
  ASSERT_EQ(plan.side.size(), 3u);
  EXPECT_EQ(plan.side[0].local, fs::path("scene.bin"));
  EXPECT_EQ(plan.side[1].local, fs::path("tex/a b.png"));
  EXPECT_EQ(plan.side[2].local, fs::path("shared.png"));  // elsewhere: by its file name
}

TEST(PlanFetchTest, RefusesWhatCannotBeFetchedSafely) {
  EXPECT_THROW(plan_fetch(AssetInfo{}), FetchError);
  EXPECT_THROW(plan_fetch(asset_with({"GLB", "file:///etc/passwd", true, std::nullopt})), FetchError);
  EXPECT_THROW(plan_fetch(asset_with({"GLTF2", "http://s/a/m.gltf", true,
                                      std::vector<PublishedFile>{{"http://s/a/x.bin", "../../x.bin"}}})),
               FetchError);
  EXPECT_THROW(plan_fetch(asset_with(
                   {"GLTF2", "http://s/a/m.gltf", true, std::vector<PublishedFile>{{"ftp://s/a/x.bin", "x.bin"}}})),
               FetchError);
  try {
    plan_fetch(asset_with({"GLB", "not a url", true, std::nullopt}));
    FAIL();
  } catch (const FetchError& error) {
    EXPECT_FALSE(error.transient);
  }
  // No file list (the spec's listing): the main file alone, named by its URL.
  FetchPlan compat = plan_fetch(asset_with({"OBJ", "http://s/a/model%201.obj", true, std::nullopt}));
  EXPECT_FALSE(compat.published);
  EXPECT_EQ(compat.main.local, fs::path("model 1.obj"));
  EXPECT_TRUE(compat.side.empty());
}

TEST(DownloadCacheTest, EachWorkerHasItsOwnFolderAndAbandonedOnesGo) {
  test::ScratchDir scratch("thumbgen-download-cache");
  const fs::path root = scratch / "downloads";
  fs::create_directories(root / "assets" / "old");  // an earlier version's layout
  std::ofstream(root / "assets" / "old" / "model.glb") << "x";
  fs::create_directories(root / "worker-dead00");  // a worker that died: its lock file is not held
  std::ofstream(root / "worker-dead00.lock") << "";
  {
    DownloadCache live(root, 1000);
    EXPECT_FALSE(fs::exists(root / "assets"));
    EXPECT_FALSE(fs::exists(root / "worker-dead00"));
    EXPECT_FALSE(fs::exists(root / "worker-dead00.lock"));
    fs::path first = live.new_asset_folder();
    std::ofstream(first / "a.bin") << "12345";
    live.charge(first, 600);
    EXPECT_EQ(live.room(), 400u);
    {
      DownloadCache other(root, 1000);  // a second worker on the same cache keeps its hands off the first's files
      EXPECT_TRUE(fs::exists(first / "a.bin"));
      EXPECT_NE(other.new_asset_folder().parent_path(), first.parent_path());
    }
    live.discard(first);
    EXPECT_FALSE(fs::exists(first));
    EXPECT_EQ(live.room(), 1000u);
    EXPECT_TRUE(live.empty());
  }
  std::vector<fs::path> left;
  for (const auto& entry : fs::directory_iterator(root))
    if (entry.path().filename() != ".lock") left.push_back(entry.path());
  EXPECT_TRUE(left.empty()) << ::testing::PrintToString(left);
}

class FileDownloaderTest : public ::testing::Test {
 protected:
  test::ScratchDir scratch_{"thumbgen-file-downloader"};
  TinyHttpServer local_{"127.0.0.1", [](const std::string& path, int) {
                          if (path == "/moved") return TinyReply{301, "", {{"Location", "/model.glb"}}};
                          return TinyReply{200, "glTF-bytes", {}};
                        }};
  std::string port() const { return std::to_string(local_.port()); }
};

TEST_F(FileDownloaderTest, RefusesAResolvedLoopbackAddressBeforeConnecting) {
  // "localhost" is allowed by name; the address it resolves to is loopback, not the server's, not allowed as such.
  FetchPolicy policy("http://127.0.0.1:1", {"localhost:" + port()});
  FileDownloader downloader(policy, HttpLimits{});
  try {
    downloader.download("http://localhost:" + port() + "/model.glb", scratch_ / "model.glb", 1 << 20);
    FAIL() << "connected";
  } catch (const DownloadRefusedError& refused) {
    EXPECT_NE(std::string(refused.what()).find("loopback"), std::string::npos) << refused.what();
  }
  EXPECT_EQ(local_.connections(), 0);  // refused before the socket existed
  EXPECT_FALSE(fs::exists(scratch_ / "model.glb"));
}

TEST_F(FileDownloaderTest, ConnectsWhereTheServerIsOrWhereAllowedByAddress) {
  FetchPolicy by_address("http://127.0.0.1:1", {"127.0.0.1:" + port()});
  FileDownloader allowed(by_address, HttpLimits{});
  EXPECT_EQ(allowed.download("http://127.0.0.1:" + port() + "/moved", scratch_ / "a.glb", 1 << 20).status, 200);
  EXPECT_EQ(local_.requests("/model.glb"), 1);  // the redirect was followed (same host)

  FetchPolicy server_here("http://localhost:" + port(), {});
  server_here.note_server_address(*address_from_text("127.0.0.1", local_.port()));
  FileDownloader from_server(server_here, HttpLimits{});
  EXPECT_EQ(from_server.download("http://localhost:" + port() + "/model.glb", scratch_ / "b.glb", 1 << 20).status, 200);
  std::ifstream in(scratch_ / "b.glb");
  std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(body, "glTF-bytes");
}

TEST_F(FileDownloaderTest, StopsAtTooManyRedirects) {
  TinyHttpServer loop("127.0.0.2", [](const std::string&, int) {
    return TinyReply{302, "", {{"Location", "/again"}}};
  });
  FetchPolicy policy("http://127.0.0.1:1", {"127.0.0.2:" + std::to_string(loop.port())});
  FileDownloader downloader(policy, HttpLimits{});
  EXPECT_THROW(downloader.download(loop.origin() + "/start", scratch_ / "x", 1 << 20), DownloadRefusedError);
  EXPECT_EQ(loop.connections(), FileDownloader::kMaxRedirects + 1);
}

}  // namespace
}  // namespace thumbgen::worker
