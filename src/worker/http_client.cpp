#include "worker/http_client.h"

#include <curl/curl.h>
#include <openssl/evp.h>
#include <sys/socket.h>

#include <cctype>
#include <cstdio>
#include <mutex>

#include "util/ascii.h"

namespace thumbgen::worker {
namespace {

std::once_flag g_curl_init;

struct Transfer {
  std::string* body = nullptr;
  std::FILE* sink = nullptr;
  std::uint64_t received = 0, max_bytes = 0;
  bool too_large = false;
  std::map<std::string, std::string>* headers = nullptr;
};

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto& transfer = *static_cast<Transfer*>(user);
  std::size_t bytes = size * count;
  transfer.received += bytes;
  if (transfer.received > transfer.max_bytes) {
    transfer.too_large = true;
    return 0;  // aborts the transfer
  }
  if (transfer.sink) return std::fwrite(data, 1, bytes, transfer.sink);
  transfer.body->append(data, bytes);
  return bytes;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto& transfer = *static_cast<Transfer*>(user);
  std::size_t bytes = size * count;
  std::string line(data, bytes);
  if (line.starts_with("HTTP/")) transfer.headers->clear();  // a new response (after 100 Continue)
  std::size_t colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = util::to_lower_ascii(std::string_view(line).substr(0, colon));
    std::string value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.erase(0, 1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) value.pop_back();
    (*transfer.headers)[name] = value;
  }
  return bytes;
}

// What the opensocket callback needs: the check, and the first refusal (the transfer then fails).
struct ConnectionGuard {
  const HttpClient::ConnectionCheck* check = nullptr;
  std::string refused;
};

curl_socket_t open_checked_socket(void* user, curlsocktype purpose, curl_sockaddr* address) {
  auto& guard = *static_cast<ConnectionGuard*>(user);
  if (purpose != CURLSOCKTYPE_IPCXN) return CURL_SOCKET_BAD;
  auto described = describe_address(&address->addr, static_cast<socklen_t>(address->addrlen));
  std::optional<std::string> why =
      described ? (*guard.check)(*described) : std::optional<std::string>("refused to connect: not an IP address");
  if (why) {
    if (guard.refused.empty()) guard.refused = *why;
    return CURL_SOCKET_BAD;  // libcurl tries the host's next address, else fails with CURLE_COULDNT_CONNECT
  }
  return ::socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

std::optional<SocketAddress> primary_address(CURL* curl) {
  char* ip = nullptr;
  long port = 0;
  if (curl_easy_getinfo(curl, CURLINFO_PRIMARY_IP, &ip) != CURLE_OK || !ip || !*ip) return std::nullopt;
  curl_easy_getinfo(curl, CURLINFO_PRIMARY_PORT, &port);
  return address_from_text(ip, static_cast<unsigned>(port));
}

}  // namespace

std::string HttpResponse::header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

nlohmann::json HttpResponse::json() const { return nlohmann::json::parse(body, nullptr, false); }

HttpClient::HttpClient(HttpLimits limits) : limits_(limits) {
  std::call_once(g_curl_init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  curl_ = curl_easy_init();
  if (!curl_) throw std::runtime_error("cannot initialise libcurl");
}

HttpClient::~HttpClient() { curl_easy_cleanup(static_cast<CURL*>(curl_)); }

HttpResponse HttpClient::get(const std::string& url, const std::map<std::string, std::string>& headers) {
  return perform("GET", url, nullptr, headers, true, nullptr, limits_.max_response_bytes);
}

HttpResponse HttpClient::post_json(const std::string& url, const nlohmann::json& body,
                                   const std::map<std::string, std::string>& headers) {
  std::string text = body.dump();
  std::map<std::string, std::string> all = headers;
  all["Content-Type"] = "application/json";
  return perform("POST", url, &text, all, true, nullptr, limits_.max_response_bytes);
}

HttpResponse HttpClient::download(const std::string& url, const std::filesystem::path& file, std::uint64_t max_bytes,
                                  const std::map<std::string, std::string>& headers) {
  std::filesystem::path temp = file;
  temp += ".part";
  std::FILE* sink = std::fopen(temp.c_str(), "wb");
  if (!sink) throw std::runtime_error("cannot write " + temp.string());
  HttpResponse response;
  try {
    response = perform("GET", url, nullptr, headers, false, sink, max_bytes);
  } catch (...) {
    std::fclose(sink);
    std::filesystem::remove(temp);
    throw;
  }
  bool written = std::fclose(sink) == 0;
  std::error_code error;
  if (response.status == 200 && written) {
    std::filesystem::rename(temp, file, error);
    if (error) throw std::runtime_error("cannot write " + file.string() + ": " + error.message());
  } else {
    std::filesystem::remove(temp, error);
    if (response.status == 200) throw std::runtime_error("cannot write " + file.string());
  }
  return response;
}

HttpResponse HttpClient::perform(const std::string& method, const std::string& url, const std::string* body,
                                 const std::map<std::string, std::string>& headers, bool with_bearer, std::FILE* sink,
                                 std::uint64_t max_bytes) {
  CURL* curl = static_cast<CURL*>(curl_);
  curl_easy_reset(curl);  // keeps the connection cache: keep-alive survives
  HttpResponse response;
  Transfer transfer{&response.body, sink, 0, max_bytes, false, &response.headers};
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // no SIGALRM from DNS timeouts in a multi-threaded process
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, limits_.connect_timeout_ms);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, limits_.timeout_ms);
  curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(max_bytes));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "thumbgen-work/0.1");
  // Direct connections only, API calls included (no http_proxy from the environment): the address rules judge the
  // address really connected to, and "the server's own address" is learnt from API connections.
  curl_easy_setopt(curl, CURLOPT_PROXY, "");
  ConnectionGuard guard{&connection_check_, {}};
  if (connection_check_) {
    curl_easy_setopt(curl, CURLOPT_OPENSOCKETFUNCTION, open_checked_socket);
    curl_easy_setopt(curl, CURLOPT_OPENSOCKETDATA, &guard);
  }
  if (method == "POST") {
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body ? body->data() : "");
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body ? body->size() : 0));
  }
  curl_slist* list = nullptr;
  for (const auto& [name, value] : headers) list = curl_slist_append(list, (name + ": " + value).c_str());
  if (with_bearer && !bearer_.empty()) list = curl_slist_append(list, ("Authorization: Bearer " + bearer_).c_str());
  list = curl_slist_append(list, "Expect:");  // no 100-continue round trip for uploads
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  CURLcode code = curl_easy_perform(curl);
  curl_slist_free_all(list);
  if (transfer.too_large || code == CURLE_FILESIZE_EXCEEDED) {
    throw TooLargeError(method + " " + url + ": answer larger than " + std::to_string(max_bytes) + " bytes");
  }
  if (code != CURLE_OK && !guard.refused.empty()) throw ConnectionRefusedError(guard.refused);
  if (code != CURLE_OK) throw NetworkError(method + " " + url + ": " + curl_easy_strerror(code));
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  response.connected_to = primary_address(curl);
  char* location = nullptr;
  if (curl_easy_getinfo(curl, CURLINFO_REDIRECT_URL, &location) == CURLE_OK && location)
    response.redirect_url = location;
  return response;
}

}  // namespace thumbgen::worker
