#include "server/s3_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <ctime>
#include <mutex>
#include <random>
#include <thread>

#include "server/s3_xml.h"

namespace thumbgen::server {

namespace {

constexpr std::string_view kEmptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
constexpr std::chrono::milliseconds kMaxRetryDelay{8000};

std::once_flag g_curl_init;

struct Transfer {
  std::string* body;
  std::uint64_t max_bytes;
  bool too_large = false;
};

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto& transfer = *static_cast<Transfer*>(user);
  const std::size_t bytes = size * count;
  if (transfer.body->size() + bytes > transfer.max_bytes) {
    transfer.too_large = true;
    return 0;  // aborts the transfer
  }
  transfer.body->append(data, bytes);
  return bytes;
}

bool retryable_status(long status, const std::string& body) {
  if (status >= 500 || status == 429) return true;
  // A request the server gave up on while reading it (a slow network): another try may well get through.
  return status == 400 && xml_element_text(body, "Code") == "RequestTimeout";
}

bool retryable_curl_error(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return true;
    default:
      return false;
  }
}

// "2024-03-01T12:00:00.000Z" → Unix seconds (0 when it does not parse).
std::int64_t parse_iso8601(const std::string& text) {
  std::tm tm{};
  if (!strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm)) return 0;
  return static_cast<std::int64_t>(timegm(&tm));
}

std::string hint_for(const std::string& code) {
  if (code == "SignatureDoesNotMatch") return " (check AWS_SECRET_ACCESS_KEY and THUMBGEN_S3_REGION)";
  if (code == "InvalidAccessKeyId") return " (check AWS_ACCESS_KEY_ID)";
  if (code == "NoSuchBucket") return " (create the bucket, or check THUMBGEN_STORAGE and THUMBGEN_S3_ENDPOINT)";
  if (code == "AuthorizationHeaderMalformed") return " (check THUMBGEN_S3_REGION)";
  return "";
}

}  // namespace

bool valid_s3_bucket_name(std::string_view bucket) {
  return bucket.size() >= 3 && bucket.size() <= 63 && bucket.front() != '.' && bucket.front() != '-' &&
         std::all_of(bucket.begin(), bucket.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
         });
}

// Easy handles kept between requests, so connections stay open (keep-alive) across uploads.
class S3Client::HandlePool {
 public:
  ~HandlePool() {
    for (CURL* handle : free_) curl_easy_cleanup(handle);
  }
  CURL* take() {
    {
      std::lock_guard lock(mutex_);
      if (!free_.empty()) {
        CURL* handle = free_.back();
        free_.pop_back();
        return handle;
      }
    }
    CURL* handle = curl_easy_init();
    if (!handle) throw std::runtime_error("cannot initialise libcurl");
    return handle;
  }
  void give_back(CURL* handle) {
    std::lock_guard lock(mutex_);
    free_.push_back(handle);
  }

 private:
  std::mutex mutex_;
  std::vector<CURL*> free_;
};

struct S3Client::Call {
  std::string what;  // "PUT", "GET", "DELETE", "LIST" (messages)
  std::string method;
  std::string key;      // "" for the bucket itself
  std::string subject;  // what messages name after s3://bucket/: the key, or "prefix*" for a listing
  std::vector<std::pair<std::string, std::string>> query;
  std::span<const std::uint8_t> body;
  std::vector<std::pair<std::string, std::string>> headers;  // signed, besides host and x-amz-*
  std::uint64_t max_response_bytes = 1 << 20;
};

