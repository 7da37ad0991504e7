#include "support/tiny_http_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <stdexcept>

namespace thumbgen::test {

TinyHttpServer::TinyHttpServer(const std::string& address, Handler handler)
    : address_(address), handler_(std::move(handler)) {
  sockaddr_in bound{};
  bound.sin_family = AF_INET;
  if (::inet_pton(AF_INET, address.c_str(), &bound.sin_addr) != 1) throw std::runtime_error("bad address " + address);
  listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int on = 1;
  ::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  socklen_t length = sizeof bound;
  if (listener_ < 0 || ::bind(listener_, reinterpret_cast<sockaddr*>(&bound), sizeof bound) != 0 ||
      ::listen(listener_, 16) != 0 || ::getsockname(listener_, reinterpret_cast<sockaddr*>(&bound), &length) != 0 ||
      ::pipe2(stop_pipe_, O_CLOEXEC) != 0) {
    if (listener_ >= 0) ::close(listener_);
    throw std::runtime_error("cannot listen on " + address);
  }
  port_ = ntohs(bound.sin_port);
  thread_ = std::thread([this] { loop(); });
}

TinyHttpServer::~TinyHttpServer() {
  char byte = 0;
  (void)::write(stop_pipe_[1], &byte, 1);
  thread_.join();
  ::close(listener_);
  ::close(stop_pipe_[0]);
  ::close(stop_pipe_[1]);
}

std::string TinyHttpServer::origin() const { return "http://" + address_ + ":" + std::to_string(port_); }

int TinyHttpServer::requests(const std::string& path) const {
  std::lock_guard lock(mutex_);
  auto it = requests_.find(path);
  return it == requests_.end() ? 0 : it->second;
}

std::vector<std::string> TinyHttpServer::bodies(const std::string& path) const {
  std::lock_guard lock(mutex_);
  auto it = bodies_.find(path);
  return it == bodies_.end() ? std::vector<std::string>{} : it->second;
}

std::map<std::string, int> TinyHttpServer::all_requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

TinyHttpServer::Handler TinyHttpServer::serve(std::map<std::string, std::string> files) {
  return [files = std::move(files)](const std::string& path, int) {
    auto it = files.find(path);
    return it == files.end() ? TinyReply{404, "not found", {}} : TinyReply{200, it->second, {}};
  };
}

void TinyHttpServer::loop() {
  for (;;) {
    pollfd waits[2] = {{listener_, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
    if (::poll(waits, 2, -1) < 0) continue;
    if (waits[1].revents) return;
    int connection = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (connection < 0) continue;
    ++connections_;
    answer(connection);
    ::close(connection);
  }
}

void TinyHttpServer::answer(int connection) {
  std::string request;
  char buffer[4096];
  while (request.find("\r\n\r\n") == std::string::npos && request.size() < 65536) {
    pollfd wait{connection, POLLIN, 0};
    if (::poll(&wait, 1, 5000) <= 0) return;
    ssize_t got = ::read(connection, buffer, sizeof buffer);
    if (got <= 0) return;
    request.append(buffer, static_cast<std::size_t>(got));
  }
  std::size_t start = request.find(' ');
  std::size_t end = start == std::string::npos ? start : request.find(' ', start + 1);
  if (end == std::string::npos) return;
  std::string path = request.substr(start + 1, end - start - 1);
  // The body, as long as Content-Length says (test clients only: no chunked framing).
  const std::size_t header_end = request.find("\r\n\r\n") + 4;
  std::string lower_head = request.substr(0, header_end);
  for (char& c : lower_head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::size_t body_length = 0;
  if (auto at = lower_head.find("\r\ncontent-length:"); at != std::string::npos) {
    body_length = std::strtoul(lower_head.c_str() + at + 17, nullptr, 10);
  }
  std::string body = request.substr(header_end);
  while (body.size() < body_length) {
    pollfd wait{connection, POLLIN, 0};
    if (::poll(&wait, 1, 5000) <= 0) return;
    ssize_t got = ::read(connection, buffer, sizeof buffer);
    if (got <= 0) return;
    body.append(buffer, static_cast<std::size_t>(got));
  }
  int count = 0;
  {
    std::lock_guard lock(mutex_);
    count = requests_[path]++;
    bodies_[path].push_back(std::move(body));
  }
  TinyReply reply = handler_(path, count);
  std::string head = "HTTP/1.1 " + std::to_string(reply.status) +
                     " Scripted\r\nContent-Length: " + std::to_string(reply.body.size()) + "\r\nConnection: close\r\n";
  for (const auto& [name, value] : reply.headers) head += name + ": " + value + "\r\n";
  std::string response = head + "\r\n" + reply.body;
  for (std::size_t sent = 0; sent < response.size();) {
    ssize_t wrote = ::send(connection, response.data() + sent, response.size() - sent, MSG_NOSIGNAL);
    if (wrote <= 0) return;
    sent += static_cast<std::size_t>(wrote);
  }
}

}  // namespace thumbgen::test
