// Password hashing/verification (argon2id, Django formats). Login throttling: login_throttling_test.cpp.
#include "server/auth_password.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <sodium.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "util/base64.h"

namespace thumbgen::server {
namespace {

TEST(PasswordTest, HashAndVerifyArgon2id) {
  const std::string hash = hash_password("correct horse");
  EXPECT_TRUE(hash.starts_with("$argon2id$v=19$")) << hash;
  EXPECT_TRUE(verify_password("correct horse", hash));
  EXPECT_FALSE(verify_password("correct horsE", hash));
  EXPECT_FALSE(verify_password("", hash));
  EXPECT_NE(hash, hash_password("correct horse"));  // salted
  EXPECT_FALSE(password_needs_rehash(hash));
}

// What a login costs is decided by the hash's parameters: libsodium's INTERACTIVE limits, read back from the hash
// string (m in KiB). bench/password_times.cpp measures the time, and that the dummy costs as much as a real check.
TEST(PasswordTest, HashesUseTheConfiguredArgon2idCosts) {
  const std::string hash = hash_password("pw");
  unsigned long long memory_kib = 0, passes = 0, lanes = 0;
  ASSERT_EQ(std::sscanf(hash.c_str(), "$argon2id$v=19$m=%llu,t=%llu,p=%llu$", &memory_kib, &passes, &lanes), 3) << hash;
  EXPECT_EQ(memory_kib * 1024, crypto_pwhash_MEMLIMIT_INTERACTIVE);
  EXPECT_EQ(passes, crypto_pwhash_OPSLIMIT_INTERACTIVE);
  EXPECT_EQ(lanes, 1u);
}

TEST(PasswordTest, DummyVerificationIsAlwaysFalse) {
  EXPECT_FALSE(verify_password_against_dummy("thumbgen dummy password for unknown users"));  // even its own
  EXPECT_FALSE(verify_password_against_dummy(""));
  EXPECT_FALSE(verify_password_against_dummy("correct horse"));
}

TEST(PasswordTest, EmptyAndUnicodePasswords) {
  const std::string hash = hash_password("");
  EXPECT_TRUE(verify_password("", hash));
  EXPECT_FALSE(verify_password(" ", hash));
  const std::string unicode = hash_password("l\xc3\xa8tmein");
  EXPECT_TRUE(verify_password("l\xc3\xa8tmein", unicode));
  EXPECT_FALSE(verify_password("letmein", unicode));
}

std::string django_pbkdf2(std::string_view password, std::string_view salt, int iterations) {
  unsigned char derived[32];
  PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                    reinterpret_cast<const unsigned char*>(salt.data()), static_cast<int>(salt.size()), iterations,
                    EVP_sha256(), sizeof derived, derived);
  return "pbkdf2_sha256$" + std::to_string(iterations) + "$" + std::string(salt) + "$" + util::encode_base64(derived);
}

TEST(PasswordTest, DjangoPbkdf2ComputedWithOpenSsl) {
  const std::string stored = django_pbkdf2("l\xc3\xa8tmein", "seasalt", 1000);
  EXPECT_TRUE(verify_password("l\xc3\xa8tmein", stored));
  EXPECT_FALSE(verify_password("letmein", stored));
  EXPECT_TRUE(password_needs_rehash(stored));
}

// RFC 7914 §11 PBKDF2-HMAC-SHA256 vector (P="passwd", S="salt", c=1), first 32 bytes, written in Django's format.
// Cross-checked with Python's hashlib.pbkdf2_hmac, the function Django calls.
TEST(PasswordTest, DjangoPbkdf2PublishedVector) {
  const std::string stored = "pbkdf2_sha256$1$salt$VawEblbjCJ/sFpHCJUS2BflBhSFt3gRl5oudV8INrLw=";
  EXPECT_TRUE(verify_password("passwd", stored));
  EXPECT_FALSE(verify_password("Passwd", stored));
}

TEST(PasswordTest, DjangoPbkdf2HostileVariants) {
  const std::string good = django_pbkdf2("pw", "salt", 10);
  ASSERT_TRUE(verify_password("pw", good));
  for (const std::string& bad : std::initializer_list<std::string>{
           "pbkdf2_sha256$0$salt$VawEblbjCJ/sFpHCJUS2BflBhSFt3gRl5oudV8INrLw=",            // zero iterations
           "pbkdf2_sha256$99999999999$salt$VawEblbjCJ/sFpHCJUS2BflBhSFt3gRl5oudV8INrLw=",  // absurd cost
           "pbkdf2_sha256$-1$salt$VawEblbjCJ/sFpHCJUS2BflBhSFt3gRl5oudV8INrLw=",
           "pbkdf2_sha256$01$salt$VawEblbjCJ/sFpHCJUS2BflBhSFt3gRl5oudV8INrLw=",
           "pbkdf2_sha256$1$salt$VawEblbjCJ/sFpHCJUS2BflBhSFt3gRl5oudV8INrLw",  // padding missing
           "pbkdf2_sha256$1$salt$",
           "pbkdf2_sha256$1$$VawEblbjCJ/sFpHCJUS2BflBhSFt3gRl5oudV8INrLw=",
           "pbkdf2_sha256$1$salt$VawEblbjCJ/sFpHCJUS2BflBhSFt3gRl5oudV8INrLw=$extra",
           "pbkdf2_sha1$1$salt$VawEblbjCJ/sFpHCJUS2BflBhSFt3gRl5oudV8INrLw=",
           "PBKDF2_SHA256$1$salt$VawEblbjCJ/sFpHCJUS2BflBhSFt3gRl5oudV8INrLw=",
       })
    EXPECT_FALSE(verify_password("passwd", bad)) << bad;
}

TEST(PasswordTest, DjangoArgon2FormatRoundTrip) {
  // libsodium writes "$argon2id$v=19$m=..,t=..,p=..$salt$hash"; Django stores the same behind an "argon2" prefix.
  const std::string sodium = hash_password("hunter2");
  const std::string django = "argon2" + sodium;
  EXPECT_TRUE(verify_password("hunter2", django));
  EXPECT_FALSE(verify_password("hunter3", django));
  EXPECT_TRUE(password_needs_rehash(django));
}

TEST(PasswordTest, DjangoArgon2WithCustomParameters) {
  // Costs Django users might configure (t=2, 1 MiB) expressed by libsodium's own encoder, then converted.
  char out[crypto_pwhash_STRBYTES];
  ASSERT_EQ(sodium_init() >= 0, true);
  ASSERT_EQ(crypto_pwhash_str_alg(out, "pw", 2, 2, 1 << 20, crypto_pwhash_ALG_ARGON2ID13), 0);
  const std::string sodium = out;
  EXPECT_NE(sodium.find("$m=1024,t=2,p=1$"), std::string::npos) << sodium;
  EXPECT_TRUE(verify_password("pw", "argon2" + sodium));
}

TEST(PasswordTest, ArgonCostsAreCapped) {
  // A stored hash claiming 4 GiB must be refused before libsodium allocates.
  const std::string sodium = hash_password("pw");
  const std::size_t m = sodium.find("m="), comma = sodium.find(',', m);
  const std::string huge = sodium.substr(0, m) + "m=4194304" + sodium.substr(comma);
  EXPECT_FALSE(verify_password("pw", huge));
  const std::string lanes = sodium.substr(0, sodium.find("p=")) + "p=255" + sodium.substr(sodium.find("p=") + 3);
  EXPECT_FALSE(verify_password("pw", lanes));
}

TEST(PasswordTest, GarbageHashesAreFalse) {
  const std::string good = hash_password("pw");
  for (const std::string& bad : std::initializer_list<std::string>{
           std::string(),
           std::string("pw"),
           std::string("$argon2id$"),
           std::string("$argon2i$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$aGFzaA"),
           std::string("argon2$argon2i$v=19$m=512,t=2,p=2$c29tZXNhbHQ$aGFzaA"),
           std::string("md5$salt$abc"),
           std::string("bcrypt_sha256$$2b$12$abc"),
           std::string("!unusable"),
           good.substr(0, good.size() - 5),
           good + "A",
           good + std::string(600, 'A'),
           "argon2" + good.substr(0, good.size() - 1),
       })
    EXPECT_FALSE(verify_password("pw", bad)) << bad;
}

}  // namespace
}  // namespace thumbgen::server