S3Client::S3Client(S3ClientOptions options) : options_(std::move(options)), handles_(std::make_unique<HandlePool>()) {
  std::call_once(g_curl_init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (!valid_s3_bucket_name(options_.bucket))
    throw std::invalid_argument("S3 bucket name '" + options_.bucket + "' is not valid (3-63 of a-z 0-9 . -)");
  if (options_.region.empty()) throw std::invalid_argument("S3 region is empty");
  std::string endpoint =
      options_.endpoint.empty() ? "https://s3." + options_.region + ".amazonaws.com" : options_.endpoint;
  while (endpoint.ends_with('/')) endpoint.pop_back();
  const std::size_t colon = endpoint.find("://");
  scheme_ = colon == std::string::npos ? "" : endpoint.substr(0, colon);
  host_ = colon == std::string::npos ? "" : endpoint.substr(colon + 3);
  const bool bad_host = host_.empty() || host_.find_first_of("/?#@ ") != std::string::npos;
  if ((scheme_ != "http" && scheme_ != "https") || bad_host)
    throw std::invalid_argument("S3 endpoint '" + options_.endpoint + "' is not http(s)://host[:port]");
  // Host header as curl would write it: the default port left out.
  if ((scheme_ == "http" && host_.ends_with(":80")) || (scheme_ == "https" && host_.ends_with(":443")))
    host_.erase(host_.rfind(':'));
  if (!options_.path_style) host_ = options_.bucket + "." + host_;
  if (options_.attempts < 1) options_.attempts = 1;
}

S3Client::~S3Client() = default;

std::string S3Client::describe() const { return "s3://" + options_.bucket + " at " + scheme_ + "://" + host_; }

S3Client::Response S3Client::send(const Call& call) {
  const std::string path =
      (options_.path_style ? "/" + options_.bucket : std::string()) + "/" + sigv4_uri_encode(call.key, true);
  const std::string canonical_uri = options_.path_style && call.key.empty() ? "/" + options_.bucket : path;
  const std::string query = sigv4_canonical_query(call.query);
  const std::string url = scheme_ + "://" + host_ + canonical_uri + (query.empty() ? "" : "?" + query);
  const std::string payload_hash = call.body.empty() ? std::string(kEmptySha256) : sha256_hex(call.body);

  std::mt19937 random(std::random_device{}());
  std::chrono::milliseconds delay = options_.first_retry_delay;
  for (int attempt = 1;; ++attempt) {
    // Signed afresh for each try: the date is part of the signature.
    const std::string date = amz_date(std::time(nullptr));
    SigV4Request signed_request{call.method, canonical_uri, call.query, call.headers, payload_hash};
    signed_request.headers.emplace_back("Host", host_);
    signed_request.headers.emplace_back("x-amz-content-sha256", payload_hash);
    signed_request.headers.emplace_back("x-amz-date", date);
    const std::string authorization = sigv4_authorization(signed_request, options_.credentials, options_.region, date);

    curl_slist* headers = nullptr;
    for (const auto& [name, value] : signed_request.headers)
      headers = curl_slist_append(headers, (name + ": " + value).c_str());
    headers = curl_slist_append(headers, ("Authorization: " + authorization).c_str());
    headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip before small bodies
    CURL* curl = handles_->take();
    curl_easy_reset(curl);  // keeps the connection cache
    Response response;
    Transfer transfer{&response.body, call.max_response_bytes};
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_PATH_AS_IS, 1L);  // the path is sent exactly as signed
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout.count()));
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.request_timeout.count()));
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
    if (call.method == "PUT") {
      curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, "PUT");
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, call.body.data());
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(call.body.size()));
    } else if (call.method != "GET") {
      curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, call.method.c_str());
    }
    const CURLcode result = curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
    handles_->give_back(curl);
    curl_slist_free_all(headers);

    std::string failure;
    if (transfer.too_large) {
      throw S3Error("S3 " + call.what + " of s3://" + options_.bucket + "/" + call.subject + " at " + scheme_ + "://" +
                        host_ + ": the answer is larger than " + std::to_string(call.max_response_bytes) + " bytes",
                    "", response.status);
    } else if (result != CURLE_OK) {
      if (!retryable_curl_error(result) || attempt >= options_.attempts) {
        throw S3Error("S3 " + call.what + " of s3://" + options_.bucket + "/" + call.subject + " at " + scheme_ +
                          "://" + host_ + " failed after " + std::to_string(attempt) +
                          " attempt(s): " + curl_easy_strerror(result),
                      "", 0);
      }
      failure = curl_easy_strerror(result);
    } else if (retryable_status(response.status, response.body) && attempt < options_.attempts) {
      failure = "HTTP " + std::to_string(response.status) + " " + xml_element_text(response.body, "Code").value_or("");
    } else {
      return response;
    }
    if (options_.on_retry) {
      options_.on_retry("S3 " + call.what + " of s3://" + options_.bucket + "/" + call.subject + ": " + failure,
                        attempt);
    }
    // Exponential backoff with jitter: between half and all of the delay, so many servers do not retry in step.
    std::uniform_int_distribution<long> jitter(delay.count() / 2, delay.count());
    std::this_thread::sleep_for(std::chrono::milliseconds(jitter(random)));
    delay = std::min(delay * 2, kMaxRetryDelay);
  }
}

