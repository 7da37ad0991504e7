#include "support/server_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace thumbgen::test {

namespace fs = std::filesystem;

namespace {
std::string quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}
}  // namespace

ServerProcess::ServerProcess() {
  char pattern[] = "/tmp/thumbgen-server-test-XXXXXX";
  if (!::mkdtemp(pattern)) throw std::runtime_error("mkdtemp failed");
  dir_ = pattern;
  data_ = dir_ / "data";
}

ServerProcess::ServerProcess(const fs::path& shared_data) : ServerProcess() { data_ = shared_data; }

ServerProcess::~ServerProcess() {
  if (pid_ > 0) stop(SIGKILL, 5000);
  std::error_code ignored;
  fs::remove_all(dir_, ignored);
}

server::sql::Target ServerProcess::catalogue_target() const {
  return server::sql::parse_target(database_.empty() ? "sqlite:" : database_, data_);
}

int ServerProcess::add_user(const std::string& name, const std::string& password, bool staff) {
  std::string command = "printf '%s\\n' " + quote(password) + " | " + quote(THUMBGEN_BINARY) + " user add " +
                        quote(name) + (staff ? " --staff" : "") + " --data " + quote(data_.string()) +
                        (database_.empty() ? "" : " --database " + quote(database_)) + " >/dev/null";
  return WEXITSTATUS(std::system(command.c_str()));
}

int ServerProcess::import(const std::vector<std::string>& args) {
  std::string command = quote(THUMBGEN_BINARY) + " import";
  for (const std::string& arg : args) command += " " + quote(arg);
  command += " --data " + quote(data_.string());
  if (!database_.empty()) command += " --database " + quote(database_);
  command += " >/dev/null 2>&1";
  return WEXITSTATUS(std::system(command.c_str()));
}

void ServerProcess::start(const std::vector<std::string>& extra_args, const std::vector<std::string>& env) {
  launch("127.0.0.1:0", extra_args, env);
}

void ServerProcess::start_on(const std::string& listen, const std::vector<std::string>& extra_args,
                             const std::vector<std::string>& env) {
  launch(listen, extra_args, env);
}

void ServerProcess::restart(const std::vector<std::string>& extra_args, const std::vector<std::string>& env) {
  if (port_ == 0) throw std::logic_error("restart() before start()");
  if (pid_ > 0) throw std::logic_error("restart() while the server runs: stop() it first");
  std::string listen = "127.0.0.1:" + std::to_string(port_);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  for (;;) {
    std::size_t log_size = log().size();
    try {
      launch(listen, extra_args, env);
      return;
    } catch (const std::runtime_error& error) {
      // Only "the port is still taken" is worth another try (a socket of the old server, or a brief other user).
      bool in_use = log().find("in use", log_size) != std::string::npos;
      if (!in_use || std::chrono::steady_clock::now() > deadline) throw;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

void ServerProcess::launch(const std::string& listen, const std::vector<std::string>& extra_args,
                           const std::vector<std::string>& env) {
  fs::path port_file = dir_ / "port";
  fs::remove(port_file);
  std::vector<std::string> args = {THUMBGEN_BINARY, "serve",        "--listen",    listen,
                                   "--data",        data_.string(), "--port-file", port_file.string()};
  if (!database_.empty()) args.insert(args.end(), {"--database", database_});
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::vector<std::string> environment;
  for (char** e = environ; *e; ++e) environment.emplace_back(*e);
  environment.insert(environment.end(), env.begin(), env.end());
  std::vector<char*> envp;
  for (std::string& entry : environment) envp.push_back(entry.data());
  envp.push_back(nullptr);

  std::string log_path = (dir_ / "server.log").string();
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("cannot start thumbgen serve");
  if (pid_ == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);  // a crashed test never leaves a server behind
    // The server must see the signals the tests send, whatever mask or ignored set the test runner passed down.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGTERM, SIG_DFL);
    ::signal(SIGINT, SIG_DFL);
    if (open_files_.first > 0) {
      rlimit limit{open_files_.first, open_files_.second};
      if (::setrlimit(RLIMIT_NOFILE, &limit) != 0) ::_exit(126);
    }
    int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (log >= 0) {
      ::dup2(log, 1);
      ::dup2(log, 2);
    }
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }

  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream in(port_file);
    unsigned port = 0;
    if (in >> port && port > 0) {
      port_ = static_cast<unsigned short>(port);
      return;
    }
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("thumbgen serve exited early:\n" + log());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  throw std::runtime_error("thumbgen serve did not report its port:\n" + log());
}

int ServerProcess::stop(int signal, int timeout_ms) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, signal);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  int status = 0;
  while (waitpid(pid_, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
      pid_ = -1;
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  pid_ = -1;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + WTERMSIG(status);
}

std::string ServerProcess::log() const {
  std::ifstream in(dir_ / "server.log");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace thumbgen::test
