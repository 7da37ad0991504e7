#include "server/http_server.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cerrno>
#include <optional>
#include <thread>

#include "server/http_framing.h"
#include "server/request_log.h"
#include "util/request_id.h"

namespace thumbgen::server {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;

void apply_cors(const HttpRequest& request, const std::vector<std::string>& origins,
                http::response_header<>& response) {
  auto origin = request.find(http::field::origin);
  if (origin == request.end() || origins.empty()) return;
  std::string_view value(origin->value().data(), origin->value().size());
  bool any = std::find(origins.begin(), origins.end(), "*") != origins.end();
  if (!any && std::find(origins.begin(), origins.end(), value) == origins.end()) return;
  response.set(http::field::access_control_allow_origin, any ? "*" : value);
  if (!any) response.set(http::field::vary, "Origin");
  // Every method a route takes (the per-asset camera and up axis are PUT).
  response.set(http::field::access_control_allow_methods, "GET, HEAD, POST, PUT, OPTIONS");
  response.set(http::field::access_control_allow_headers, "Authorization, Content-Type");
  response.set(http::field::access_control_max_age, "600");
}

// A file response being sent: its range, how far it has got, and the chunk read last.
struct FileSend {
  FileSend(FileRange range, bool close_after, int status, std::string user)
      : range(std::move(range)), close_after(close_after), status(status), user(std::move(user)) {}

  bool finished() const { return sent == range.length; }
  net::const_buffer chunk() const { return net::buffer(buffer.data(), ready); }
  // Reads the next chunk (on a file-read thread; may block).
  void read_chunk() {
    std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(range.length - sent, buffer.size()));
    ssize_t got;
    do {
      got = ::pread(range.file.native_handle(), buffer.data(), want, static_cast<off_t>(range.offset + sent));
    } while (got < 0 && errno == EINTR);
    if (got < 0) {
      error = beast::error_code(errno, beast::system_category());
    } else if (got == 0) {
      error = http::error::short_read;  // the file shrank under us
    } else {
      ready = static_cast<std::size_t>(got);
      sent += ready;
    }
  }

  FileRange range;
  bool close_after;
  int status;
  std::string user;
  std::uint64_t sent = 0;
  std::array<char, 64 * 1024> buffer{};
  std::size_t ready = 0;
  beast::error_code error;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(HttpServer& server, tcp::socket socket, const net::ip::address& client, std::string client_key)
      : server_(server), stream_(std::move(socket)), client_key_(std::move(client_key)) {
    ++server_.connections_;
    bool mapped = client.is_v6() && client.to_v6().is_v4_mapped();
    client_ = mapped ? net::ip::make_address_v4(net::ip::v4_mapped, client.to_v6()).to_string() : client.to_string();
    peer_trusted_ = server_.options_.trusted_proxies.contains(client);
  }
  ~Session() {
    server_.untrack(this);
    server_.per_client_.remove(client_key_);
    --server_.connections_;
  }