void S3Client::fail(const Call& call, const Response& response) const {
  const std::string code = xml_element_text(response.body, "Code").value_or("");
  const std::string message = xml_element_text(response.body, "Message").value_or("");
  throw S3Error("S3 " + call.what + " of s3://" + options_.bucket + "/" + call.subject + " at " + scheme_ + "://" +
                    host_ + ": " + (code.empty() ? "error" : code) + " (HTTP " + std::to_string(response.status) + ")" +
                    (message.empty() ? "" : ": " + message) + hint_for(code),
                code, response.status);
}

void S3Client::put_object(std::string_view key, std::span<const std::uint8_t> bytes, std::string_view content_type) {
  Call call{"PUT", "PUT", std::string(key), std::string(key), {}, bytes, {}};
  // S3 recomputes the MD5 and refuses a body that was damaged on the way (BadDigest).
  call.headers = {{"Content-MD5", md5_base64(bytes)}, {"Content-Type", std::string(content_type)}};
  const Response response = send(call);
  if (response.status != 200) fail(call, response);
}

std::optional<std::string> S3Client::get_object(std::string_view key) {
  Call call{"GET", "GET", std::string(key), std::string(key), {}, {}, {}};
  call.max_response_bytes = options_.max_object_bytes;
  Response response = send(call);
  if (response.status == 404 && xml_element_text(response.body, "Code") != "NoSuchBucket") return std::nullopt;
  if (response.status != 200) fail(call, response);
  return std::move(response.body);
}

void S3Client::delete_object(std::string_view key) {
  Call call{"DELETE", "DELETE", std::string(key), std::string(key), {}, {}, {}};
  const Response response = send(call);
  if (response.status != 204 && response.status != 200) fail(call, response);
}

S3ListPage S3Client::list_objects(std::string_view prefix, const std::optional<std::string>& continuation_token,
                                  int max_keys) {
  Call call{"LIST",
            "GET",
            "",
            std::string(prefix) + "*",
            {{"list-type", "2"}, {"prefix", std::string(prefix)}, {"max-keys", std::to_string(max_keys)}},
            {},
            {}};
  if (continuation_token) call.query.emplace_back("continuation-token", *continuation_token);
  call.max_response_bytes = 16 << 20;  // 1,000 keys with their metadata take about 300 kB
  const Response response = send(call);
  if (response.status != 200) fail(call, response);
  S3ListPage page;
  for (std::string_view contents : xml_elements(response.body, "Contents")) {
    auto key = xml_element_text(contents, "Key");
    if (!key) continue;
    page.objects.push_back({std::move(*key), parse_iso8601(xml_element_text(contents, "LastModified").value_or(""))});
  }
  if (xml_element_text(response.body, "IsTruncated") == "true") {
    page.next_continuation_token = xml_element_text(response.body, "NextContinuationToken");
    if (!page.next_continuation_token || page.next_continuation_token->empty())
      throw S3Error("S3 LIST of s3://" + options_.bucket + "/" + std::string(prefix) +
                        "*: a truncated page without NextContinuationToken",
                    "", response.status);
  }
  return page;
}

}  // namespace thumbgen::server
