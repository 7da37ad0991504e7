// Login throttling parts (issue 10, item 2): the limiter per (user, address) and per address, the client address
// behind trusted proxies, and their settings. The behaviour over HTTP: server_login_lockout_test.cpp.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <thread>
#include <vector>

#include "server/auth_login_limiter.h"
#include "server/client_address.h"
#include "server/server_config.h"

namespace thumbgen::server {
namespace {

using Clock = LoginLimiter::Clock;
using std::chrono::seconds;

LoginLimits limits(int per_pair, int per_address, int window_seconds = 60, std::size_t entries = 100'000) {
  return {per_pair, per_address, seconds(window_seconds), entries};
}

TEST(LoginLimiterTest, RefusesThePairOnlyNeverTheUserElsewhere) {
  LoginLimiter limiter(limits(3, 100));
  const Clock::time_point t0{};
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(limiter.admit("admin", "203.0.113.9", t0 + seconds(i)));
  auto wait = limiter.admit("admin", "203.0.113.9", t0 + seconds(5));
  ASSERT_TRUE(wait);
  EXPECT_EQ(*wait, seconds(57));                                          // a window after the last failure (t0 + 2)
  EXPECT_FALSE(limiter.admit("admin", "198.51.100.4", t0 + seconds(5)));  // the admin elsewhere
  EXPECT_FALSE(limiter.admit("bob", "203.0.113.9", t0 + seconds(5)));     // another name from there
  EXPECT_TRUE(limiter.admit("admin", "203.0.113.9", t0 + seconds(61)));
  EXPECT_FALSE(limiter.admit("admin", "203.0.113.9", t0 + seconds(62)));  // a window after the last failure
}

// A fixed window from the first failure let a burst of twice the limit through around its edge.
TEST(LoginLimiterTest, NoBurstAcrossTheEdgeOfAWindow) {
  LoginLimiter limiter(limits(3, 100, 4));
  const Clock::time_point t0{};
  EXPECT_FALSE(limiter.admit("admin", "203.0.113.9", t0));
  EXPECT_FALSE(limiter.admit("admin", "203.0.113.9", t0 + seconds(3)));
  EXPECT_FALSE(limiter.admit("admin", "203.0.113.9", t0 + seconds(3)));
  EXPECT_TRUE(limiter.admit("admin", "203.0.113.9", t0 + seconds(3)));
  EXPECT_TRUE(limiter.admit("admin", "203.0.113.9", t0 + std::chrono::milliseconds(4300)));
  EXPECT_FALSE(limiter.admit("admin", "203.0.113.9", t0 + seconds(7)));
}

TEST(LoginLimiterTest, AnAddressGuessingManyNamesIsRefusedForEveryName) {
  LoginLimiter limiter(limits(3, 5));
  const Clock::time_point t0{};
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(limiter.admit("user" + std::to_string(i), "192.0.2.9", t0));
  EXPECT_TRUE(limiter.admit("admin", "192.0.2.9", t0));
  EXPECT_FALSE(limiter.admit("admin", "192.0.2.10", t0));
}

TEST(LoginLimiterTest, SuccessForgetsThePairAndTakesBackOnlyItsOwnAttempt) {
  LoginLimiter limiter(limits(2, 3));
  const Clock::time_point t0{};
  EXPECT_FALSE(limiter.admit("alice", "a1", t0));  // a failure
  EXPECT_FALSE(limiter.admit("alice", "a1", t0));  // the right password:
  limiter.succeeded("alice", "a1");
  EXPECT_FALSE(limiter.admit("alice", "a1", t0));  // the pair starts again (one failure now)...
  EXPECT_FALSE(limiter.admit("bob", "a1", t0));
  EXPECT_TRUE(limiter.admit("carol", "a1", t0));  // ...while the address keeps its three failures
}

TEST(LoginLimiterTest, ConcurrentAttemptsCannotExceedTheLimit) {
  LoginLimiter limiter(limits(3, 1000));
  const Clock::time_point t0{};
  std::atomic<int> admitted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 16; ++t)
    threads.emplace_back([&] {
      if (!limiter.admit("admin", "203.0.113.1", t0)) ++admitted;  // all in flight before any answer is known
    });
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(admitted.load(), 3);
}

TEST(LoginLimiterTest, EntriesExpireAWindowAfterTheirLastFailure) {
  LoginLimiter limiter(limits(3, 100, 60));
  const Clock::time_point t0{};
  for (int i = 0; i < 50; ++i) limiter.admit("user" + std::to_string(i), "a" + std::to_string(i), t0);
  EXPECT_EQ(limiter.entries(), 100u);  // a pair and an address each
  limiter.admit("late", "b", t0 + seconds(60));
  EXPECT_EQ(limiter.entries(), 2u);
}

TEST(LoginLimiterTest, TheTableIsCappedAndKeepsTheRecentEntries) {
  LoginLimiter limiter(limits(1, 1000, 600, 100));
  const Clock::time_point t0{};
  limiter.admit("first", "addr-first", t0);
  for (int i = 0; i < 500; ++i) limiter.admit("user" + std::to_string(i), "addr" + std::to_string(i), t0);
  EXPECT_LE(limiter.entries(), 100u);
  EXPECT_TRUE(limiter.admit("user499", "addr499", t0));    // recent ones kept
  EXPECT_FALSE(limiter.admit("first", "addr-first", t0));  // the oldest made room
}

TEST(LoginLimiterTest, LongNamesShareABoundedKey) {
  LoginLimiter limiter(limits(1, 1000));
  const Clock::time_point t0{};
  EXPECT_FALSE(limiter.admit(std::string(1 << 20, 'x'), "a", t0));
  EXPECT_TRUE(limiter.admit(std::string(1 << 20, 'x') + "y", "a", t0));  // the first 256 bytes name the pair
}

TEST(LoginLimiterTest, ThreadSafe) {
  LoginLimiter limiter(limits(1'000'000, 1'000'000, 600, 1000));
  const Clock::time_point t0{};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        limiter.admit("user" + std::to_string(i % 700), "addr" + std::to_string(t), t0 + seconds(i / 100));
        if (i % 7 == 0) limiter.succeeded("user" + std::to_string(i % 700), "addr" + std::to_string(t));
      }
    });
  for (auto& thread : threads) thread.join();
  EXPECT_LE(limiter.entries(), 1000u);
}

