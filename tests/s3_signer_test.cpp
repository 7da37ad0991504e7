// The SigV4 signer against published answers: AWS's own S3 examples, and botocore's signatures for the two
// requests thumbgen sends that those examples do not cover (a ListObjectsV2 page with a base64 continuation token,
// a PUT with Content-MD5 and Content-Type). A wrong canonical form changes every signature below.
#include "server/s3_signer.h"

#include <gtest/gtest.h>

#include <string>

namespace thumbgen::server {
namespace {

std::span<const std::uint8_t> bytes_of(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

constexpr const char* kEmptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

// AWS, "Signature Calculations for the Authorization Header: Transferring Payload in a Single Chunk"
// (https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html): bucket examplebucket, us-east-1,
// 20130524T000000Z, these credentials.
const SigV4Credentials kAwsExample{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"};
constexpr const char* kAwsDate = "20130524T000000Z";

SigV4Request aws_request(std::string method, std::string uri, std::vector<std::pair<std::string, std::string>> query,
                         std::string payload_sha256) {
  SigV4Request request{std::move(method), std::move(uri), std::move(query), {}, payload_sha256};
  request.headers = {
      {"Host", "examplebucket.s3.amazonaws.com"}, {"x-amz-date", kAwsDate}, {"x-amz-content-sha256", payload_sha256}};
  return request;
}

TEST(S3Signer, AwsExampleGetObject) {
  SigV4Request request = aws_request("GET", "/test.txt", {}, kEmptySha256);
  request.headers.emplace_back("Range", "bytes=0-9");
  EXPECT_EQ(sigv4_authorization(request, kAwsExample, "us-east-1", kAwsDate),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(S3Signer, AwsExamplePutObject) {
  const std::string payload_hash = sha256_hex(bytes_of("Welcome to Amazon S3."));
  EXPECT_EQ(payload_hash, "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  // The key "test$file.text": '$' is encoded in the canonical URI.
  SigV4Request request = aws_request("PUT", "/" + sigv4_uri_encode("test$file.text", true), {}, payload_hash);
  EXPECT_EQ(request.canonical_uri, "/test%24file.text");
  request.headers.emplace_back("Date", "Fri, 24 May 2013 00:00:00 GMT");
  request.headers.emplace_back("x-amz-storage-class", "REDUCED_REDUNDANCY");
  EXPECT_EQ(sigv4_authorization(request, kAwsExample, "us-east-1", kAwsDate),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
            "SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class,"
            "Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
}

TEST(S3Signer, AwsExampleSubresourceWithoutValue) {
  const SigV4Request request = aws_request("GET", "/", {{"lifecycle", ""}}, kEmptySha256);
  EXPECT_EQ(sigv4_authorization(request, kAwsExample, "us-east-1", kAwsDate),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
            "SignedHeaders=host;x-amz-content-sha256;x-amz-date,"
            "Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
}

TEST(S3Signer, AwsExampleListObjectsQueryIsSorted) {
  // Given out of order: the canonical query sorts it (prefix after max-keys).
  const SigV4Request request = aws_request("GET", "/", {{"prefix", "J"}, {"max-keys", "2"}}, kEmptySha256);
  EXPECT_EQ(sigv4_canonical_query(request.query), "max-keys=2&prefix=J");
  EXPECT_EQ(sigv4_authorization(request, kAwsExample, "us-east-1", kAwsDate),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
            "SignedHeaders=host;x-amz-content-sha256;x-amz-date,"
            "Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

// botocore, S3SigV4Auth(credentials, "s3", "us-west-004").add_auth() on the same requests (Debian's python3-botocore
// 1.29.27 and botocore 1.43.11 give the same; tests/s3/botocore_signatures.py re-derives them), sent to
// http://127.0.0.1:9000 path-style (a B2-style region name, a secret with '/' and '+'); the date is the one it signed
// at.
const SigV4Credentials kBotocore{"AKIDTHUMBGEN", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"};
constexpr const char* kBotocoreDate = "20261204T222144Z";

SigV4Request botocore_request(std::string method, std::string uri,
                              std::vector<std::pair<std::string, std::string>> query, std::string payload_sha256) {
  SigV4Request request{std::move(method), std::move(uri), std::move(query), {}, payload_sha256};
  request.headers = {
      {"host", "127.0.0.1:9000"}, {"X-Amz-Date", kBotocoreDate}, {"X-Amz-Content-SHA256", payload_sha256}};
  return request;
}

TEST(S3Signer, BotocoreListObjectsV2WithContinuationToken) {
  // The token as base64 with '+', '/' and '=' (what S3 and s3rver hand back), the parameters unsorted.
  const SigV4Request request = botocore_request(
      "GET", "/gallery",
      {{"prefix", "media/thumbs/"}, {"list-type", "2"}, {"continuation-token", "1Nd+qUk/ab=="}, {"max-keys", "1000"}},
      kEmptySha256);
  EXPECT_EQ(sigv4_canonical_query(request.query),
            "continuation-token=1Nd%2BqUk%2Fab%3D%3D&list-type=2&max-keys=1000&prefix=media%2Fthumbs%2F");
  EXPECT_EQ(sigv4_authorization(request, kBotocore, "us-west-004", kBotocoreDate),
            "AWS4-HMAC-SHA256 Credential=AKIDTHUMBGEN/20261204/us-west-004/s3/aws4_request,"
            "SignedHeaders=host;x-amz-content-sha256;x-amz-date,"
            "Signature=d3bcf2331e9b9877d297d0cb71dbf94b9c09ac84c075b0eed488d295563768a7");
}

TEST(S3Signer, BotocorePutWithContentMd5) {
  const std::string_view body = "Welcome to thumbgen.";
  EXPECT_EQ(md5_base64(bytes_of(body)), "joyuoGLzipcMFfr4wFWwfw==");
  SigV4Request request =
      botocore_request("PUT", "/gallery/media/thumbs/12/Ab_c-d.e.jpg", {}, sha256_hex(bytes_of(body)));
  request.headers.emplace_back("Content-Type", "image/jpeg");
  request.headers.emplace_back("Content-MD5", "joyuoGLzipcMFfr4wFWwfw==");
  EXPECT_EQ(sigv4_authorization(request, kBotocore, "us-west-004", kBotocoreDate),
            "AWS4-HMAC-SHA256 Credential=AKIDTHUMBGEN/20261204/us-west-004/s3/aws4_request,"
            "SignedHeaders=content-md5;content-type;host;x-amz-content-sha256;x-amz-date,"
            "Signature=924aaef792d30b133c40173c5084205b9bbeaac6a176428458f2cbd5aba38b52");
}

TEST(S3Signer, HeaderValuesAreTrimmedAndSpacesCollapsed) {
  SigV4Request request{"GET", "/", {}, {{"X-Amz-Meta-Note", "  a   b  "}, {"Host", "h"}}, kEmptySha256};
  EXPECT_EQ(sigv4_canonical_request(request),
            std::string("GET\n/\n\nhost:h\nx-amz-meta-note:a b\n\nhost;x-amz-meta-note\n") + kEmptySha256);
}

TEST(S3Signer, UriEncodingKeepsOnlyUnreservedCharacters) {
  EXPECT_EQ(sigv4_uri_encode("thumbs/1/A-z_0.9~ $=+&", true), "thumbs/1/A-z_0.9~%20%24%3D%2B%26");
  EXPECT_EQ(sigv4_uri_encode("a/b", false), "a%2Fb");
  EXPECT_EQ(amz_date(1369353600), "20130524T000000Z");
}

}  // namespace
}  // namespace thumbgen::server
