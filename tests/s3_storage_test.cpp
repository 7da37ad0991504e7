// S3Storage and S3Client against a real S3-compatible server on loopback that verifies every signature
// (@20minutes/s3rver, tests/support/s3_test_server.h), and a scripted one for 5xx answers.
#include "server/s3_storage.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "server/media_storage.h"
#include "support/s3_test_server.h"
#include "support/tiny_http_server.h"

namespace thumbgen {
namespace {

using server::S3Error;
using server::S3Storage;
using server::S3StorageSettings;
using test::S3TestServer;

std::span<const std::uint8_t> bytes_of(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

class S3StorageTest : public ::testing::Test {
 protected:
  S3StorageSettings settings(const std::string& prefix = "media") const { return {s3.client_options(), prefix, ""}; }
  std::set<std::string> listed(const S3Storage& storage, std::string_view prefix) const {
    std::set<std::string> keys;
    storage.list(prefix, [&](const server::StoredObject& object) { keys.insert(object.key); });
    return keys;
  }

  S3TestServer s3;
};

TEST_F(S3StorageTest, PutReadOverwriteRemove) {
  S3Storage storage(settings());
  storage.check();
  const std::string key = "thumbs/7/0123abcd.jpg";
  EXPECT_EQ(storage.put(key, bytes_of("first"), "image/jpeg"), key);
  EXPECT_EQ(storage.read(key), "first");
  storage.put(key, bytes_of("second, longer"), "image/jpeg");
  EXPECT_EQ(storage.read(key), "second, longer");
  EXPECT_EQ(listed(storage, "thumbs/"), std::set<std::string>{key});
  storage.remove(key);
  EXPECT_EQ(storage.read(key), std::nullopt);
  EXPECT_NO_THROW(storage.remove(key));  // a missing key is not an error
  EXPECT_TRUE(listed(storage, "thumbs/").empty());
  EXPECT_EQ(storage.local_path(key), std::nullopt);

  // The object sits under the prefix in the bucket, with the type it was put with.
  server::S3Client client(s3.client_options());
  storage.put(key, bytes_of("third"), "image/webp");
  EXPECT_EQ(client.get_object("media/" + key), "third");
  EXPECT_EQ(client.get_object(key), std::nullopt);
}

TEST_F(S3StorageTest, EmptyObjectAndBinaryBytes) {
  S3Storage storage(settings(""));
  storage.put("empty", {}, "application/octet-stream");
  EXPECT_EQ(storage.read("empty"), "");
  std::string binary;
  for (int i = 0; i < 256 * 64; ++i) binary += static_cast<char>(i * 7);
  storage.put("binary.bin", bytes_of(binary), "application/octet-stream");
  EXPECT_EQ(storage.read("binary.bin"), binary);
}

TEST_F(S3StorageTest, KeysAtTheEdgeOfTheAllowedSet) {
  S3Storage storage(settings("a-prefix/with.two_parts"));
  std::vector<std::string> keys = {
      "thumbs/1/ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-.jpg",
      "thumbs/1/-leading-dash",
      "thumbs/1/trailing.dot.",
      "thumbs/1/_",
      "x/y/z/deep/er/still.png",
      "A",
      // The longest key, 512 characters (in segments: s3rver keeps each one as a file name of at most 255 bytes).
      "thumbs/2/" + std::string(200, 'k') + "/" + std::string(200, 'l') + "/" + std::string(512 - 411, 'm'),
  };
  for (const std::string& key : keys) {
    ASSERT_TRUE(server::is_valid_storage_key(key)) << key;
    storage.put(key, bytes_of(key), "image/png");
  }
  for (const std::string& key : keys) EXPECT_EQ(storage.read(key), key);
  EXPECT_EQ(listed(storage, ""), std::set<std::string>(keys.begin(), keys.end()));
  EXPECT_EQ(listed(storage, "thumbs/1/").size(), 4u);

  // Keys outside the set never reach the bucket.
  const std::vector<std::string> bad_keys = {"",    "/a",  "a/",  "a//b",  "../a", "a/.hidden",
                                             "a b", "a=b", "a+b", "a%2Fb", "ä",    std::string(513, 'k')};
  for (const std::string& bad : bad_keys) {
    EXPECT_THROW(storage.put(bad, bytes_of("x"), "image/png"), std::invalid_argument) << bad;
    EXPECT_THROW(storage.remove(bad), std::invalid_argument) << bad;
    EXPECT_EQ(storage.read(bad), std::nullopt) << bad;
  }
}

TEST_F(S3StorageTest, ListingPagesPastAThousandObjects) {
  S3Storage storage(settings());
  constexpr int kObjects = 1050;
  std::vector<std::thread> writers;
  std::atomic<int> next{0};
  std::atomic<int> failures{0};
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([&] {
      for (int i = next++; i < kObjects; i = next++) {
        try {
          storage.put("thumbs/" + std::to_string(i % 97) + "/" + std::to_string(i) + ".jpg", bytes_of("x"),
                      "image/jpeg");
        } catch (const std::exception&) {
          ++failures;
        }
      }
    });
  }
  for (std::thread& writer : writers) writer.join();
  ASSERT_EQ(failures.load(), 0);

  // The first page is full and hands back a continuation token (base64: '+', '/', '=' to sign in the query).
  server::S3Client client(s3.client_options());
  const server::S3ListPage first = client.list_objects("media/thumbs/", std::nullopt);
  EXPECT_EQ(first.objects.size(), 1000u);
  ASSERT_TRUE(first.next_continuation_token);
  const server::S3ListPage second = client.list_objects("media/thumbs/", first.next_continuation_token);
  EXPECT_EQ(second.objects.size(), static_cast<std::size_t>(kObjects - 1000));
  EXPECT_FALSE(second.next_continuation_token);

  std::set<std::string> keys;
  int visits = 0;
  std::int64_t now = std::time(nullptr);
  storage.list("thumbs/", [&](const server::StoredObject& object) {
    ++visits;
    keys.insert(object.key);
    EXPECT_NEAR(static_cast<double>(object.modified_unix), static_cast<double>(now), 600.0) << object.key;
  });
  EXPECT_EQ(visits, kObjects);
  EXPECT_EQ(keys.size(), static_cast<std::size_t>(kObjects));
  EXPECT_TRUE(keys.contains("thumbs/0/0.jpg"));
  EXPECT_TRUE(
      keys.contains("thumbs/" + std::to_string((kObjects - 1) % 97) + "/" + std::to_string(kObjects - 1) + ".jpg"));
}

TEST_F(S3StorageTest, WrongSecretFailsNamingSignatureDoesNotMatch) {
  S3StorageSettings wrong = settings();
  wrong.client.credentials.secret_access_key = "not-the-secret";
  S3Storage storage(wrong);
  try {
    storage.check();
    FAIL() << "a wrong secret was accepted";
  } catch (const S3Error& error) {
    EXPECT_EQ(error.code(), "SignatureDoesNotMatch");
    EXPECT_EQ(error.http_status(), 403);
    const std::string message = error.what();
    EXPECT_NE(message.find("SignatureDoesNotMatch"), std::string::npos) << message;
    EXPECT_NE(message.find("s3://thumbgen-test/media/"), std::string::npos) << message;
    EXPECT_NE(message.find("AWS_SECRET_ACCESS_KEY"), std::string::npos) << message;
  }
  EXPECT_THROW(storage.put("thumbs/1/a.jpg", bytes_of("x"), "image/jpeg"), S3Error);

  S3StorageSettings unknown = settings();
  unknown.client.credentials.access_key_id = "AKIDNOBODY";
  try {
    S3Storage(unknown).check();
    FAIL() << "an unknown access key was accepted";
  } catch (const S3Error& error) {
    EXPECT_EQ(error.code(), "InvalidAccessKeyId") << error.what();
  }
}

TEST_F(S3StorageTest, MissingBucketIsNamed) {
  S3StorageSettings missing = settings();
  missing.client.bucket = "no-such-bucket";
  try {
    S3Storage(missing).check();
    FAIL() << "a missing bucket passed the check";
  } catch (const S3Error& error) {
    EXPECT_EQ(error.code(), "NoSuchBucket");
    EXPECT_NE(std::string(error.what()).find("s3://no-such-bucket"), std::string::npos) << error.what();
  }
}

TEST_F(S3StorageTest, StoppedServerIsRetriedThenNamed) {
  S3StorageSettings options = settings();
  std::vector<int> retries;
  options.client.on_retry = [&](const std::string&, int attempt) { retries.push_back(attempt); };
  S3Storage storage(options);
  s3.stop();
  try {
    storage.put("thumbs/3/abc.jpg", bytes_of("x"), "image/jpeg");
    FAIL() << "a put to a stopped server succeeded";
  } catch (const S3Error& error) {
    const std::string message = error.what();
    EXPECT_EQ(error.code(), "");
    EXPECT_NE(message.find("s3://thumbgen-test/media/thumbs/3/abc.jpg"), std::string::npos) << message;
    EXPECT_NE(message.find("after 3 attempt(s)"), std::string::npos) << message;
    EXPECT_NE(message.find("connect"), std::string::npos) << message;
  }
  EXPECT_EQ(retries, (std::vector<int>{1, 2}));
}

TEST_F(S3StorageTest, ServerBackDuringTheRetriesLosesNothing) {
  S3StorageSettings options = settings();
  int retries = 0;
  // The first failed try brings the server back (on its port, with its objects): the retry gets through.
  options.client.on_retry = [&](const std::string&, int) {
    if (retries++ == 0) s3.start();
  };
  S3Storage storage(options);
  storage.put("thumbs/4/before.jpg", bytes_of("before"), "image/jpeg");
  s3.stop();
  storage.put("thumbs/4/during.jpg", bytes_of("during"), "image/jpeg");
  EXPECT_EQ(retries, 1);
  EXPECT_EQ(storage.read("thumbs/4/during.jpg"), "during");
  EXPECT_EQ(storage.read("thumbs/4/before.jpg"), "before");
}

TEST(S3ClientErrors, ServerErrorsAreRetriedWithBackoffThenNamed) {
  const std::string slow_down =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>SlowDown</Code>"
      "<Message>Please reduce your request rate.</Message></Error>";
  test::TinyHttpServer busy("127.0.0.1", [&](const std::string&, int) {
    return test::TinyReply{503, slow_down, {{"Content-Type", "application/xml"}}};
  });
  server::S3ClientOptions options;
  options.endpoint = busy.origin();
  options.bucket = "gallery";
  options.path_style = true;
  options.credentials = {"AKID", "secret"};
  options.attempts = 3;
  options.first_retry_delay = std::chrono::milliseconds(10);
  server::S3Client client(options);
  try {
    client.delete_object("thumbs/9/x.jpg");
    FAIL() << "503 was taken for success";
  } catch (const S3Error& error) {
    EXPECT_EQ(error.code(), "SlowDown");
    EXPECT_EQ(error.http_status(), 503);
    const std::string message = error.what();
    EXPECT_NE(message.find("DELETE of s3://gallery/thumbs/9/x.jpg"), std::string::npos) << message;
    EXPECT_NE(message.find("Please reduce your request rate."), std::string::npos) << message;
  }
  EXPECT_EQ(busy.requests("/gallery/thumbs/9/x.jpg"), 3);

  // One 500 and then success: the caller never sees the 500.
  test::TinyHttpServer flaky("127.0.0.1", [&](const std::string&, int count) {
    if (count == 0) return test::TinyReply{500, "<Error><Code>InternalError</Code></Error>", {}};
    return test::TinyReply{200, "stored bytes", {}};
  });
  options.endpoint = flaky.origin();
  server::S3Client recovering(options);
  EXPECT_EQ(recovering.get_object("thumbs/9/y.jpg"), "stored bytes");
  EXPECT_EQ(flaky.requests("/gallery/thumbs/9/y.jpg"), 2);
}

TEST(S3ClientErrors, BadSettingsAreRefusedBeforeAnyRequest) {
  server::S3ClientOptions options;
  options.bucket = "ok-bucket";
  options.endpoint = "ftp://host";
  EXPECT_THROW(server::S3Client{options}, std::invalid_argument);
  options.endpoint = "http://host/path";
  EXPECT_THROW(server::S3Client{options}, std::invalid_argument);
  options.endpoint = "http://host:9000/";
  EXPECT_NO_THROW(server::S3Client{options});
  options.bucket = "a";
  EXPECT_THROW(server::S3Client{options}, std::invalid_argument);
  options.bucket = "bad_bucket";
  EXPECT_THROW(server::S3Client{options}, std::invalid_argument);
  S3StorageSettings bad_prefix{{}, "../up", ""};
  bad_prefix.client.bucket = "ok-bucket";
  EXPECT_THROW(S3Storage{bad_prefix}, std::invalid_argument);
}

TEST(S3Settings, StorageUrlsAndDefaults) {
  EXPECT_FALSE(server::parse_storage_location("file:").is_s3());
  EXPECT_EQ(server::parse_storage_location("file:/srv/thumbs").folder, "/srv/thumbs");
  const server::StorageLocation location = server::parse_storage_location("s3://my-gallery/thumb/nails/");
  EXPECT_EQ(location.bucket, "my-gallery");
  EXPECT_EQ(location.prefix, "thumb/nails");
  EXPECT_EQ(server::parse_storage_location("s3://my-gallery").prefix, "");
  for (const char* bad : {"", "media", "s3://", "s3:///prefix", "s3://b/prefix", "s3://my-gallery/../up",
                          "s3://my-gallery/a b", "s3://bad_bucket/x", "https://bucket/x"}) {
    EXPECT_THROW(server::parse_storage_location(bad), std::invalid_argument) << bad;
  }

  // Through the settings loader: THUMBGEN_STORAGE and THUMBGEN_S3_*, the secrets from AWS_*.
  std::map<std::string, std::string> environment = {{"THUMBGEN_STORAGE", "s3://my-gallery/thumbs"},
                                                    {"THUMBGEN_S3_REGION", "us-west-004"},
                                                    {"AWS_ACCESS_KEY_ID", "id"},
                                                    {"AWS_SECRET_ACCESS_KEY", "secret"}};
  auto getenv = [&](const char* name) -> const char* {
    auto it = environment.find(name);
    return it == environment.end() ? nullptr : it->second.c_str();
  };
  server::ServerConfig config = server::load_server_config(std::nullopt, getenv);
  server::S3StorageSettings settings =
      server::s3_storage_settings(config, server::parse_storage_location(config.storage));
  EXPECT_FALSE(settings.client.path_style) << "AWS is addressed by virtual host";
  EXPECT_EQ(settings.client.region, "us-west-004");
  EXPECT_EQ(settings.client.credentials.secret_access_key, "secret");
  EXPECT_EQ(settings.prefix, "thumbs");
  EXPECT_EQ(server::orphan_min_age(config), std::chrono::seconds(600));

  environment["THUMBGEN_S3_ENDPOINT"] = "http://minio.internal:9000";
  config = server::load_server_config(std::nullopt, getenv);
  EXPECT_TRUE(server::s3_storage_settings(config, server::parse_storage_location(config.storage)).client.path_style)
      << "a custom endpoint is addressed by path";
  environment["THUMBGEN_S3_PATH_STYLE"] = "false";
  config = server::load_server_config(std::nullopt, getenv);
  EXPECT_FALSE(server::s3_storage_settings(config, server::parse_storage_location(config.storage)).client.path_style);

  environment["THUMBGEN_S3_PATH_STYLE"] = "sometimes";
  EXPECT_THROW(server::load_server_config(std::nullopt, getenv), std::runtime_error);
  environment.erase("THUMBGEN_S3_PATH_STYLE");
  environment["THUMBGEN_STORAGE"] = "s3:/typo";
  EXPECT_THROW(server::load_server_config(std::nullopt, getenv), std::runtime_error);
  environment["THUMBGEN_STORAGE"] = "file:";
  EXPECT_EQ(server::orphan_min_age(server::load_server_config(std::nullopt, getenv)), std::chrono::seconds(0));
  environment["THUMBGEN_S3_PUBLIC_URL"] = "javascript:alert(1)";
  EXPECT_THROW(server::load_server_config(std::nullopt, getenv), std::runtime_error);
}

}  // namespace
}  // namespace thumbgen
