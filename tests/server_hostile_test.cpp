// Hostile clients over real HTTP against a real `thumbgen serve`: 40+ malicious thumbnail uploads (each with its
// expected status and a check that nothing was stored), hostile framings (oversized, chunked, gzip, slow bodies),
// JWT attacks, and slow/idle connections that must not starve other clients. Every fixture is generated (images by
// tests/support/images).
#include <gtest/gtest.h>
#include <openssl/hmac.h>
#include <turbojpeg.h>
#include <zlib.h>

#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <functional>
#include <set>
#include <thread>

#include "server/auth_jwt.h"
#include "server/catalogue.h"
#include "support/http_client.h"
#include "support/images.h"
#include "support/server_login.h"
#include "support/server_process.h"
#include "util/base64.h"

namespace thumbgen {
namespace {

namespace fs = std::filesystem;
using server::Catalogue;
using test::base64;
using test::bearer;
using test::Bytes;
using test::http_request;
using test::HttpResult;
using test::login_token;
using test::make_jpeg;
using test::make_png;
using test::make_png_with_idat;
using test::PngSpec;
using test::raw_request;
using test::ServerProcess;
using test::text_bytes;
using test::with_jpeg_dimensions;
using test::zlib_compress;
using Clock = std::chrono::steady_clock;

constexpr std::uint64_t kBodyLimit = 4 * 1024 * 1024;
constexpr std::int64_t kEmptyAssetId = 10, kKeptAssetId = 11;
const std::string kEmptyAsset = "hostile-empty", kKeptAsset = "hostile-kept";

// ---- fixtures ------------------------------------------------------------------------------------------------

std::string upload_json(const std::string& base64_text) {
  return nlohmann::json{{"thumbnail_base64", base64_text}}.dump();
}

// A 32×32 JPEG that claims other dimensions.
Bytes jpeg_with_dimensions(int width, int height) { return with_jpeg_dimensions(make_jpeg(32, 32), width, height); }

// Offset of the first byte of entropy-coded data (after the SOS segment).
std::size_t jpeg_scan_start(const Bytes& jpeg) {
  for (std::size_t i = 2; i + 4 < jpeg.size(); ++i)
    if (jpeg[i] == 0xFF && jpeg[i + 1] == 0xDA) return i + 2 + ((jpeg[i + 2] << 8) | jpeg[i + 3]);
  ADD_FAILURE() << "no SOS";
  return 0;
}

// An 8×8 (or spec-sized) RGB PNG whose IDAT inflates to `raw_bytes` zero bytes: more or less than the image needs.
Bytes png_inflating_to(std::size_t raw_bytes, PngSpec spec = {}) {
  return make_png_with_idat(spec, zlib_compress(Bytes(raw_bytes, 0)));
}

Bytes gzip_bytes(const std::string& text) {
  z_stream stream{};
  EXPECT_EQ(deflateInit2(&stream, 9, Z_DEFLATED, 16 + 15, 8, Z_DEFAULT_STRATEGY), Z_OK);
  Bytes out(text.size() + 1024);
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  stream.avail_in = static_cast<uInt>(text.size());
  stream.next_out = out.data();
  stream.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&stream, Z_FINISH), Z_STREAM_END);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

Bytes concat(Bytes a, const Bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// ---- the hostile upload suite --------------------------------------------------------------------------------

struct HostileUpload {
  std::string name;
  std::function<std::string()> body;  // the whole HTTP body
  int status;
  std::string content_type = "application/json";
};

std::vector<HostileUpload> hostile_uploads() {
  const Bytes jpeg = make_jpeg(64, 48);
  const Bytes png = make_png({});
  auto json_of = [](Bytes bytes) { return [bytes] { return upload_json(base64(bytes)); }; };
  auto json_text = [](std::string text) { return [text] { return text; }; };
  return {
      // Truncated and corrupt JPEG.
      {"TruncatedJpegHalf", json_of(Bytes(jpeg.begin(), jpeg.begin() + jpeg.size() / 2)), 422},
      {"TruncatedJpegHeaderOnly", json_of(Bytes(jpeg.begin(), jpeg.begin() + 20)), 422},
      {"JpegWithoutEndMarker", json_of(Bytes(jpeg.begin(), jpeg.end() - 2)), 422},
      {"JpegMagicOnly", json_of({0xFF, 0xD8, 0xFF}), 422},
      {"JpegScanReplacedByMarkers",
       [jpeg] {
         Bytes bad = jpeg;
         for (std::size_t i = jpeg_scan_start(bad); i + 2 < bad.size(); i += 2) bad[i] = 0xFF, bad[i + 1] = 0xD0;
         return upload_json(base64(bad));
       },
       422},
      {"JpegZeroWidth", json_of(jpeg_with_dimensions(0, 32)), 422},
      {"JpegZeroHeight", json_of(jpeg_with_dimensions(32, 0)), 422},
      {"JpegHugeDimensions", json_of(jpeg_with_dimensions(60000, 60000)), 413},
      {"JpegBeyondDecoderDimensions", json_of(jpeg_with_dimensions(65535, 65535)), 422},  // libjpeg's own limit
      {"JpegJustOverWidthLimit", json_of(jpeg_with_dimensions(2049, 16)), 413},
      {"JpegCmyk", json_of(make_jpeg(16, 16, {.pixel_format = TJPF_CMYK})), 422},
      // Truncated and corrupt PNG, decompression bombs.
      {"TruncatedPng", json_of(Bytes(png.begin(), png.begin() + png.size() / 2)), 422},
      {"PngMagicOnly", json_of(Bytes(png.begin(), png.begin() + 8)), 422},
      {"PngBadIhdrCrc", json_of(make_png({.bad_ihdr_crc = true})), 422},
      {"PngBadIdatCrc", json_of(make_png({.bad_idat_crc = true})), 422},
      {"PngWithoutIend", json_of(make_png({.omit_iend = true})), 422},
      {"PngZeroDimensions", json_of(make_png({.width = 0, .height = 0})), 422},
      {"PngBombHugeDimensions", json_of(png_inflating_to(64 << 20, {.width = 30000, .height = 30000})), 413},
      {"PngBombOverHeightLimit", json_of(png_inflating_to(49 * 2049, {.width = 16, .height = 2049})), 413},
      {"PngTooLittleImageData", json_of(png_inflating_to(100, {.width = 64, .height = 64})), 422},
      // Other types and polyglots: never stored.
      {"Gif", json_of(text_bytes("GIF89a\x01\x00\x01\x00\x00\x00\x00;")), 415},
      {"Svg", json_of(text_bytes("<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>")), 415},
      {"Html", json_of(text_bytes("<!DOCTYPE html><html><script>alert(document.cookie)</script></html>")), 415},
      {"WebP", json_of(text_bytes(std::string("RIFF\x24\x00\x00\x00WEBPVP8 \x18\x00\x00\x00", 20) + "0000")), 415},
      {"Elf",
       json_of(text_bytes(std::string("\x7f"
                                      "ELF\x02\x01\x01\x00",
                                      8) +
                          std::string(56, '\0'))),
       415},
      {"Bmp", json_of(text_bytes(std::string("BM\x3a\x00\x00\x00", 6) + std::string(52, '\0'))), 415},
      {"Pdf", json_of(text_bytes("%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF")), 415},
      {"PolyglotHtmlThenJpeg", json_of(concat(text_bytes("<html><script>x()</script>"), jpeg)), 415},
      {"PolyglotJpegMagicThenScript", json_of(concat({0xFF, 0xD8, 0xFF}, text_bytes("<script>alert(1)</script>"))),
       422},
      {"PolyglotZipThenPng", json_of(concat(text_bytes("PK\x03\x04"), png)), 415},
      {"DataUrlGif", json_text(upload_json("data:image/gif;base64," + base64(text_bytes("GIF89a")))), 415},
      {"DataUrlSvg", json_text(upload_json("data:image/svg+xml;base64," + base64(text_bytes("<svg/>")))), 415},
      {"DataUrlHtmlHoldingJpeg", json_text(upload_json("data:text/html;base64," + base64(jpeg))), 415},
      // Bad base64.
      {"Base64InvalidCharacters", json_text(upload_json("@@@@!!!!")), 400},
      {"Base64Urlsafe",
       [jpeg] {
         std::string text = base64(jpeg);
         EXPECT_NE(text.find_first_of("+/"), std::string::npos);
         for (char& c : text) c = c == '+' ? '-' : c == '/' ? '_' : c;
         return upload_json(text);
       },
       400},
      {"Base64LineBroken",
       [jpeg] {
         std::string text = base64(jpeg), broken;
         for (std::size_t i = 0; i < text.size(); i += 76) broken += text.substr(i, 76) + "\r\n";
         return upload_json(broken);
       },
       400},
      {"Base64WithSpaces", json_text(upload_json(" " + base64(jpeg))), 400},
      {"Base64MissingPadding",
       [jpeg] {
         Bytes padded = jpeg;
         while (padded.size() % 3 == 0) padded.push_back(0);  // so that the text ends in '='
         std::string text = base64(padded);
         while (!text.empty() && text.back() == '=') text.pop_back();
         return upload_json(text);
       },
       400},
      {"Base64DataAfterPadding", json_text(upload_json(base64(text_bytes("ab")) + "AAAA")), 400},
      {"Base64DataUrlWithoutBase64", json_text(upload_json("data:image/jpeg," + base64(jpeg))), 400},
      {"Base64Empty", json_text(upload_json("")), 400},
      {"Base64OnlyDataUrlPrefix", json_text(upload_json("data:image/jpeg;base64,")), 400},
      // Bad JSON bodies.
      {"MissingThumbnailField", json_text(R"({"thumbnail":"abc"})"), 400},
      {"ThumbnailFieldNull", json_text(R"({"thumbnail_base64":null})"), 400},
      {"ThumbnailFieldNumber", json_text(R"({"thumbnail_base64":12345})"), 400},
      {"ThumbnailFieldArray", json_text(R"({"thumbnail_base64":["/9j/"]})"), 400},
      {"JsonArray", json_text(R"(["thumbnail_base64"])"), 400},
      {"JsonString", json_text(R"("thumbnail_base64")"), 400},
      {"JsonTruncated", json_text(R"({"thumbnail_base64":"/9j/)"), 400},
      {"EmptyBody", json_text(""), 400},
      // Bodies that say they are not JSON: 415 before anything is parsed.
      {"RawJpegBody", [jpeg] { return std::string(jpeg.begin(), jpeg.end()); }, 415, "image/jpeg"},
      {"MultipartForm",
       [jpeg] {
         return "--x\r\nContent-Disposition: form-data; name=\"thumbnail\"; filename=\"a.jpg\"\r\n\r\n" +
                std::string(jpeg.begin(), jpeg.end()) + "\r\n--x--\r\n";
       },
       415, "multipart/form-data; boundary=x"},
      {"FormUrlEncoded", json_text("thumbnail_base64=" + base64(text_bytes("abc"))), 400,
       "application/x-www-form-urlencoded"},
  };
}

std::set<std::string> files_under(const fs::path& folder) {
  std::set<std::string> files;
  std::error_code ec;
  if (!fs::exists(folder, ec)) return files;
  for (const auto& entry : fs::recursive_directory_iterator(folder, ec))
    if (entry.is_regular_file()) files.insert(entry.path().string());
  return files;
}

class ServerHostileTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new ServerProcess();
    ASSERT_EQ(server_->add_user("admin", "admin-password", true), 0);
    fs::create_directories(server_->data());
    {
      Catalogue catalogue(server_->data() / "catalogue.sqlite3", 1);
      for (auto [url, id] : {std::pair{kEmptyAsset, kEmptyAssetId}, std::pair{kKeptAsset, kKeptAssetId}}) {
        server::AssetRecord record;
        record.id = id;
        record.url = url;
        record.name = url;
        record.formats.push_back({"GLB", "https://cdn.example/" + url + ".glb", true, {}});
        catalogue.upsert_asset(record);
      }
    }
    // The slow-client test holds 500 connections from the one loopback address: no per-address cap for it to hit.
    server_->start(
        {}, {"THUMBGEN_BODY_LIMIT=" + std::to_string(kBodyLimit), "THUMBGEN_MAX_CONNECTIONS_PER_ADDRESS=100000"});
    token_ = login_token(server_->port(), "admin", "admin-password");
    ASSERT_FALSE(token_.empty()) << server_->log();
    HttpResult kept = upload(kKeptAsset, upload_json(base64(make_jpeg(40, 30))));
    ASSERT_EQ(kept.status, 200) << kept.body;
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  static HttpResult upload(const std::string& asset, const std::string& body,
                           const std::string& content_type = "application/json") {
    return http_request(server_->port(), "POST", "/api/v1/admin/assets/" + asset + "/thumbnail", body,
                        {{"Authorization", "Bearer " + token_}, {"Content-Type", content_type}});
  }
  static std::string auth_header() { return "Authorization: Bearer " + token_ + "\r\n"; }
  static Catalogue& catalogue() {
    static Catalogue instance(server_->data() / "catalogue.sqlite3", 2);
    return instance;
  }
  static fs::path media() { return server_->data() / "media"; }

  // What "nothing stored" means: the empty asset still has no thumbnail, the kept one still points at its file,
  // and not one file appeared under media/.
  struct Snapshot {
    std::optional<std::string> empty_thumbnail, kept_thumbnail;
    std::set<std::string> media_files;
  };
  static Snapshot snapshot() {
    return {catalogue().thumbnail_of(kEmptyAssetId), catalogue().thumbnail_of(kKeptAssetId), files_under(media())};
  }
  static void expect_nothing_stored(const Snapshot& before) {
    Snapshot after = snapshot();
    EXPECT_FALSE(after.empty_thumbnail.has_value()) << *after.empty_thumbnail;
    ASSERT_TRUE(after.kept_thumbnail.has_value());
    EXPECT_EQ(after.kept_thumbnail, before.kept_thumbnail);
    EXPECT_EQ(after.media_files, before.media_files);
    EXPECT_EQ(http_request(server_->port(), "GET", "/media/" + *after.kept_thumbnail).status, 200);
  }

  static ServerProcess* server_;
  static std::string token_;
};

ServerProcess* ServerHostileTest::server_ = nullptr;
std::string ServerHostileTest::token_;

// One test over the whole table (ctest runs every test in its own process: one server, not fifty); each case
// reports under its own name.
TEST_F(ServerHostileTest, HostileUploadsAreRefusedWithTheirStatusAndStoreNothing) {
  const std::vector<HostileUpload> cases = hostile_uploads();
  EXPECT_GE(cases.size(), 30u);
  for (const HostileUpload& upload_case : cases) {
    SCOPED_TRACE(upload_case.name);
    const std::string body = upload_case.body();
    Snapshot before = snapshot();
    for (const std::string& asset : {kEmptyAsset, kKeptAsset}) {
      HttpResult result = upload(asset, body, upload_case.content_type);
      EXPECT_EQ(result.status, upload_case.status) << upload_case.name << " -> " << asset << ": " << result.body;
      EXPECT_TRUE(result.json().is_object() && result.json()["detail"].is_string()) << result.body;
    }
    expect_nothing_stored(before);
  }
}

// The positive control: a JPEG with HTML appended is accepted only as its re-encoded pixels.
TEST_F(ServerHostileTest, AcceptedPolyglotIsReencodedWithoutTheTrailer) {
  Bytes polyglot = concat(make_jpeg(64, 48), text_bytes("<html><script>alert(1)</script></html>"));
  EXPECT_EQ(upload("no-such-asset", upload_json(base64(polyglot))).status, 404);
  {
    server::AssetRecord record;
    record.id = 12;
    record.url = "hostile-control";
    catalogue().upsert_asset(record);
  }
  HttpResult result = upload("hostile-control", upload_json(base64(polyglot)));
  ASSERT_EQ(result.status, 200) << result.body;
  std::string key = *catalogue().thumbnail_of(12);
  HttpResult stored = http_request(server_->port(), "GET", "/media/" + key);
  ASSERT_EQ(stored.status, 200);
  EXPECT_EQ(stored.body.find("<script>"), std::string::npos);
  EXPECT_EQ(static_cast<unsigned char>(stored.body[stored.body.size() - 1]), 0xD9);
}

// A tiny image whose IDAT inflates to 64 MiB: libspng reads only the rows the image needs, so the work is bounded
// and what is stored is the re-encoded 8x8 picture (the trailing inflated data is never expanded).
TEST_F(ServerHostileTest, PngWithHugeTrailingImageDataCostsOnlyItsPixels) {
  {
    server::AssetRecord record;
    record.id = 13;
    record.url = "hostile-trailing";
    catalogue().upsert_asset(record);
  }
  // No wall-clock bound here (it failed on a loaded 2-core machine): the cost is bench/'s business; this checks the
  // upload is accepted and what is stored is the small re-encoded picture, not the inflated data.
  HttpResult result = upload("hostile-trailing", upload_json(base64(png_inflating_to(64 << 20))));
  ASSERT_EQ(result.status, 200) << result.body;
  HttpResult stored = http_request(server_->port(), "GET", "/media/" + *catalogue().thumbnail_of(13));
  ASSERT_EQ(stored.status, 200);
  EXPECT_LT(stored.body.size(), 2000u);
}

TEST_F(ServerHostileTest, OversizedContentLengthIs413BeforeTheBodyIsSent) {
  Snapshot before = snapshot();
  // Only the headers go out: the answer must come without a single body byte (a server waiting for the body would
  // leave raw_request to time out with no status).
  HttpResult result = raw_request(server_->port(),
                                  "POST /api/v1/admin/assets/" + kEmptyAsset +
                                      "/thumbnail HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth_header() +
                                      "Content-Type: application/json\r\n"
                                      "Content-Length: 100000000000\r\n\r\n",
                                  std::chrono::seconds(5));
  EXPECT_EQ(result.status, 413);
  EXPECT_EQ(raw_request(server_->port(),
                        "POST /api/v1/admin/assets/" + kEmptyAsset + "/thumbnail HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
                            auth_header() + "Content-Length: " + std::to_string(kBodyLimit + 1) + "\r\n\r\n",
                        std::chrono::seconds(5))
                .status,
            413);
  expect_nothing_stored(before);
}

TEST_F(ServerHostileTest, ChunkedBodyOverTheLimitIs413) {
  Snapshot before = snapshot();
  std::string raw = "POST /api/v1/admin/assets/" + kEmptyAsset + "/thumbnail HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
                    auth_header() + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
  // A valid JSON prefix so only the size can be the reason.
  std::string prefix = R"({"thumbnail_base64":")";
  char size[16];
  std::snprintf(size, sizeof size, "%zx\r\n", prefix.size());
  raw += size + prefix + "\r\n";
  std::string chunk(64 * 1024, 'A');
  std::snprintf(size, sizeof size, "%zx\r\n", chunk.size());
  for (std::uint64_t sent = 0; sent <= kBodyLimit; sent += chunk.size()) raw += size + chunk + "\r\n";
  raw += "0\r\n\r\n";
  EXPECT_EQ(raw_request(server_->port(), raw).status, 413);
  expect_nothing_stored(before);
}

TEST_F(ServerHostileTest, ChunkedHostileBodyIsValidatedLikeAnyOther) {
  Snapshot before = snapshot();
  Bytes truncated = make_jpeg(64, 48);
  truncated.resize(truncated.size() / 2);
  std::string body = upload_json(base64(truncated));
  std::string raw = "POST /api/v1/admin/assets/" + kEmptyAsset + "/thumbnail HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
                    auth_header() + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (std::size_t at = 0; at < body.size(); at += 100) {
    std::string piece = body.substr(at, 100);
    char size[16];
    std::snprintf(size, sizeof size, "%zx\r\n", piece.size());
    raw += size + piece + "\r\n";
  }
  raw += "0\r\n\r\n";
  EXPECT_EQ(raw_request(server_->port(), raw).status, 422);
  expect_nothing_stored(before);
}

TEST_F(ServerHostileTest, GzipBodyIs415EvenWhenItHoldsAValidUpload) {
  Snapshot before = snapshot();
  Bytes gz = gzip_bytes(upload_json(base64(make_jpeg(64, 48))));
  for (const char* encoding : {"gzip", "deflate", "br", "GZIP"}) {
    HttpResult result = http_request(server_->port(), "POST", "/api/v1/admin/assets/" + kEmptyAsset + "/thumbnail",
                                     std::string(gz.begin(), gz.end()),
                                     {{"Authorization", "Bearer " + token_}, {"Content-Encoding", encoding}});
    EXPECT_EQ(result.status, 415) << encoding;
  }
  expect_nothing_stored(before);
}

// ---- JWT attacks over HTTP -------------------------------------------------------------------------------------

std::string b64url(std::string_view text) { return util::encode_base64url(Bytes(text.begin(), text.end())); }

std::string hmac_b64url(const EVP_MD* md, const Bytes& secret, std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(md, secret.data(), static_cast<int>(secret.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), digest, &length);
  return util::encode_base64url(Bytes(digest, digest + length));
}

std::string craft(const std::string& header, const std::string& payload, const Bytes& secret,
                  const EVP_MD* md = EVP_sha256()) {
  std::string input = b64url(header) + "." + b64url(payload);
  return input + "." + hmac_b64url(md, secret, input);
}

TEST_F(ServerHostileTest, JwtAttacksAre401WithTheSpecDetail) {
  server::JwtKeyring keyring = server::load_or_create_keyring(server_->data() / "keys");
  const Bytes& secret = keyring.signing_key().secret;
  const std::string kid = keyring.signing_key().kid;
  const std::int64_t now = std::time(nullptr);
  // The admin's auth stamp, as a real login signs it: a crafted token needs it to be current.
  const std::string issued = token_.substr(token_.find('.') + 1, token_.rfind('.') - token_.find('.') - 1);
  Bytes issued_payload;
  ASSERT_TRUE(util::decode_base64url_strict(issued, issued_payload));
  const std::string stamp = nlohmann::json::parse(issued_payload.begin(), issued_payload.end()).at("stamp");
  const auto claims_json = [&](std::int64_t exp, bool with_stamp) {
    return R"({"sub":"admin","iat":)" + std::to_string(now) + R"(,"exp":)" + std::to_string(exp) +
           (with_stamp ? R"(,"stamp":")" + stamp + R"(")" : std::string()) + "}";
  };
  const std::string payload = claims_json(now + 600, true);
  const std::string hs256 = R"({"alg":"HS256","typ":"JWT","kid":")" + kid + R"("})";
  const std::string valid = craft(hs256, payload, secret);
  const std::string target = "/api/v1/admin/assets/missing-thumbnails?limit=1";
  auto get = [&](const std::string& authorization) {
    return http_request(server_->port(), "GET", target, "", {{"Authorization", authorization}});
  };
  ASSERT_EQ(get("Bearer " + valid).status, 200);  // the crafting is right, so each attack fails for its reason

  const std::string valid_payload = valid.substr(valid.find('.') + 1, valid.rfind('.') - valid.find('.') - 1);
  std::string tampered = valid;
  tampered.replace(valid.find('.') + 1, valid_payload.size(), b64url(claims_json(now + 999999, true)));
  Bytes wrong_secret(32, 0x42);
  server::JwtClaims expired{"admin", now - 7200, 0, now - 120};
  server::JwtClaims not_yet{"admin", now, now + 600, now + 3600};
  server::JwtClaims stranger{"nobody", now, 0, now + 600};
  const std::vector<std::pair<std::string, std::string>> attacks = {
      {"alg none", b64url(R"({"alg":"none","typ":"JWT"})") + "." + b64url(payload) + "."},
      {"alg None signed", craft(R"({"alg":"None","typ":"JWT","kid":")" + kid + R"("})", payload, secret)},
      {"HS512 header", craft(R"({"alg":"HS512","typ":"JWT","kid":")" + kid + R"("})", payload, secret, EVP_sha512())},
      {"RS256 header", craft(R"({"alg":"RS256","typ":"JWT","kid":")" + kid + R"("})", payload, secret)},
      {"tampered payload", tampered},
      {"tampered signature", valid.substr(0, valid.size() - 2) + (valid.ends_with("AA") ? "BB" : "AA")},
      {"expired", server::jwt_sign(keyring, expired)},
      {"not yet valid", server::jwt_sign(keyring, not_yet)},
      {"wrong key", craft(hs256, payload, wrong_secret)},
      {"unknown kid", craft(R"({"alg":"HS256","typ":"JWT","kid":"other"})", payload, wrong_secret)},
      {"unknown user", server::jwt_sign(keyring, stranger)},
      {"no exp", craft(hs256, R"({"sub":"admin"})", secret)},
      {"no auth stamp", craft(hs256, claims_json(now + 600, false), secret)},
      {"stale auth stamp", craft(hs256,
                                 R"({"sub":"admin","iat":)" + std::to_string(now) + R"(,"exp":)" +
                                     std::to_string(now + 600) + R"(,"stamp":"0123456789abcdef"})",
                                 secret)},
      {"malformed word", "garbage"},
      {"malformed two parts", valid.substr(0, valid.rfind('.'))},
      {"malformed four parts", valid + ".AAAA"},
      {"malformed padding", valid + "="},
      {"malformed dots", "..."},
      {"huge token",
       std::string(5000, 'a') + "." + std::string(4000, 'b') + ".c"},  // over 8 KiB, under the header limit
  };
  for (const auto& [name, token] : attacks) {
    HttpResult result = get("Bearer " + token);
    EXPECT_EQ(result.status, 401) << name;
    EXPECT_EQ(result.json()["detail"], "Invalid or expired token") << name << ": " << result.body;
    EXPECT_EQ(result.header("www-authenticate"), "Bearer") << name;
  }

  // No bearer token at all: the spec's other text.
  for (const std::string& authorization : std::vector<std::string>{
           valid, "Basic YWRtaW46YWRtaW4tcGFzc3dvcmQ=", "Token " + valid, "Bearer", "Bearer ", std::string("bearer")}) {
    HttpResult result = get(authorization);
    EXPECT_EQ(result.status, 401) << authorization;
    EXPECT_EQ(result.json()["detail"], "JWT token required") << authorization;
  }
  HttpResult absent = http_request(server_->port(), "GET", target);
  EXPECT_EQ(absent.status, 401);
  EXPECT_EQ(absent.json()["detail"], "JWT token required");

  // And the upload endpoint: a forged token stores nothing.
  Snapshot before = snapshot();
  for (const auto& [name, token] : attacks) {
    HttpResult result = http_request(server_->port(), "POST", "/api/v1/admin/assets/" + kEmptyAsset + "/thumbnail",
                                     upload_json(base64(make_jpeg(16, 16))), bearer(token));
    EXPECT_EQ(result.status, 401) << name;
  }
  expect_nothing_stored(before);
}

// ---- slow and idle clients -------------------------------------------------------------------------------------

// Sends one header byte every `interval` on `count` connections for `duration` (slowloris).
class Trickler {
 public:
  Trickler(unsigned short port, int count) {
    for (int i = 0; i < count; ++i) {
      sockets_.emplace_back(io_);
      boost::system::error_code ec;
      sockets_.back().connect({boost::asio::ip::make_address("127.0.0.1"), port}, ec);
    }
  }
  // Writes the next byte of a never-ending header on every connection; counts the connections still writable.
  int trickle() {
    static const std::string header = "GET /healthz HTTP/1.1\r\nX-Slow: ";
    int open = 0;
    for (auto& socket : sockets_) {
      char byte = sent_ < header.size() ? header[sent_] : 'a';
      boost::system::error_code ec;
      boost::asio::write(socket, boost::asio::buffer(&byte, 1), ec);
      if (!ec) ++open;
    }
    ++sent_;
    return open;
  }