TEST(ClientAddressTest, ThePeerUnlessItIsATrustedProxy) {
  const TrustedProxies none;
  EXPECT_EQ(client_address("192.0.2.1", "203.0.113.5", none), "192.0.2.1");
  const TrustedProxies proxy = TrustedProxies::parse("10.0.0.1");
  EXPECT_EQ(client_address("192.0.2.1", "203.0.113.5", proxy), "192.0.2.1");  // not through the proxy
  EXPECT_EQ(client_address("10.0.0.1", "203.0.113.5", proxy), "203.0.113.5");
  EXPECT_EQ(client_address("10.0.0.1", "", proxy), "10.0.0.1");  // the proxy itself
  EXPECT_EQ(client_address("::ffff:10.0.0.1", " 203.0.113.5 ", proxy), "203.0.113.5");
}

TEST(ClientAddressTest, TheRightmostAddressNoTrustedProxyAdded) {
  const TrustedProxies proxies = TrustedProxies::parse("10.0.0.0/8, fd00::/8");
  // A client can write anything to the left; the proxies append on the right.
  EXPECT_EQ(client_address("10.0.0.1", "1.1.1.1, 203.0.113.5, 10.2.3.4", proxies), "203.0.113.5");
  EXPECT_EQ(client_address("10.0.0.1", "1.1.1.1", proxies), "1.1.1.1");
  EXPECT_EQ(client_address("fd00::1", "2001:db8::7,fd12::3", proxies), "2001:db8::7");
  EXPECT_EQ(client_address("10.0.0.1", "10.9.9.9, 10.8.8.8", proxies), "10.9.9.9");  // all proxies: the first
  // Several header lines arrive joined by ','.
  EXPECT_EQ(client_address("10.0.0.1", "203.0.113.5,10.2.3.4", proxies), "203.0.113.5");
}

