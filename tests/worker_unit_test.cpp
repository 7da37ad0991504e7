// The worker's pure parts: --schedule windows, format choice, the API client's retries, and the usage errors of
// `thumbgen work` (what it fetches and from where: worker_fetch_unit_test.cpp).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>

#include "support/process.h"
#include "worker/api_client.h"
#include "worker/asset_fetcher.h"  // choose_format
#include "worker/schedule.h"

namespace thumbgen::worker {
namespace {

TEST(TimeWindowTest, ParsesAndContainsPlainWindows) {
  TimeWindow window = parse_time_window("02:00-06:00");
  EXPECT_EQ(window.start_minute, 120);
  EXPECT_EQ(window.end_minute, 360);
  EXPECT_FALSE(window.contains(119));
  EXPECT_TRUE(window.contains(120));
  EXPECT_TRUE(window.contains(359));
  EXPECT_FALSE(window.contains(360));
  EXPECT_EQ(window.minutes_until_open(60), 60);
  EXPECT_EQ(window.minutes_until_open(360), 20 * 60);
  EXPECT_EQ(window.minutes_until_open(200), 0);
}

TEST(TimeWindowTest, CrossesMidnight) {
  TimeWindow window = parse_time_window("22:30 - 05:15");
  EXPECT_TRUE(window.contains(22 * 60 + 30));
  EXPECT_TRUE(window.contains(23 * 60 + 59));
  EXPECT_TRUE(window.contains(0));
  EXPECT_TRUE(window.contains(5 * 60 + 14));
  EXPECT_FALSE(window.contains(5 * 60 + 15));
  EXPECT_FALSE(window.contains(12 * 60));
  EXPECT_EQ(window.minutes_until_open(22 * 60), 30);
}

TEST(TimeWindowTest, MidnightEnds) {
  EXPECT_TRUE(parse_time_window("20:00-24:00").contains(23 * 60 + 59));
  EXPECT_FALSE(parse_time_window("20:00-24:00").contains(0));
  TimeWindow all_day = parse_time_window("00:00-24:00");
  for (int minute : {0, 720, 1439}) EXPECT_TRUE(all_day.contains(minute));
}

TEST(TimeWindowTest, RejectsMalformedWindows) {
  for (const char* bad : {"", "02:00", "2-6", "02:00-06", "25:00-06:00", "02:60-06:00", "06:00-06:00", "-1:00-02:00",
                          "02:00-06:00x", "ab:cd-ef:gh", "24:00-02:00"}) {
    EXPECT_THROW(parse_time_window(bad), std::invalid_argument) << bad;
  }
  try {
    parse_time_window("nonsense");
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find("--schedule"), std::string::npos);
  }
}

TEST(ChooseFormatTest, FollowsThePreferenceOrder) {
  std::vector<FormatInfo> formats = {{"STL", "http://h/a.stl", false},
                                     {"OBJ", "http://h/a.obj", false},
                                     {"GLTF2", "http://h/a.gltf", false},
                                     {"SPZ", "http://h/a.spz", true}};
  EXPECT_EQ(choose_format(formats)->format_type, "GLTF2");
  formats.push_back({"GLB", "http://h/a.glb", false});
  EXPECT_EQ(choose_format(formats)->format_type, "GLB");
  EXPECT_EQ(choose_format({{"WEIRD", "http://h/x", false}, {"VOX", "http://h/a.vox", false}})->format_type, "VOX");
  EXPECT_EQ(choose_format({}), nullptr);
}

TEST(ApiClientTest, RetriesAnUnreachableServerWithBackoffAndSaysSo) {
  // A port nobody listens on: bind one, note it, close it.
  int probe = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(probe, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  socklen_t length = sizeof address;
  ::getsockname(probe, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(probe);
  ApiClient client("http://127.0.0.1:" + std::to_string(ntohs(address.sin_port)),
                   RetryPolicy{3, std::chrono::milliseconds(20), std::chrono::milliseconds(40)});
  std::vector<std::string> retries;
  client.on_retry([&](const std::string& line) { retries.push_back(line); });
  client.use_token("t");
  auto started = std::chrono::steady_clock::now();
  try {
    client.list_missing(1, 0);
    FAIL() << "no error";
  } catch (const ApiError& error) {
    EXPECT_EQ(error.status, 0);
    EXPECT_NE(std::string(error.what()).find("missing-thumbnails"), std::string::npos) << error.what();
  }
  ASSERT_EQ(retries.size(), 2u);  // before the 2nd and the 3rd try
  EXPECT_NE(retries[0].find("retrying in"), std::string::npos) << retries[0];
  EXPECT_NE(retries[1].find("try 3 of 3"), std::string::npos) << retries[1];
  // Waits within [cap/2, cap]: 10-20 ms, then 20-40 ms.
  EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(30));
  EXPECT_EQ(client.requests_sent(), 3);
}

TEST(WorkCommandTest, UsageErrorsExitWithTwo) {
  const std::string binary = THUMBGEN_BINARY;
  for (std::vector<std::string> args : std::vector<std::vector<std::string>>{
           {"work", "--server", "http://127.0.0.1:9"},
           {"work", "--server", "http://127.0.0.1:9", "--token", "t", "--user", "u"},
           {"work", "--server", "127.0.0.1:9", "--token", "t"},
           {"work", "--server", "http://127.0.0.1:9", "--token", "t", "--once", "--watch"},
           {"work", "--server", "http://127.0.0.1:9", "--token", "t", "--schedule", "25:00-26:00"},
           {"work", "--server", "http://127.0.0.1:9", "--token", "t", "--size", "0x0"},
           {"work", "--server", "http://127.0.0.1:9", "--token", "t", "--batch", "500"},
           {"work", "--server", "http://127.0.0.1:9", "--token", "t", "--watch", "--poll", "0"},
           {"work", "--server", "http://127.0.0.1:9", "--token", "t", "--allow-host", "cdn.example/path"},
           {"work", "--server", "http://127.0.0.1:9", "--token", "t", "--allow-host", "user@cdn.example"},
           {"work", "--server", "http://127.0.0.1:9", "--token", "t", "--cache-max", "1K"},
           {"work", "--server", "http://127.0.0.1:9", "--token", "t", "--cache-max", "lots"}}) {
    args.insert(args.begin(), binary);
    auto result = test::run_process(args);
    EXPECT_EQ(result.exit_code, 2) << args.back() << "\n" << result.err;
  }
}

}  // namespace
}  // namespace thumbgen::worker