 private:
  boost::asio::io_context io_;
  std::vector<boost::asio::ip::tcp::socket> sockets_;
  std::size_t sent_ = 0;
};

TEST_F(ServerHostileTest, FiveHundredIdleAndSlowConnectionsDoNotStopOtherClients) {
  std::vector<std::unique_ptr<test::IdleConnection>> idle;
  for (int i = 0; i < 250; ++i) idle.push_back(std::make_unique<test::IdleConnection>(server_->port()));
  Trickler slow(server_->port(), 250);
  for (int round = 0; round < 3; ++round) {
    EXPECT_EQ(slow.trickle(), 250);
    for (int i = 0; i < 5; ++i) {
      auto start = Clock::now();
      HttpResult result = http_request(server_->port(), "GET", "/api/v1/admin/assets/missing-thumbnails?limit=5", "",
                                       bearer(token_), std::chrono::seconds(5));
      EXPECT_EQ(result.status, 200);
      EXPECT_LT(Clock::now() - start, std::chrono::milliseconds(2000)) << "round " << round;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(700));
  }
  for (const auto& connection : idle) EXPECT_TRUE(connection->is_open());
}

// A server with short deadlines: a body sent one byte per second is cut off at the request deadline while another
// client is served meanwhile.
TEST(ServerSlowClientTest, SlowBodyTimesOutWhileOthersAreServed) {
  ServerProcess server;
  ASSERT_EQ(server.add_user("admin", "admin-password", true), 0);
  fs::create_directories(server.data());
  {
    Catalogue catalogue(server.data() / "catalogue.sqlite3", 1);
    server::AssetRecord record;
    record.id = 1;
    record.url = "slow";
    catalogue.upsert_asset(record);
  }
  server.start({}, {"THUMBGEN_REQUEST_TIMEOUT_MS=2000", "THUMBGEN_HEADER_TIMEOUT_MS=1500"});
  std::string token = login_token(server.port(), "admin", "admin-password");
  ASSERT_FALSE(token.empty()) << server.log();

  // A complete, valid upload, whose body then dribbles in.
  std::string body = upload_json(base64(make_jpeg(64, 48)));
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), server.port()});
  std::string head = "POST /api/v1/admin/assets/slow/thumbnail HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                     token + "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
                     "\r\n\r\n";
  boost::asio::write(socket, boost::asio::buffer(head));

  auto start = Clock::now();
  bool cut_off = false;
  std::size_t sent = 0;
  for (; sent < body.size() && Clock::now() - start < std::chrono::seconds(10); ++sent) {
    boost::system::error_code ec;
    boost::asio::write(socket, boost::asio::buffer(&body[sent], 1), ec);
    if (ec) {
      cut_off = true;
      break;
    }
    // Another client is served promptly while the slow one holds its connection.
    auto asked = Clock::now();
    EXPECT_EQ(http_request(server.port(), "GET", "/healthz", "", {}, std::chrono::seconds(3)).status, 200);
    EXPECT_LT(Clock::now() - asked, std::chrono::milliseconds(1500));
    std::this_thread::sleep_for(std::chrono::seconds(1) - (Clock::now() - asked));
    // The server answers 408 (or just closes) once the deadline passes: stop at the first byte back.
    if (socket.available(ec) > 0) {
      cut_off = true;
      break;
    }
  }
  EXPECT_TRUE(cut_off) << "sent " << sent << " bytes without being cut off";
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(8));  // 2 s deadline, noticed within a write or two
  std::string answer(256, '\0');
  boost::system::error_code ec;
  std::size_t got = socket.read_some(boost::asio::buffer(answer), ec);
  answer.resize(got);
  EXPECT_TRUE(got == 0 || answer.starts_with("HTTP/1.1 408")) << answer;
  EXPECT_LT(sent, body.size());
  Catalogue catalogue(server.data() / "catalogue.sqlite3", 1);
  EXPECT_FALSE(catalogue.thumbnail_of(1).has_value());
  EXPECT_TRUE(files_under(server.data() / "media").empty());
}

TEST(ServerSlowClientTest, SilentConnectionIsDroppedAtTheHeaderDeadline) {
  ServerProcess server;
  server.start({}, {"THUMBGEN_HEADER_TIMEOUT_MS=1000"});
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), server.port()});
  auto start = Clock::now();
  char byte;
  boost::system::error_code ec;
  boost::asio::read(socket, boost::asio::buffer(&byte, 1), ec);  // blocks until the server closes
  EXPECT_TRUE(ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset) << ec.message();
  EXPECT_GE(Clock::now() - start, std::chrono::milliseconds(800));
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(5));
}

}  // namespace
}  // namespace thumbgen
