// Login throttling parts (issue 10, item 2): the limiter per (user, address) and per address, the client address
// behind trusted proxies, and their settings. The behaviour over HTTP: server_login_lockout_test.cpp.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <map>
#include <memory>
#include <thread>
#include <vector>

#include "server/auth_login_limiter.h"
#include "server/client_address.h"
#include "server/server_config.h"
#include "support/scratch_dir.h"
#include "support/test_database.h"

namespace thumbgen::server {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using test::Backend;

LoginLimits limits(int per_pair, int per_address, int window_seconds = 60, std::size_t entries = 100'000) {
  return {per_pair, per_address, seconds(window_seconds), entries};
}

// The limiter keeps its counts in the catalogue: each test on a fresh one, on both engines. Times are given (unix
// milliseconds) except where the database's clock is the point.
class LoginLimiterTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<test::TestDatabase>(GetParam(), dir_.path());
    catalogue_ = std::make_unique<Catalogue>(database_->target(), 8);
  }
  // A second server on the same catalogue: its own connections, its own limiter.
  std::unique_ptr<Catalogue> another_server() { return std::make_unique<Catalogue>(database_->target(), 8); }

  const milliseconds t0{1'700'000'000'000};
  test::ScratchDir dir_{"thumbgen-login-limits"};
  std::unique_ptr<test::TestDatabase> database_;
  std::unique_ptr<Catalogue> catalogue_;
};
INSTANTIATE_TEST_SUITE_P(Backends, LoginLimiterTest, test::kBothBackends, test::backend_name);

TEST_P(LoginLimiterTest, RefusesThePairOnlyNeverTheUserElsewhere) {
  LoginLimiter limiter(*catalogue_, limits(3, 100));
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
TEST_P(LoginLimiterTest, NoBurstAcrossTheEdgeOfAWindow) {
  LoginLimiter limiter(*catalogue_, limits(3, 100, 4));
  EXPECT_FALSE(limiter.admit("admin", "203.0.113.9", t0));
  EXPECT_FALSE(limiter.admit("admin", "203.0.113.9", t0 + seconds(3)));
  EXPECT_FALSE(limiter.admit("admin", "203.0.113.9", t0 + seconds(3)));
  EXPECT_TRUE(limiter.admit("admin", "203.0.113.9", t0 + seconds(3)));
  EXPECT_TRUE(limiter.admit("admin", "203.0.113.9", t0 + milliseconds(4300)));
  EXPECT_FALSE(limiter.admit("admin", "203.0.113.9", t0 + seconds(7)));
}

TEST_P(LoginLimiterTest, AnAddressGuessingManyNamesIsRefusedForEveryName) {
  LoginLimiter limiter(*catalogue_, limits(3, 5));
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(limiter.admit("user" + std::to_string(i), "192.0.2.9", t0));
  EXPECT_TRUE(limiter.admit("admin", "192.0.2.9", t0));
  EXPECT_FALSE(limiter.admit("admin", "192.0.2.10", t0));
}

TEST_P(LoginLimiterTest, SuccessForgetsThePairAndTakesBackOnlyItsOwnAttempt) {
  LoginLimiter limiter(*catalogue_, limits(2, 3));
  EXPECT_FALSE(limiter.admit("alice", "a1", t0));  // a failure
  EXPECT_FALSE(limiter.admit("alice", "a1", t0));  // the right password:
  limiter.succeeded("alice", "a1");
  EXPECT_FALSE(limiter.admit("alice", "a1", t0));  // the pair starts again (one failure now)...
  EXPECT_FALSE(limiter.admit("bob", "a1", t0));
  EXPECT_TRUE(limiter.admit("carol", "a1", t0));  // ...while the address keeps its three failures
}

// Guesses in flight at once, through two servers on one catalogue, each on its own connections: no more get through
// than the limit (PostgreSQL: concurrent transactions; SQLite: writers queue).
TEST_P(LoginLimiterTest, ConcurrentAttemptsCannotExceedTheLimit) {
  auto other = another_server();
  LoginLimiter a(*catalogue_, limits(3, 1000)), b(*other, limits(3, 1000));
  std::atomic<int> admitted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 16; ++t)
    threads.emplace_back([&, t] {
      if (!(t % 2 ? a : b).admit("admin", "203.0.113.1", t0)) ++admitted;  // all in flight before any answer
    });
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(admitted.load(), 3);
}

// Two servers, one count: failures through either one lock the pair out on both, and a success through either one
// forgets them on both.
TEST_P(LoginLimiterTest, ServersOnOneCatalogueShareTheirCounts) {
  auto other = another_server();
  LoginLimiter a(*catalogue_, limits(4, 100)), b(*other, limits(4, 100));
  EXPECT_FALSE(a.admit("admin", "203.0.113.9", t0));
  EXPECT_FALSE(b.admit("admin", "203.0.113.9", t0));
  EXPECT_FALSE(a.admit("admin", "203.0.113.9", t0));
  EXPECT_FALSE(b.admit("admin", "203.0.113.9", t0));
  EXPECT_TRUE(a.admit("admin", "203.0.113.9", t0 + seconds(1)));
  EXPECT_TRUE(b.admit("admin", "203.0.113.9", t0 + seconds(1)));
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(b.admit("admin", "198.51.100.4", t0 + seconds(1)));  // the admin elsewhere
  b.succeeded("admin", "198.51.100.4");  // the third had the right password: forgotten on both servers
  for (int i = 0; i < 4; ++i) EXPECT_FALSE(a.admit("admin", "198.51.100.4", t0 + seconds(2))) << i;
  EXPECT_TRUE(a.admit("admin", "198.51.100.4", t0 + seconds(2)));
}