  void start() {
    server_.track(this);
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read_header(); });
  }

  void close_if_idle_async() {
    net::post(stream_.get_executor(), [self = shared_from_this()] { self->close_if_idle(); });
  }

  // Runs on the session's strand during shutdown: a connection waiting for a request is closed now, one in the
  // middle of a request finishes it first (and closes after its response).
  void close_if_idle() {
    if (!busy_) {
      beast::error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
      stream_.socket().close(ignored);
    }
  }

 private:
  // The connection's read buffer is capped, so what a client sends before the server has looked at it stays small:
  // the header phase holds one header (431 past the header limit); a chunked body holds one chunk-size line or the
  // trailer at a time (400 past kChunkedBuffer, where Beast would otherwise buffer a line without end).
  std::size_t header_buffer() const { return server_.options_.header_limit + kHeaderSlack; }
  static constexpr std::size_t kHeaderSlack = 1024;
  static constexpr std::size_t kChunkedBuffer = 4 * 1024;
  static constexpr std::size_t kLengthBuffer = 64 * 1024;  // reads of a Content-Length body

  void read_header() {
    if (server_.stopping_) return close();
    busy_ = false;
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(server_.options_.header_limit));
    parser_->body_limit(server_.options_.body_limit);
    if (buffer_.capacity() > header_buffer() && buffer_.size() <= header_buffer()) buffer_.shrink_to_fit();
    buffer_.max_size(std::max(header_buffer(), buffer_.size()));  // bytes pipelined after the last request stay
    stream_.expires_after(server_.options_.header_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
  }

  void on_header(beast::error_code ec) {
    if (ec) {
      // Beast checks Content-Length against body_limit while parsing the header: 413 before any body byte.
      if (ec == http::error::body_limit) return reject(http::status::payload_too_large, "Request body too large");
      if (ec == http::error::header_limit || ec == http::error::buffer_overflow)
        return reject(http::status::request_header_fields_too_large, "Headers too large");
      if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == net::error::operation_aborted ||
          ec == net::error::connection_reset || ec == net::error::bad_descriptor) {
        return close();
      }
      return reject(http::status::bad_request, "Malformed request");
    }
    busy_ = true;
    started_ = std::chrono::steady_clock::now();
    adopt_ids(parser_->get());
    const auto& header = parser_->get();
    if (auto problem = framing_problem(header)) return reject(http::status::bad_request, *problem);
    if (!host_allowed(header)) return reject(http::status::bad_request, "Invalid Host header");
    auto encoding = header.find(http::field::content_encoding);
    if (encoding != header.end() && !beast::iequals(encoding->value(), "identity")) {
      return reject(http::status::unsupported_media_type, "Compressed request bodies are not accepted");
    }
    auto length = parser_->content_length();
    if (length && *length > server_.options_.body_limit) {
      return reject(http::status::payload_too_large, "Request body too large");
    }
    stream_.expires_after(server_.options_.request_timeout);
    if (parser_->is_done()) return dispatch();  // no body: the handler makes every check itself
    if (!server_.admit_) return on_admission({std::nullopt, server_.options_.body_limit});
    // The route's checks may read the catalogue (the bearer token's user): on the worker pool, like handlers.
    net::post(server_.workers_, [self = shared_from_this()] {
      Admission admission;
      try {
        admission = self->server_.admit_(self->parser_->get(), self->client_);
      } catch (const std::exception& error) {
        spdlog::error("admission failed: {}", error.what());
        admission.refusal = error_response(http::status::internal_server_error, "Internal server error");
      }
      net::post(self->stream_.get_executor(),
                [self, admission = std::move(admission)]() mutable { self->on_admission(std::move(admission)); });
    });
  }

  // The request's ids, before anything can answer it (every response carries the request id). The header is
  // rewritten so that handlers see only the vetted values: the request id in force, a safe correlation id or none.
  void adopt_ids(HttpRequest& header) {
    request_id_ = request_id_for(header, peer_trusted_);
    correlation_id_ = correlation_id_of(header);
    header.set(util::kRequestIdHeader, request_id_);
    header.erase(util::kCorrelationIdHeader);
    if (!correlation_id_.empty()) header.set(util::kCorrelationIdHeader, correlation_id_);
  }

  // One Host field naming this server (HTTP/1.0 may omit it: browsers, whose requests DNS rebinding abuses, never do).
  bool host_allowed(const HttpRequest& header) const {
    auto [first, last] = header.equal_range(http::field::host);
    if (first == last) return header.version() < 11;
    if (std::next(first) != last) return false;
    return server_.options_.allowed_hosts.allows(std::string_view(first->value().data(), first->value().size()));
  }

  // The route has let the headers in: the body may now be read, up to the route's own limit.
  void on_admission(Admission admission) {
    if (admission.refusal) return refuse(std::move(*admission.refusal));
    auto length = parser_->content_length();
    if (length && *length > admission.body_limit) {
      return reject(http::status::payload_too_large, "Request body too large");
    }
    parser_->body_limit(admission.body_limit);
    buffer_.max_size(std::max(parser_->chunked() ? kChunkedBuffer : kLengthBuffer, buffer_.size()));
    const auto& header = parser_->get();
    auto expect = header.find(http::field::expect);
    if (expect != header.end() && beast::iequals(expect->value(), "100-continue")) {
      auto go_on = std::make_shared<http::response<http::empty_body>>(http::status::continue_, header.version());
      return http::async_write(stream_, *go_on, [self = shared_from_this(), go_on](beast::error_code ec, std::size_t) {
        if (ec) return self->close();
        self->read_body();
      });
    }
    read_body();
  }

  void read_body() {
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_body(ec); });
  }

  void on_body(beast::error_code ec) {
    if (ec == http::error::body_limit) return reject(http::status::payload_too_large, "Request body too large");
    if (ec == beast::error::timeout) return reject(http::status::request_timeout, "Request timeout");
    if (ec == http::error::buffer_overflow) return reject(http::status::bad_request, "Chunk line or trailer too long");
    if (ec && ec.category() == http::make_error_code(http::error::bad_chunk).category() &&
        ec != http::error::end_of_stream && ec != http::error::partial_message) {
      return reject(http::status::bad_request, "Malformed request body");
    }
    if (ec) return close();
    dispatch();
  }

  void dispatch() {
    request_ = parser_->release();
    stream_.expires_never();
    if (request_.method() == http::verb::options) {  // CORS preflight, answered here for every path
      ApiResponse response;
      response.status = http::status::no_content;
      response.content_type.clear();
      return send(std::move(response), false);
    }
    net::post(server_.workers_, [self = shared_from_this()] {
      ApiResponse response;
      try {
        response = self->server_.dispatch_(self->request_, self->client_);
      } catch (const std::exception& error) {
        spdlog::error("handler failed: {} {}: {}", std::string(self->request_.method_string()),
                      std::string(self->request_.target()), error.what());
        response = error_response(http::status::internal_server_error, "Internal server error");
      }
      net::post(self->stream_.get_executor(),
                [self, response = std::move(response)]() mutable { self->send(std::move(response), false); });
    });
  }

  // An answer before the body was read: the connection cannot be reused.
  void reject(http::status status, std::string_view detail) { refuse(error_response(status, detail)); }

  void refuse(ApiResponse response) {
    busy_ = true;
    if (started_ == std::chrono::steady_clock::time_point()) started_ = std::chrono::steady_clock::now();
    if (request_id_.empty()) request_id_ = util::new_request_id();  // refused before its headers were read
    if (parser_ && parser_->is_header_done()) {
      request_.base() = parser_->get().base();
    } else {
      request_ = {};
    }
    send(std::move(response), true);
  }

  template <class Body>
  void write_message(std::shared_ptr<http::response<Body>> message, bool close_after, int status, std::string user) {
    stream_.expires_after(server_.options_.write_timeout);
    http::async_write(stream_, *message,
                      [self = shared_from_this(), message, close_after, status, user = std::move(user)](
                          beast::error_code ec, std::size_t) { self->on_write(ec, close_after, status, user); });
  }

  void send(ApiResponse response, bool close_after) {
    bool keep_alive = !close_after && request_.keep_alive() && !server_.stopping_;
    auto fill = [&](auto& message) {
      message.result(response.status);
      message.version(request_.version() ? request_.version() : 11);
      message.set(http::field::server, "thumbgen");
      if (!response.content_type.empty()) message.set(http::field::content_type, response.content_type);
      for (auto& [name, value] : response.headers) message.set(name, value);
      apply_cors(request_, server_.options_.cors_origins, message.base());
      message.set(util::kRequestIdHeader, request_id_);  // last: no handler's header replaces it
      message.keep_alive(keep_alive);
      message.prepare_payload();
    };
    int status = static_cast<int>(response.status);
    route_ = std::move(response.route);
    if (request_id_.empty()) request_id_ = util::new_request_id();  // the CORS preflight, answered on the headers
    response_bytes_ = request_.method() == http::verb::head ? 0
                      : response.file                       ? response.file->length
                                                            : response.body.size();
    if (request_.method() == http::verb::head) {  // GET's headers, its length included, and no body
      std::uint64_t length = response.file ? response.file->length : response.body.size();
      auto message = std::make_shared<http::response<http::empty_body>>();
      fill(*message);
      message->content_length(length);
      write_message(std::move(message), !keep_alive, status, std::move(response.user));
    } else if (response.file) {
      auto head = std::make_shared<http::response<http::empty_body>>();
      fill(*head);
      head->content_length(response.file->length);
      send_file(std::move(head),
                std::make_shared<FileSend>(std::move(*response.file), !keep_alive, status, std::move(response.user)));
    } else {
      auto message = std::make_shared<http::response<http::string_body>>();
      message->body() = std::move(response.body);
      fill(*message);
      write_message(std::move(message), !keep_alive, status, std::move(response.user));
    }
  }

  // A file response: the headers, then the range in chunks, each read on the file-read threads and written before
  // the next is read. A read that blocks holds a file-read thread; this connection waits, the others do not.
  void send_file(std::shared_ptr<http::response<http::empty_body>> head, std::shared_ptr<FileSend> sending) {
    stream_.expires_after(server_.options_.write_timeout);  // the whole response, reads included
    http::async_write(stream_, *head, [self = shared_from_this(), head, sending](beast::error_code ec, std::size_t) {
      if (ec) return self->on_write(ec, sending->close_after, sending->status, sending->user);
      self->read_file_chunk(sending);
    });
  }

  void read_file_chunk(const std::shared_ptr<FileSend>& sending) {
    if (sending->finished()) return on_write({}, sending->close_after, sending->status, sending->user);
    // The pool holds the session only weakly (a read stuck past the server's end must not keep it), so the session
    // keeps itself until the chunk is back.
    reading_ = shared_from_this();
    server_.file_reads_.submit([sending] { sending->read_chunk(); },
                               [weak = weak_from_this(), sending] {
                                 if (auto self = weak.lock()) {
                                   net::post(self->stream_.get_executor(),
                                             [self, sending] { self->on_file_chunk(sending); });
                                 }
                               });
  }

  void on_file_chunk(const std::shared_ptr<FileSend>& sending) {
    auto self = std::move(reading_);
    if (sending->error) return on_write(sending->error, sending->close_after, sending->status, sending->user);
    net::async_write(stream_, sending->chunk(), [self, sending](beast::error_code ec, std::size_t) {
      if (ec) return self->on_write(ec, sending->close_after, sending->status, sending->user);
      self->read_file_chunk(sending);
    });
  }

  void on_write(beast::error_code ec, bool close_after, int status, const std::string& user) {
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started_).count();
    std::string_view target(request_.target().data(), request_.target().size());
    if (server_.observer_) {
      std::string_view method =
          request_.method() == http::verb::unknown
              ? std::string_view("other")
              : std::string_view(request_.method_string().data(), request_.method_string().size());
      server_.observer_(route_, method, status, ms / 1000.0);
    }
    const std::string_view method(request_.method_string().data(), request_.method_string().size());
    const std::string write_error = ec ? ec.message() : std::string();
    // Behind a trusted proxy, the client it names (as login throttling counts it); otherwise the socket's peer.
    const std::string client =
        peer_trusted_ ? client_address(client_, forwarded_for(request_), server_.options_.trusted_proxies) : client_;
    log_request({method, route_, target.substr(0, target.find('?')), status, response_bytes_, ms, client, user,
                 request_id_, correlation_id_, write_error});
    route_.clear();
    request_id_.clear();
    correlation_id_.clear();
    started_ = {};
    if (ec || close_after) return close();
    request_ = {};
    read_header();
  }

  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.socket().close(ignored);
  }

  HttpServer& server_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  HttpRequest request_;
  std::string client_;
  std::string client_key_;            // what the connection counts against in per_client_
  std::string route_;                 // the pattern of the route answering the request in flight (metrics)
  std::string request_id_;            // the request in flight's id (X-Request-Id), "" between requests
  std::string correlation_id_;        // its client's X-Correlation-Id, when a safe token
  std::uint64_t response_bytes_ = 0;  // its response body's length, for the log
  bool peer_trusted_ = false;         // the peer is one of options.trusted_proxies (its X-Forwarded-For counts)
  std::shared_ptr<Session> reading_;  // itself, while a chunk of a file response is being read
  bool busy_ = false;
  std::chrono::steady_clock::time_point started_{};
};

