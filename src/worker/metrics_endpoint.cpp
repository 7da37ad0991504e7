#include "worker/metrics_endpoint.h"

#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <memory>

#include "util/ascii.h"
#include "util/listen_address.h"
#include "util/metrics_text.h"

namespace thumbgen::worker {
namespace net = boost::asio;
using tcp = net::ip::tcp;
namespace {

constexpr std::size_t kHeadLimit = 8 * 1024;
constexpr auto kHeadTimeout = std::chrono::seconds(5);
constexpr int kMaxConnections = 16;  // scrapers are few; more at once are closed unanswered

std::string answer(int status, std::string_view reason, std::string_view content_type, const std::string& body) {
  return "HTTP/1.1 " + std::to_string(status) + " " + std::string(reason) +
         "\r\nContent-Type: " + std::string(content_type) + "\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\nConnection: close\r\n\r\n" + body;
}

// A Host a browser reaches only by typing it: an IP address (any port), or localhost. A DNS name could be re-pointed
// at this address by a web page the operator opens (DNS rebinding).
bool host_allowed(std::string_view host) {
  if (host.empty()) return false;
  if (host.front() == '[') return host.find(']') != std::string_view::npos;  // an IPv6 literal
  host = host.substr(0, host.rfind(':'));
  if (util::to_lower_ascii(host) == "localhost") return true;
  boost::system::error_code error;
  net::ip::make_address_v4(std::string(host), error);
  return !error;
}

struct Connection : std::enable_shared_from_this<Connection> {
  Connection(tcp::socket socket, const std::function<std::string()>& scrape, int& open)
      : socket(std::move(socket)), timer(this->socket.get_executor()), head(kHeadLimit), scrape(scrape), open(open) {
    ++open;
  }
  ~Connection() { --open; }

  void start() {
    timer.expires_after(kHeadTimeout);
    timer.async_wait([self = shared_from_this()](boost::system::error_code error) {
      if (!error) self->socket.close();
    });
    net::async_read_until(
        socket, head, "\r\n\r\n",
        [self = shared_from_this()](boost::system::error_code error, std::size_t) { self->on_head(error); });
  }

  void on_head(boost::system::error_code error) {
    if (error == net::error::not_found) {  // no end of headers within the limit
      reply = answer(431, "Request Header Fields Too Large", "text/plain", "headers too large\n");
    } else if (error) {
      timer.cancel();
      return;
    } else {
      std::string_view text(static_cast<const char*>(head.data().data()), head.size());
      reply = metrics_answer(text, scrape);
    }
    net::async_write(socket, net::buffer(reply), [self = shared_from_this()](boost::system::error_code, std::size_t) {
      boost::system::error_code ignored;
      self->socket.shutdown(tcp::socket::shutdown_both, ignored);
      self->timer.cancel();
    });
  }

  tcp::socket socket;
  net::steady_timer timer;
  net::streambuf head;
  const std::function<std::string()>& scrape;
  int& open;  // the endpoint's count (its one I/O thread only)
  std::string reply;
};

}  // namespace

std::string metrics_answer(std::string_view head, const std::function<std::string()>& scrape) {
  const std::size_t line_end = head.find("\r\n");
  const std::string_view line = head.substr(0, line_end);
  std::string host;
  for (std::size_t at = line_end; at != std::string_view::npos && at + 2 < head.size();) {
    const std::size_t next = head.find("\r\n", at + 2);
    const std::string_view field = head.substr(at + 2, next - at - 2);
    const std::size_t colon = field.find(':');
    if (colon != std::string_view::npos && util::to_lower_ascii(field.substr(0, colon)) == "host") {
      if (!host.empty()) return answer(400, "Bad Request", "text/plain", "more than one Host\n");
      std::string_view value = field.substr(colon + 1);
      while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
      while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
      host = value.empty() ? std::string("-") : std::string(value);
    }
    at = next;
  }
  const bool get = line.starts_with("GET "), head_method = line.starts_with("HEAD ");
  const std::size_t target_start = line.find(' ') + 1, target_end = line.rfind(' ');
  const std::string_view target =
      target_end > target_start ? line.substr(target_start, target_end - target_start) : std::string_view();
  if (!line.ends_with(" HTTP/1.1") && !line.ends_with(" HTTP/1.0"))
    return answer(400, "Bad Request", "text/plain", "bad request line\n");
  if (!host_allowed(host)) return answer(400, "Bad Request", "text/plain", "Host must be an IP address or localhost\n");
  if (target.substr(0, target.find('?')) != "/metrics") return answer(404, "Not Found", "text/plain", "not found\n");
  if (!get && !head_method) return answer(405, "Method Not Allowed", "text/plain", "GET only\n");
  std::string full = answer(200, "OK", util::kMetricsContentType, scrape());
  if (head_method) full.erase(full.find("\r\n\r\n") + 4);
  return full;
}

MetricsEndpoint::MetricsEndpoint(const std::string& listen, std::function<std::string()> scrape)
    : scrape_(std::move(scrape)), acceptor_(io_) {
  try {
    auto [host, port] = util::split_listen_address(listen);
    tcp::endpoint endpoint(net::ip::make_address(host), port);
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(net::socket_base::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
  } catch (const std::exception& error) {
    throw std::runtime_error("--metrics-listen " + listen + ": " + error.what());
  }
  accept();
  thread_ = std::thread([this] { io_.run(); });
}

MetricsEndpoint::~MetricsEndpoint() {
  io_.stop();
  if (thread_.joinable()) thread_.join();
}

void MetricsEndpoint::accept() {
  acceptor_.async_accept([this](boost::system::error_code error, tcp::socket socket) {
    if (error == net::error::operation_aborted || !acceptor_.is_open()) return;
    if (error) {  // e.g. out of file descriptors: back off briefly instead of spinning
      auto timer = std::make_shared<net::steady_timer>(io_, std::chrono::milliseconds(100));
      timer->async_wait([this, timer](boost::system::error_code) { accept(); });
      return;
    }
    if (open_ < kMaxConnections) std::make_shared<Connection>(std::move(socket), scrape_, open_)->start();
    accept();
  });
}

}  // namespace thumbgen::worker