// Without a given time both engines read their own clock: the window runs on the database's time.
TEST_P(LoginLimiterTest, TheDatabaseClockRunsTheWindow) {
  LoginLimiter limiter(*catalogue_, limits(2, 100, 600));
  EXPECT_FALSE(limiter.admit("admin", "203.0.113.9"));
  EXPECT_FALSE(limiter.admit("admin", "203.0.113.9"));
  auto wait = limiter.admit("admin", "203.0.113.9");
  ASSERT_TRUE(wait);
  EXPECT_GE(*wait, seconds(590));  // this test does not take ten minutes
  EXPECT_LE(*wait, seconds(600));
  // The rows carry that clock's unix milliseconds.
  const std::int64_t now_ms =
      std::chrono::duration_cast<milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  const std::int64_t stored = catalogue_->with_connection([](sql::Connection& db) {
    auto row = db.prepare("SELECT max(last_failure) FROM login_failures");
    row.step();
    return row.int64(0);
  });
  EXPECT_LT(std::abs(stored - now_ms), 60'000) << stored;  // the same machine: well within a minute
}

TEST_P(LoginLimiterTest, EntriesExpireAWindowAfterTheirLastFailure) {
  LoginLimiter limiter(*catalogue_, limits(3, 100, 60));
  for (int i = 0; i < 50; ++i) limiter.admit("user" + std::to_string(i), "a" + std::to_string(i), t0);
  EXPECT_EQ(limiter.entries(), 100u);  // a pair and an address each
  limiter.admit("late", "b", t0 + seconds(60));
  EXPECT_EQ(limiter.entries(), 2u);
}

TEST_P(LoginLimiterTest, TheTableIsCappedAndKeepsTheRecentEntries) {
  LoginLimiter limiter(*catalogue_, limits(1, 1000, 600, 100));
  limiter.admit("first", "addr-first", t0);
  for (int i = 0; i < 500; ++i)
    limiter.admit("user" + std::to_string(i), "addr" + std::to_string(i), t0 + milliseconds(i + 1));
  EXPECT_LE(limiter.entries(), 100u);
  EXPECT_TRUE(limiter.admit("user499", "addr499", t0 + seconds(1)));    // recent ones kept
  EXPECT_FALSE(limiter.admit("first", "addr-first", t0 + seconds(1)));  // the oldest made room
}

// The table is counted once per hundredth of its cap of new entries, not on every one: between two counts it may
// pass the cap by that much, never more.
TEST_P(LoginLimiterTest, TheCapIsCountedNowAndThenAndStillHolds) {
  LoginLimiter limiter(*catalogue_, limits(1, 1000, 600, 1000));  // counted every 10 new entries
  for (int i = 0; i < 800; ++i)
    limiter.admit("user" + std::to_string(i), "addr" + std::to_string(i), t0 + milliseconds(i));
  EXPECT_LE(limiter.entries(), 1000u + 10u);
  EXPECT_GE(limiter.entries(), 1000u);  // evicted down to the cap, not below
}

TEST_P(LoginLimiterTest, LongNamesShareABoundedKey) {
  LoginLimiter limiter(*catalogue_, limits(1, 1000));
  EXPECT_FALSE(limiter.admit(std::string(1 << 20, 'x'), "a", t0));
  EXPECT_TRUE(limiter.admit(std::string(1 << 20, 'x') + "y", "a", t0));  // the first 256 bytes name the pair
}

// Whatever bytes a name holds (a NUL, a cut multi-byte character, invalid UTF-8), it is counted, on PostgreSQL too
// (whose text takes none of those): the table keeps digests, never the names.
TEST_P(LoginLimiterTest, AnyBytesInANameAreCounted) {
  LoginLimiter limiter(*catalogue_, limits(1, 1000));
  const std::string names[] = {std::string("ad\0min", 6), std::string(255, 'x') + "\xC3\xA9", "\xFF\xFE", "\xE2\x82"};
  for (const std::string& name : names) {
    EXPECT_FALSE(limiter.admit(name, "a", t0));
    EXPECT_TRUE(limiter.admit(name, "a", t0)) << name;
  }
  EXPECT_FALSE(limiter.admit("admin", "a", t0));  // not mistaken for "ad\0min"
  const std::string kept = catalogue_->with_connection([](sql::Connection& db) {
    auto rows = db.prepare("SELECT key FROM login_failures ORDER BY key");
    std::string all;
    while (rows.step()) all += rows.text(0) + " ";
    return all;
  });
  EXPECT_EQ(kept.find("admin"), std::string::npos) << kept;
}

TEST_P(LoginLimiterTest, ThreadSafe) {
  auto other = another_server();
  LoginLimiter a(*catalogue_, limits(1'000'000, 1'000'000, 600, 1000)),
      b(*other, limits(1'000'000, 1'000'000, 600, 1000));
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      LoginLimiter& limiter = t % 2 ? a : b;
      for (int i = 0; i < 2000; ++i) {
        limiter.admit("user" + std::to_string(i % 700), "addr" + std::to_string(t), t0 + seconds(i / 100));
        if (i % 7 == 0) limiter.succeeded("user" + std::to_string(i % 700), "addr" + std::to_string(t));
      }
    });
  for (auto& thread : threads) thread.join();
  EXPECT_LE(a.entries(), 1000u + 2 * 10u);  // the cap, passed by at most a count's interval per server
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
