#include "support/http_from_address.h"

#include <boost/algorithm/string/case_conv.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>

namespace thumbgen::test {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

HttpResult http_request_from(const std::string& source_address, unsigned short port, const std::string& method,
                             const std::string& target, const std::string& body,
                             const std::map<std::string, std::string>& headers) {
  net::io_context io;
  beast::tcp_stream stream(io);
  stream.expires_after(std::chrono::seconds(20));
  beast::error_code ec;
  stream.socket().open(tcp::v4(), ec);
  if (!ec) stream.socket().bind(tcp::endpoint(net::ip::make_address(source_address), 0), ec);
  if (!ec) stream.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port), ec);
  if (ec) return {};
  http::request<http::string_body> request(http::string_to_verb(method), target, 11);
  request.set(http::field::host, "127.0.0.1");
  for (const auto& [name, value] : headers) request.set(name, value);
  if (!body.empty() && !request.count(http::field::content_type))
    request.set(http::field::content_type, "application/json");
  request.body() = body;
  request.prepare_payload();
  http::write(stream, request, ec);
  if (ec) return {};

  HttpResult result;
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  http::read(stream, buffer, parser, ec);
  if (ec && !parser.is_header_done()) return result;
  const auto& response = parser.get();
  result.status = static_cast<int>(response.result_int());
  result.body = response.body();
  for (const auto& field : response)
    result.headers[boost::algorithm::to_lower_copy(std::string(field.name_string()))] = std::string(field.value());
  return result;
}

}  // namespace thumbgen::test