HttpServer::HttpServer(HttpOptions options, Dispatch dispatch, Admit admit)
    : options_(std::move(options)),
      dispatch_(std::move(dispatch)),
      admit_(std::move(admit)),
      per_client_(options_.max_connections_per_address),
      file_reads_(options_.file_threads),
      acceptor_(net::make_strand(io_)),
      workers_(static_cast<std::size_t>(std::max(1, options_.worker_threads))) {}

HttpServer::~HttpServer() {
  file_reads_.close();
  stop();
  workers_.join();
}

unsigned short HttpServer::listen(const std::string& address, unsigned short port) {
  tcp::endpoint endpoint(net::ip::make_address(address), port);
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(net::socket_base::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen(net::socket_base::max_listen_connections);
  return acceptor_.local_endpoint().port();
}

void HttpServer::accept() {
  // The handler runs on the acceptor's strand, as does begin_shutdown's close: the acceptor is never used by two
  // threads at once (a close racing a re-armed accept could leave an operation that never completes).
  acceptor_.async_accept(net::make_strand(io_), [this](beast::error_code ec, tcp::socket socket) {
    if (stopping_ || !acceptor_.is_open()) return;
    if (ec) {  // e.g. out of file descriptors: back off briefly instead of spinning
      auto timer = std::make_shared<net::steady_timer>(io_, std::chrono::milliseconds(50));
      timer->async_wait([this, timer](beast::error_code) { accept(); });
      return;
    }
    auto peer = socket.remote_endpoint(ec);
    if (ec) {  // gone already
      beast::error_code ignored;
      socket.close(ignored);
      return accept();
    }
    // Over a cap: the newcomer gets a 503 at once (never a hang in the backlog), the others go on being served.
    std::string key = connection_key(peer.address());
    if (connections_.load() >= options_.max_connections) {
      shed_connection(socket, "Server busy, try again");
    } else if (!per_client_.try_add(key)) {
      shed_connection(socket, "Too many connections from this address");
    } else {
      socket.set_option(tcp::no_delay(true), ec);
      std::make_shared<Session>(*this, std::move(socket), peer.address(), std::move(key))->start();
    }
    accept();
  });
}

void HttpServer::track(Session* session) {
  std::lock_guard lock(sessions_mutex_);
  sessions_.insert(session);
}

void HttpServer::untrack(Session* session) {
  std::lock_guard lock(sessions_mutex_);
  sessions_.erase(session);
}

void HttpServer::begin_shutdown() {
  if (stopping_.exchange(true)) return;
  spdlog::info("shutting down: finishing {} open connection(s)", connections_.load());
  net::post(acceptor_.get_executor(), [this] {
    beast::error_code ignored;
    acceptor_.close(ignored);
  });
  if (signals_) {
    beast::error_code ignored;
    signals_->cancel(ignored);
  }
  // The sessions are collected under the lock and used (and let go) after it: the last reference to a session
  // dropped while holding the lock ran its destructor there, whose untrack() waited for the same lock forever.
  std::vector<std::shared_ptr<Session>> open;
  {
    std::lock_guard lock(sessions_mutex_);
    for (Session* session : sessions_) {
      if (auto alive = session->weak_from_this().lock()) open.push_back(std::move(alive));
    }
  }
  for (const auto& session : open) session->close_if_idle_async();
  open.clear();
  // Poll until every connection is gone or the grace period is over, then stop the loop explicitly: run() must
  // return even if some operation outside the sessions were still queued.
  auto deadline = std::chrono::steady_clock::now() + options_.shutdown_grace;
  auto timer = std::make_shared<net::steady_timer>(io_);
  auto poll = std::make_shared<std::function<void()>>();
  // The pending wait owns the poll; the poll only refers to itself weakly (a strong self-capture never frees).
  std::weak_ptr<std::function<void()>> weak_poll = poll;
  *poll = [this, timer, deadline, weak_poll] {
    if (connections_.load() == 0) {
      io_.stop();
      return;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      spdlog::warn("shutdown grace period over: dropping {} connection(s)", connections_.load());
      io_.stop();
      return;
    }
    timer->expires_after(std::chrono::milliseconds(20));
    timer->async_wait([self = weak_poll.lock()](beast::error_code) { (*self)(); });
  };
  (*poll)();
}

void HttpServer::stop() {
  net::post(io_, [this] { begin_shutdown(); });
}

void HttpServer::catch_stop_signals() {
  signals_.emplace(io_, SIGINT, SIGTERM);
  signals_->async_wait([this](beast::error_code ec, int) {
    if (!ec) begin_shutdown();
  });
}

void HttpServer::run() {
  accept();
  // A handler that throws (a Beast limit reached in a way it reports by exception) loses its connection, never
  // the server: an exception escaping run() would end the process.
  auto serve = [this] {
    for (;;) {
      try {
        io_.run();
        return;
      } catch (const std::exception& error) {
        spdlog::error("connection dropped: {}", error.what());
      }
    }
  };
  std::vector<std::thread> threads;
  for (int i = 1; i < options_.io_threads; ++i) threads.emplace_back(serve);
  serve();
  for (std::thread& thread : threads) thread.join();
  workers_.join();
}

}  // namespace thumbgen::server
