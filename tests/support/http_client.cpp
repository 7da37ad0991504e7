#include "support/http_client.h"

#include <poll.h>

#include <boost/algorithm/string/case_conv.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cerrno>

namespace thumbgen::test {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace {

// Status, body and lower-cased header names of a parsed response.
HttpResult to_result(const http::response<http::string_body>& response) {
  HttpResult result;
  result.status = static_cast<int>(response.result_int());
  result.body = response.body();
  for (const auto& field : response) {
    result.headers[boost::algorithm::to_lower_copy(std::string(field.name_string()))] = std::string(field.value());
  }
  return result;
}

// `head`: the answer to a HEAD request, whose Content-Length announces a body that never comes.
HttpResult read_response(beast::tcp_stream& stream, std::chrono::milliseconds timeout, bool head = false) {
  HttpResult result;
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(1ull << 30);
  parser.skip(head);
  stream.expires_after(timeout);
  beast::error_code ec;
  http::read(stream, buffer, parser, ec);
  if (ec && !parser.is_header_done()) return result;
  return to_result(parser.get());
}

// Connects to the server on loopback with the whole exchange's deadline set, from `source_address` when given.
bool connect_local(beast::tcp_stream& stream, unsigned short port, std::chrono::milliseconds timeout,
                   const std::string& source_address = {}) {
  stream.expires_after(timeout);
  beast::error_code ec;
  if (!source_address.empty()) {
    stream.socket().open(tcp::v4(), ec);
    if (!ec) stream.socket().bind(tcp::endpoint(net::ip::make_address(source_address), 0), ec);
    if (ec) return false;
  }
  stream.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port), ec);
  return !ec;
}

}  // namespace

HttpResult http_request(unsigned short port, const std::string& method, const std::string& target,
                        const std::string& body, const std::map<std::string, std::string>& headers,
                        std::chrono::milliseconds timeout) {
  return http_request_from({}, port, method, target, body, headers, timeout);
}

HttpResult http_request_from(const std::string& source_address, unsigned short port, const std::string& method,
                             const std::string& target, const std::string& body,
                             const std::map<std::string, std::string>& headers, std::chrono::milliseconds timeout) {
  net::io_context io;
  beast::tcp_stream stream(io);
  if (!connect_local(stream, port, timeout, source_address)) return {};
  beast::error_code ec;
  http::request<http::string_body> request(http::string_to_verb(method), target, 11);
  request.set(http::field::host, "127.0.0.1");
  for (const auto& [name, value] : headers) request.set(name, value);
  if (!body.empty() && !request.count(http::field::content_type))
    request.set(http::field::content_type, "application/json");
  request.body() = body;
  request.prepare_payload();
  http::write(stream, request, ec);
  if (ec) return {};
  return read_response(stream, timeout, request.method() == http::verb::head);
}

HttpResult raw_request(unsigned short port, const std::string& raw, std::chrono::milliseconds timeout) {
  net::io_context io;
  beast::tcp_stream stream(io);
  if (!connect_local(stream, port, timeout)) return {};
  beast::error_code ec;
  net::write(stream.socket(), net::buffer(raw), ec);  // the server may answer (and close) before reading it all
  return read_response(stream, timeout);
}

RawConnection::RawConnection(unsigned short port, const std::string& source) : socket_(io_) {
  beast::error_code ec;
  socket_.open(tcp::v4(), ec);
  if (!source.empty() && !ec) socket_.bind(tcp::endpoint(net::ip::make_address(source), 0), ec);
  if (!ec) socket_.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port), ec);
  connected_ = !ec;
}

bool RawConnection::send(const std::string& bytes) {
  beast::error_code ec;
  net::write(socket_, net::buffer(bytes), ec);
  return !ec;
}

namespace {
// Waits until `socket` has something to read (data, end of stream or reset) or `deadline` passes. Asio's blocking
// reads would wait forever (they poll without a timeout whatever SO_RCVTIMEO says), and a hang is what some of the
// tests look for.
bool readable_before(tcp::socket& socket, std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd entry{socket.native_handle(), POLLIN, 0};
    int ready = ::poll(&entry, 1, static_cast<int>(left.count()));
    if (ready > 0) return true;
    if (ready < 0 && errno != EINTR) return false;
  }
}
}  // namespace

HttpResult RawConnection::read_response(std::chrono::milliseconds timeout) {
  HttpResult result;
  if (!connected_) return result;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  http::response_parser<http::string_body> parser;
  parser.body_limit(1ull << 30);
  for (;;) {
    if (buffer_.size() > 0) {
      beast::error_code ec;
      std::size_t used = parser.put(buffer_.data(), ec);
      buffer_.consume(used);
      if (ec && ec != http::error::need_more) return result;
      if (parser.is_done()) break;
      if (used > 0) continue;
    }
    if (!readable_before(socket_, deadline)) return result;
    beast::error_code ec;
    std::size_t got = socket_.read_some(buffer_.prepare(64 * 1024), ec);
    buffer_.commit(got);
    if (got == 0) {  // closed: a response framed by the end of the stream is complete now
      parser.put_eof(ec);
      if (ec || !parser.is_done()) return result;
      break;
    }
  }
  return to_result(parser.get());
}

bool RawConnection::closed_by_server(std::chrono::milliseconds timeout) {
  if (!connected_ || buffer_.size() > 0) return false;
  if (!readable_before(socket_, std::chrono::steady_clock::now() + timeout)) return false;
  beast::error_code ec;
  std::size_t got = socket_.read_some(buffer_.prepare(1), ec);
  buffer_.commit(got);
  return got == 0 && (ec == net::error::eof || ec == net::error::connection_reset);
}

IdleConnection::IdleConnection(unsigned short port) : socket_(io_) {
  beast::error_code ec;
  socket_.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port), ec);
}

bool IdleConnection::is_open() const { return socket_.is_open(); }

}  // namespace thumbgen::test
