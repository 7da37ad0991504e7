// HS256 JWT: round trip and the attacks DESIGN §5 lists, each crafted with real HMAC signatures.
#include "server/auth_jwt.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "support/scratch_dir.h"
#include "util/base64.h"

namespace thumbgen::server {
namespace {

constexpr std::int64_t kNow = 1'700'000'000;

JwtKey fixed_key(std::string kid, std::uint8_t fill) { return {std::move(kid), std::vector<std::uint8_t>(32, fill)}; }

std::string b64url(std::string_view text) {
  return util::encode_base64url({reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
}

std::string hmac(const EVP_MD* md, const std::vector<std::uint8_t>& secret, std::string_view data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(md, secret.data(), static_cast<int>(secret.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), mac, &length);
  return util::encode_base64url({mac, length});
}

// Builds a token from raw JSON texts, signed with HMAC(md) under secret.
std::string craft(std::string_view header, std::string_view payload, const std::vector<std::uint8_t>& secret,
                  const EVP_MD* md = EVP_sha256()) {
  const std::string signing_input = b64url(header) + "." + b64url(payload);
  return signing_input + "." + hmac(md, secret, signing_input);
}

JwtError error_of(const std::variant<JwtClaims, JwtError>& result) {
  EXPECT_TRUE(std::holds_alternative<JwtError>(result)) << "token was accepted";
  return std::holds_alternative<JwtError>(result) ? std::get<JwtError>(result) : JwtError::Malformed;
}

class JwtTest : public ::testing::Test {
 protected:
  JwtKeyring keyring{{fixed_key("k1", 0x11)}};
  const std::vector<std::uint8_t>& secret() const { return keyring.signing_key().secret; }
  static JwtClaims claims() { return {"alice", kNow, kNow, kNow + 3600}; }
};

TEST_F(JwtTest, RoundTrip) {
  const std::string token = jwt_sign(keyring, claims());
  auto result = jwt_verify(keyring, token, kNow + 10);
  ASSERT_TRUE(std::holds_alternative<JwtClaims>(result)) << describe(std::get<JwtError>(result));
  const auto& verified = std::get<JwtClaims>(result);
  EXPECT_EQ(verified.subject, "alice");
  EXPECT_EQ(verified.expires_at, kNow + 3600);
  EXPECT_EQ(verified.issued_at, kNow);
  EXPECT_EQ(verified.not_before, kNow);
  EXPECT_EQ(token.find('='), std::string::npos);
}

TEST_F(JwtTest, HeaderNamesAlgTypAndKid) {
  const std::string token = jwt_sign(keyring, claims());
  std::vector<std::uint8_t> header;
  ASSERT_TRUE(util::decode_base64url_strict(token.substr(0, token.find('.')), header));
  const std::string text(header.begin(), header.end());
  EXPECT_NE(text.find(R"("alg":"HS256")"), std::string::npos) << text;
  EXPECT_NE(text.find(R"("kid":"k1")"), std::string::npos) << text;
  EXPECT_NE(text.find(R"("typ":"JWT")"), std::string::npos) << text;
}

TEST_F(JwtTest, CraftedValidTokenVerifies) {  // proves craft() matches, so the attacks below fail for their reason
  auto result = jwt_verify(keyring, craft(R"({"alg":"HS256"})", R"({"sub":"bob","exp":1700003600})", secret()), kNow);
  ASSERT_TRUE(std::holds_alternative<JwtClaims>(result));
  EXPECT_EQ(std::get<JwtClaims>(result).subject, "bob");
}

TEST_F(JwtTest, AlgNoneRejected) {
  const std::string payload = b64url(R"({"sub":"alice","exp":1700003600})");
  EXPECT_EQ(error_of(jwt_verify(keyring, b64url(R"({"alg":"none"})") + "." + payload + ".", kNow)),
            JwtError::BadAlgorithm);
  EXPECT_EQ(error_of(jwt_verify(keyring, b64url(R"({"alg":"None"})") + "." + payload + ".", kNow)),
            JwtError::BadAlgorithm);
}

TEST_F(JwtTest, OtherAlgorithmsRejectedEvenWhenCorrectlySigned) {
  const std::string payload = R"({"sub":"alice","exp":1700003600})";
  EXPECT_EQ(
      error_of(jwt_verify(keyring, craft(R"({"alg":"HS512","kid":"k1"})", payload, secret(), EVP_sha512()), kNow)),
      JwtError::BadAlgorithm);
  // HS512 header but an HS256 MAC: still refused on the header.
  EXPECT_EQ(error_of(jwt_verify(keyring, craft(R"({"alg":"HS512"})", payload, secret()), kNow)),
            JwtError::BadAlgorithm);
  // RS256 key-confusion: HMAC over the input with the secret as "public key".
  EXPECT_EQ(error_of(jwt_verify(keyring, craft(R"({"alg":"RS256"})", payload, secret()), kNow)),
            JwtError::BadAlgorithm);
  EXPECT_EQ(error_of(jwt_verify(keyring, craft(R"({"alg":"hs256"})", payload, secret()), kNow)),
            JwtError::BadAlgorithm);
  EXPECT_EQ(error_of(jwt_verify(keyring, craft(R"({"alg":["HS256"]})", payload, secret()), kNow)),
            JwtError::BadAlgorithm);
}

TEST_F(JwtTest, MissingAlgRejected) {
  EXPECT_EQ(error_of(jwt_verify(keyring, craft(R"({"typ":"JWT"})", R"({"sub":"a","exp":1700003600})", secret()), kNow)),
            JwtError::BadAlgorithm);
}

TEST_F(JwtTest, CritHeaderRejected) {
  EXPECT_EQ(error_of(jwt_verify(
                keyring, craft(R"({"alg":"HS256","crit":["x"]})", R"({"sub":"a","exp":1700003600})", secret()), kNow)),
            JwtError::Malformed);
}

TEST_F(JwtTest, TamperedPayloadRejected) {
  const std::string token = jwt_sign(keyring, claims());
  const std::size_t dot1 = token.find('.'), dot2 = token.rfind('.');
  const std::string forged =
      token.substr(0, dot1 + 1) + b64url(R"({"sub":"admin","exp":1700003600})") + token.substr(dot2);
  EXPECT_EQ(error_of(jwt_verify(keyring, forged, kNow)), JwtError::BadSignature);
}

TEST_F(JwtTest, TamperedSignatureRejected) {
  std::string token = jwt_sign(keyring, claims());
  const std::size_t dot2 = token.rfind('.');
  token[dot2 + 1] = token[dot2 + 1] == 'A' ? 'B' : 'A';
  EXPECT_EQ(error_of(jwt_verify(keyring, token, kNow)), JwtError::BadSignature);
  // Truncated signature (valid base64url, wrong length).
  const std::string truncated = token.substr(0, dot2 + 1) + "AAAA";
  EXPECT_EQ(error_of(jwt_verify(keyring, truncated, kNow)), JwtError::BadSignature);
  EXPECT_EQ(error_of(jwt_verify(keyring, token.substr(0, dot2 + 1), kNow)), JwtError::BadSignature);
}

TEST_F(JwtTest, ExpiryHonouredWithSkew) {
  const std::string token = jwt_sign(keyring, claims());
  EXPECT_TRUE(std::holds_alternative<JwtClaims>(jwt_verify(keyring, token, kNow + 3600 + 59)));
  EXPECT_EQ(error_of(jwt_verify(keyring, token, kNow + 3600 + 60)), JwtError::Expired);
  EXPECT_EQ(error_of(jwt_verify(keyring, token, kNow + 3600 + 61, 0)), JwtError::Expired);
  // A caller cannot widen the skew beyond 60 s.
  EXPECT_EQ(error_of(jwt_verify(keyring, token, kNow + 3600 + 1000, 100000)), JwtError::Expired);
}

TEST_F(JwtTest, NotBeforeBeyondSkewRejected) {
  const std::string token = jwt_sign(keyring, {"alice", 0, kNow + 120, kNow + 3600});
  EXPECT_EQ(error_of(jwt_verify(keyring, token, kNow)), JwtError::NotYetValid);
  EXPECT_TRUE(std::holds_alternative<JwtClaims>(jwt_verify(keyring, token, kNow + 60)));
}

TEST_F(JwtTest, IssuedInTheFutureBeyondSkewRejected) {
  const std::string token = jwt_sign(keyring, {"alice", kNow + 300, 0, kNow + 3600});
  EXPECT_EQ(error_of(jwt_verify(keyring, token, kNow)), JwtError::NotYetValid);
  const std::string slightly = jwt_sign(keyring, {"alice", kNow + 30, 0, kNow + 3600});
  EXPECT_TRUE(std::holds_alternative<JwtClaims>(jwt_verify(keyring, slightly, kNow)));
}

TEST_F(JwtTest, WrongKeyRejected) {
  JwtKeyring other{{fixed_key("k1", 0x22)}};
  EXPECT_EQ(error_of(jwt_verify(keyring, jwt_sign(other, claims()), kNow)), JwtError::BadSignature);
}

TEST_F(JwtTest, UnknownKidRejected) {
  JwtKeyring other{{fixed_key("k9", 0x11)}};
  EXPECT_EQ(error_of(jwt_verify(keyring, jwt_sign(other, claims()), kNow)), JwtError::UnknownKey);
  EXPECT_EQ(error_of(jwt_verify(
                keyring, craft(R"({"alg":"HS256","kid":7})", R"({"sub":"a","exp":1700003600})", secret()), kNow)),
            JwtError::Malformed);
}

TEST_F(JwtTest, AbsentKidUsesSigningKeyOnly) {
  JwtKeyring rotated{{fixed_key("new", 0x33), fixed_key("old", 0x11)}};
  const std::string payload = R"({"sub":"a","exp":1700003600})";
  EXPECT_TRUE(std::holds_alternative<JwtClaims>(
      jwt_verify(rotated, craft(R"({"alg":"HS256"})", payload, rotated.signing_key().secret), kNow)));
  EXPECT_EQ(error_of(jwt_verify(rotated, craft(R"({"alg":"HS256"})", payload, rotated.find("old")->secret), kNow)),
            JwtError::BadSignature);
}

TEST_F(JwtTest, KeyRotation) {
  const std::string old_token = jwt_sign(keyring, claims());
  JwtKeyring rotated{{JwtKeyring::generate_key("k2"), fixed_key("k1", 0x11)}};
  EXPECT_TRUE(std::holds_alternative<JwtClaims>(jwt_verify(rotated, old_token, kNow)));
  const std::string new_token = jwt_sign(rotated, claims());
  EXPECT_NE(new_token.find(b64url(R"({"alg":"HS256","kid":"k2","typ":"JWT"})")), std::string::npos);
  EXPECT_TRUE(std::holds_alternative<JwtClaims>(jwt_verify(rotated, new_token, kNow)));
  EXPECT_EQ(error_of(jwt_verify(keyring, new_token, kNow)), JwtError::UnknownKey);
  // Once the old key is retired its tokens stop working.
  JwtKeyring retired{{rotated.signing_key()}};
  EXPECT_EQ(error_of(jwt_verify(retired, old_token, kNow)), JwtError::UnknownKey);
}

TEST_F(JwtTest, MalformedTokens) {
  const std::string token = jwt_sign(keyring, claims());
  const std::size_t dot1 = token.find('.'), dot2 = token.rfind('.');
  const std::string header = token.substr(0, dot1), payload = token.substr(dot1 + 1, dot2 - dot1 - 1),
                    signature = token.substr(dot2 + 1);
  const std::vector<std::string> cases = {
      "",
      "abc",
      header + "." + payload,                          // 2 parts
      token + ".AAAA",                                 // 4 parts
      header + "." + payload + "." + signature + ".",  // trailing dot
      header + "==." + payload + "." + signature,      // padding
      header + "." + payload + "=." + signature,       //
      header + "." + payload + "." + signature + "=",  //
      header + "." + payload + "." + signature + " ",  // whitespace
      " " + token,                                     //
      header + "." + payload.substr(0, 4) + "\n" + payload.substr(4) + "." + signature,
      header + "." + payload + "." + signature.substr(0, 10) + "+" + signature.substr(11),  // standard alphabet
      header + "." + payload + "." + signature.substr(0, 10) + "/" + signature.substr(11),
      b64url("not json") + "." + payload + "." + signature,
      b64url("[1,2]") + "." + payload + "." + signature,
      "!!!!." + payload + "." + signature,
  };
  for (const auto& bad : cases) EXPECT_EQ(error_of(jwt_verify(keyring, bad, kNow)), JwtError::Malformed) << bad;
}

TEST_F(JwtTest, SignedButNonObjectOrBadClaimsPayloadIsMalformed) {
  EXPECT_EQ(error_of(jwt_verify(keyring, craft(R"({"alg":"HS256"})", R"([1,2,3])", secret()), kNow)),
            JwtError::Malformed);
  EXPECT_EQ(error_of(jwt_verify(keyring, craft(R"({"alg":"HS256"})", "{not json", secret()), kNow)),
            JwtError::Malformed);
  EXPECT_EQ(
      error_of(jwt_verify(keyring, craft(R"({"alg":"HS256"})", R"({"sub":"a","exp":"1700003600"})", secret()), kNow)),
      JwtError::Malformed);
  EXPECT_EQ(error_of(jwt_verify(keyring, craft(R"({"alg":"HS256"})", R"({"sub":"a","exp":1.7e9})", secret()), kNow)),
            JwtError::Malformed);
  EXPECT_EQ(error_of(jwt_verify(keyring, craft(R"({"alg":"HS256"})", R"({"exp":1700003600})", secret()), kNow)),
            JwtError::Malformed);
  EXPECT_EQ(error_of(jwt_verify(
                keyring, craft(R"({"alg":"HS256"})", R"({"sub":"a","exp":18446744073709551615})", secret()), kNow)),
            JwtError::Malformed);
}

TEST_F(JwtTest, StampRoundTripsAndIsWrittenOnlyWhenSet) {
  JwtClaims stamped = claims();
  stamped.stamp = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
  auto result = jwt_verify(keyring, jwt_sign(keyring, stamped), kNow);
  ASSERT_TRUE(std::holds_alternative<JwtClaims>(result));
  EXPECT_EQ(std::get<JwtClaims>(result).stamp, stamped.stamp);
  const std::string plain = jwt_sign(keyring, claims());
  std::vector<std::uint8_t> payload;
  ASSERT_TRUE(util::decode_base64url_strict(plain.substr(plain.find('.') + 1, plain.rfind('.') - plain.find('.') - 1),
                                            payload));
  EXPECT_EQ(std::string(payload.begin(), payload.end()).find("stamp"), std::string::npos);
  EXPECT_TRUE(std::get<JwtClaims>(jwt_verify(keyring, plain, kNow)).stamp.empty());
}

TEST_F(JwtTest, StampMustBeANonEmptyString) {
  for (const char* stamp : {"5", "\"\"", "null", "[\"a\"]", "{}"}) {
    const std::string payload = std::string(R"({"sub":"a","exp":1700003600,"stamp":)") + stamp + "}";
    EXPECT_EQ(error_of(jwt_verify(keyring, craft(R"({"alg":"HS256"})", payload, secret()), kNow)), JwtError::Malformed)
        << stamp;
  }
}

TEST_F(JwtTest, AuthTimeRoundTripsAndMustBeAnInteger) {
  JwtClaims session = claims();
  session.auth_time = kNow - 7200;
  auto result = jwt_verify(keyring, jwt_sign(keyring, session), kNow);
  ASSERT_TRUE(std::holds_alternative<JwtClaims>(result));
  EXPECT_EQ(std::get<JwtClaims>(result).auth_time, kNow - 7200);
  EXPECT_EQ(std::get<JwtClaims>(jwt_verify(keyring, jwt_sign(keyring, claims()), kNow)).auth_time, 0);
  for (const char* value : {"\"1700000000\"", "1.5", "null", "[]"}) {
    const std::string payload = std::string(R"({"sub":"a","exp":1700003600,"auth_time":)") + value + "}";
    EXPECT_EQ(error_of(jwt_verify(keyring, craft(R"({"alg":"HS256"})", payload, secret()), kNow)), JwtError::Malformed)
        << value;
  }
}

TEST_F(JwtTest, ExtremeExpiryDoesNotOverflow) {
  auto result =
      jwt_verify(keyring, craft(R"({"alg":"HS256"})", R"({"sub":"a","exp":-9223372036854775808})", secret()), kNow);
  EXPECT_EQ(error_of(result), JwtError::Expired);
}

TEST_F(JwtTest, MissingExpiryRejected) {
  EXPECT_EQ(error_of(jwt_verify(keyring, craft(R"({"alg":"HS256"})", R"({"sub":"alice"})", secret()), kNow)),
            JwtError::MissingExpiry);
}

TEST_F(JwtTest, HugeTokenRejected) {
  const std::string filler(10'000, 'a');
  const std::string token =
      craft(R"({"alg":"HS256"})", R"({"sub":"alice","exp":1700003600,"x":")" + filler + "\"}", secret());
  EXPECT_GT(token.size(), kMaxJwtLength);
  EXPECT_EQ(error_of(jwt_verify(keyring, token, kNow)), JwtError::Malformed);
}

TEST_F(JwtTest, DescribeNamesEveryError) {
  for (JwtError error : {JwtError::Malformed, JwtError::BadAlgorithm, JwtError::UnknownKey, JwtError::BadSignature,
                         JwtError::Expired, JwtError::NotYetValid, JwtError::MissingExpiry})
    EXPECT_STRNE(describe(error), "unknown error");
}

TEST(JwtKeyringTest, RejectsWeakOrInvalidKeys) {
  EXPECT_THROW(JwtKeyring({}), std::invalid_argument);
  EXPECT_THROW(JwtKeyring({{"k1", std::vector<std::uint8_t>(31, 1)}}), std::invalid_argument);
  EXPECT_THROW(JwtKeyring({{"", std::vector<std::uint8_t>(32, 1)}}), std::invalid_argument);
  EXPECT_THROW(JwtKeyring({{"bad kid", std::vector<std::uint8_t>(32, 1)}}), std::invalid_argument);
  EXPECT_THROW(JwtKeyring({fixed_key("a", 1), fixed_key("a", 2)}), std::invalid_argument);
  const JwtKey one = JwtKeyring::generate_key("x"), two = JwtKeyring::generate_key("y");
  EXPECT_EQ(one.secret.size(), 32u);
  EXPECT_NE(one.secret, two.secret);
}

class KeyFileTest : public ::testing::Test {
 protected:
  test::ScratchDir dir{"thumbgen-jwt"};
};

TEST_F(KeyFileTest, CreatedWith0600AndReloadedIdentically) {
  const auto file = dir / "jwt.keys";
  const JwtKeyring created = load_or_create_keyring(file);
  struct stat info {};
  ASSERT_EQ(::stat(file.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600);
  const JwtKeyring loaded = load_or_create_keyring(file);
  EXPECT_EQ(loaded.signing_key().kid, created.signing_key().kid);
  EXPECT_EQ(loaded.signing_key().secret, created.signing_key().secret);
  const std::string token = jwt_sign(created, {"alice", kNow, 0, kNow + 60});
  EXPECT_TRUE(std::holds_alternative<JwtClaims>(jwt_verify(loaded, token, kNow)));
}

TEST_F(KeyFileTest, RotationFileWithTwoKeys) {
  const auto file = dir / "jwt.keys";
  const JwtKey a = JwtKeyring::generate_key("new"), b = JwtKeyring::generate_key("old");
  {
    std::ofstream out(file);
    out << "# rotated\n"
        << a.kid << " " << util::encode_base64(a.secret) << "\n"
        << b.kid << " " << util::encode_base64(b.secret) << "\n";
  }
  std::filesystem::permissions(file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  const JwtKeyring keyring = load_or_create_keyring(file);
  EXPECT_EQ(keyring.signing_key().kid, "new");
  ASSERT_NE(keyring.find("old"), nullptr);
  EXPECT_EQ(keyring.find("old")->secret, b.secret);
}

TEST_F(KeyFileTest, RejectsWorldReadableOrBrokenFiles) {
  const auto file = dir / "jwt.keys";
  load_or_create_keyring(file);
  std::filesystem::permissions(file, std::filesystem::perms::others_read, std::filesystem::perm_options::add);
  EXPECT_THROW(load_or_create_keyring(file), std::runtime_error);
  for (const std::string& content :
       std::initializer_list<std::string>{"k1 not-base64!\n", "k1\n", "k1 AAAA\n" /* too short */, "k1 a b\n", "\n"}) {
    {
      std::ofstream out(file, std::ios::trunc);
      out << content;
    }
    std::filesystem::permissions(file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    EXPECT_THROW(load_or_create_keyring(file), std::runtime_error) << content;
  }
}

// Several servers sharing one keys file start together: all of them must end up with the same key, none may read a
// half-written file, and no temporary file is left behind.
TEST_F(KeyFileTest, ServersStartingTogetherAgreeOnOneKey) {
  for (int round = 0; round < 20; ++round) {
    const auto file = dir / ("shared-" + std::to_string(round) + ".keys");
    std::vector<std::vector<std::uint8_t>> secrets(8);
    std::vector<std::string> errors(secrets.size());
    std::vector<std::thread> servers;
    for (std::size_t i = 0; i < secrets.size(); ++i) {
      servers.emplace_back([&, i] {
        try {
          secrets[i] = load_or_create_keyring(file).signing_key().secret;
        } catch (const std::exception& error) {
          errors[i] = error.what();
        }
      });
    }
    for (std::thread& server : servers) server.join();
    for (std::size_t i = 0; i < secrets.size(); ++i) {
      EXPECT_EQ(errors[i], "") << "round " << round;
      EXPECT_EQ(secrets[i], secrets[0]) << "round " << round;
    }
  }
  for (const auto& entry : std::filesystem::directory_iterator(dir.path()))
    EXPECT_EQ(entry.path().filename().string().find(".new-"), std::string::npos) << entry.path();
}

}  // namespace
}  // namespace thumbgen::server
