// A small synchronous HTTP/1.1 client on Boost.Beast for the server tests, plus raw-socket helpers for requests
// a normal client would never send (lying Content-Length, oversized chunked bodies, idle connections).
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace thumbgen::test {

struct HttpResult {
  int status = 0;  // 0 = no response (connection closed or timed out)
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
  nlohmann::json json() const { return nlohmann::json::parse(body, nullptr, false); }
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

// One request on a fresh connection to 127.0.0.1:port.
HttpResult http_request(unsigned short port, const std::string& method, const std::string& target,
                        const std::string& body = "", const std::map<std::string, std::string>& headers = {},
                        std::chrono::milliseconds timeout = std::chrono::seconds(20));

// The same request sent from a chosen loopback source address (127.0.0.2, 127.0.0.3, ...), so tests can be several
// clients as the server sees them: Linux routes all of 127.0.0.0/8 to the loopback device.
HttpResult http_request_from(const std::string& source_address, unsigned short port, const std::string& method,
                             const std::string& target, const std::string& body = "",
                             const std::map<std::string, std::string>& headers = {},
                             std::chrono::milliseconds timeout = std::chrono::seconds(20));

// Sends `raw` bytes (and keeps the connection open for writing), then reads one response.
HttpResult raw_request(unsigned short port, const std::string& raw,
                       std::chrono::milliseconds timeout = std::chrono::seconds(10));

// One connection driven by hand: bytes written as the test chooses, each response read back in turn (pipelining,
// answers before the body, what follows a refusal). `source` binds the client end to another loopback address
// ("127.0.0.2") so a test can be two clients.
class RawConnection {
 public:
  explicit RawConnection(unsigned short port, const std::string& source = "");
  bool connected() const { return connected_; }
  // Writes all of `bytes`; false when the server has closed or reset the connection meanwhile.
  bool send(const std::string& bytes);
  // The next response; status 0 when none came (closed, reset or timed out).
  HttpResult read_response(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // True when the server closes (or resets) the connection within `timeout` without sending anything more.
  bool closed_by_server(std::chrono::milliseconds timeout = std::chrono::seconds(10));

 private:
  boost::asio::io_context io_;
  boost::asio::ip::tcp::socket socket_;
  boost::beast::flat_buffer buffer_;  // bytes read past the last response
  bool connected_ = false;
};

// An open TCP connection that sends nothing (or whatever the test writes).
class IdleConnection {
 public:
  explicit IdleConnection(unsigned short port);
  bool is_open() const;

 private:
  boost::asio::io_context io_;
  boost::asio::ip::tcp::socket socket_;
};

}  // namespace thumbgen::test