TEST(ClientAddressTest, PortsBracketsAndGarbage) {
  const TrustedProxies proxy = TrustedProxies::parse("127.0.0.1,::1");
  EXPECT_EQ(client_address("127.0.0.1", "203.0.113.5:4711", proxy), "203.0.113.5");
  EXPECT_EQ(client_address("::1", "[2001:db8::5]:443", proxy), "2001:db8::5");
  EXPECT_EQ(client_address("::1", "[2001:db8::5]", proxy), "2001:db8::5");
  EXPECT_EQ(client_address("127.0.0.1", "2001:db8::5", proxy), "2001:db8::5");
  // What the trusted proxy wrote is no address: the proxy is the best we know.
  for (const char* bad : {"unknown", "_hidden", "203.0.113.5:x:y", "[2001:db8::5", "1.2.3.4, ", ",", "999.1.1.1"})
    EXPECT_EQ(client_address("127.0.0.1", bad, proxy), "127.0.0.1") << bad;
  EXPECT_EQ(client_address("not an address", "203.0.113.5", proxy), "not an address");
}

TEST(ClientAddressTest, FailuresCountPerIpv4AddressAndPerIpv6Slash64) {
  EXPECT_EQ(address_bucket("203.0.113.5"), "203.0.113.5");
  EXPECT_EQ(address_bucket("::ffff:203.0.113.5"), "203.0.113.5");
  EXPECT_EQ(address_bucket("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
  EXPECT_EQ(address_bucket("2001:db8:1:2:bbbb::9"), address_bucket("2001:db8:1:2::1"));
  EXPECT_NE(address_bucket("2001:db8:1:3::1"), address_bucket("2001:db8:1:2::1"));
}

TEST(TrustedProxiesTest, ParsesAddressesAndNetworksAndRefusesTheRest) {
  const TrustedProxies proxies = TrustedProxies::parse(" 192.168.0.0/16 ,10.1.2.3,, ::1, 2001:db8::/32");
  EXPECT_TRUE(proxies.contains(boost::asio::ip::make_address("192.168.44.1")));
  EXPECT_TRUE(proxies.contains(boost::asio::ip::make_address("::ffff:192.168.44.1")));
  EXPECT_TRUE(proxies.contains(boost::asio::ip::make_address("10.1.2.3")));
  EXPECT_FALSE(proxies.contains(boost::asio::ip::make_address("10.1.2.4")));
  EXPECT_TRUE(proxies.contains(boost::asio::ip::make_address("::1")));
  EXPECT_TRUE(proxies.contains(boost::asio::ip::make_address("2001:db8:ffff::1")));
  EXPECT_FALSE(proxies.contains(boost::asio::ip::make_address("2001:db9::1")));
  EXPECT_TRUE(TrustedProxies::parse("").empty());
  for (const char* bad : {"localhost", "10.0.0.0/33", "10.0.0.1/", "1.2.3.4:80", "*"})
    EXPECT_THROW(TrustedProxies::parse(bad), std::invalid_argument) << bad;
}

TEST(LoginSettingsTest, LimitsAndTrustedProxiesAreSettable) {
  std::map<std::string, std::string> env = {{"THUMBGEN_LOGIN_MAX_FAILURES", "4"},
                                            {"THUMBGEN_LOGIN_ADDRESS_MAX_FAILURES", "40"},
                                            {"THUMBGEN_LOGIN_WINDOW", "120"},
                                            {"THUMBGEN_LOGIN_TABLE_SIZE", "5000"},
                                            {"THUMBGEN_TRUSTED_PROXIES", "10.0.0.0/8"}};
  auto getenv = [&](const char* name) -> const char* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  };
  ServerConfig config = load_server_config(std::nullopt, getenv);
  EXPECT_EQ(config.login_max_failures, 4);
  EXPECT_EQ(config.login_address_max_failures, 40);
  EXPECT_EQ(config.login_window_seconds, 120);
  EXPECT_EQ(config.login_table_size, 5000);
  EXPECT_TRUE(config.trusted_proxies.contains(boost::asio::ip::make_address("10.4.4.4")));
  EXPECT_TRUE(load_server_config(std::nullopt, [](const char*) -> const char* {
                return nullptr;
              }).trusted_proxies.empty());  // none by default
  env["THUMBGEN_TRUSTED_PROXIES"] = "10.0.0.0/8, proxy.example";
  EXPECT_THROW(load_server_config(std::nullopt, getenv), std::runtime_error);
}

}  // namespace
}  // namespace thumbgen::server
