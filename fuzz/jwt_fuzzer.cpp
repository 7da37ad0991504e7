// The JWT parser. The first byte picks the mode: 0 feeds the rest as a token; otherwise the rest is
// "<header JSON>\n--side--\n<payload JSON>", encoded and signed here with the keyring's key, so that mutations reach
// the claims parsing that only a correctly signed token gets to.
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "server/auth_jwt.h"
#include "util/base64.h"

using namespace thumbgen;

namespace {

const server::JwtKeyring& keyring() {
  static const server::JwtKeyring ring(
      {{"k1", std::vector<std::uint8_t>(32, 0x42)}, {"k0", std::vector<std::uint8_t>(32, 0x17)}});
  return ring;
}

std::string signed_token(std::span<const std::uint8_t> header, std::span<const std::uint8_t> payload) {
  const std::string signing_input = util::encode_base64url(header) + "." + util::encode_base64url(payload);
  const std::vector<std::uint8_t>& secret = keyring().signing_key().secret;
  std::uint8_t mac[EVP_MAX_MD_SIZE];
  unsigned int mac_size = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size(), mac, &mac_size);
  return signing_input + "." + util::encode_base64url({mac, mac_size});
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::span<const std::uint8_t> rest(data + 1, size - 1);
  constexpr std::int64_t kNow = 1'800'000'000;
  if (data[0] == 0) {
    server::jwt_verify(keyring(), {reinterpret_cast<const char*>(rest.data()), rest.size()}, kNow);
    return 0;
  }
  constexpr std::string_view kSeparator = "\n--side--\n";
  const auto at = std::search(rest.begin(), rest.end(), kSeparator.begin(), kSeparator.end());
  if (at == rest.end()) return 0;
  const std::size_t header_size = static_cast<std::size_t>(at - rest.begin());
  const std::string token = signed_token(rest.first(header_size), rest.subspan(header_size + kSeparator.size()));
  server::jwt_verify(keyring(), token, kNow);
  return 0;
}
