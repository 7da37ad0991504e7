// A real `thumbgen serve` child process on a free loopback port with a temporary data folder, for the HTTP tests.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "server/db.h"

namespace thumbgen::test {

class ServerProcess {
 public:
  // Creates a fresh data folder (removed by the destructor). Users can be added before start().
  ServerProcess();
  // A second server on the same data folder (catalogue and media) as another one, which owns and removes it.
  explicit ServerProcess(const std::filesystem::path& shared_data);
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Every command from now on (user, import, serve) uses this catalogue (--database); default: sqlite: in data().
  void use_database(const std::string& setting) { database_ = setting; }
  // The catalogue those commands use, for a test to open it directly.
  server::sql::Target catalogue_target() const;

  // `thumbgen user add NAME [--staff]` with the password on stdin; returns the exit code.
  int add_user(const std::string& name, const std::string& password, bool staff);
  // `thumbgen import ARGS... --data DIR`; returns the exit code.
  int import(const std::vector<std::string>& args);
  // Starts `thumbgen serve --listen 127.0.0.1:0 --data DIR --port-file ... EXTRA` with env "K=V" entries added;
  // waits for the port (throws after 20 s).
  void start(const std::vector<std::string>& extra_args = {}, const std::vector<std::string>& env = {});
  // The same on another listen address ("0.0.0.0:0", ...); port() is still the bound port, reached on loopback.
  void start_on(const std::string& listen, const std::vector<std::string>& extra_args = {},
                const std::vector<std::string>& env = {});
  // After stop(): starts the server again on the port of the last start(), with the same data folder (what a
  // restart looks like to clients). Retries while the port is still in use, up to 20 s; the log keeps growing.
  void restart(const std::vector<std::string>& extra_args = {}, const std::vector<std::string>& env = {});
  // Sends `signal` and waits up to `timeout_ms`; returns the exit code (-1 if it had to be killed, 128+n signalled).
  int stop(int signal = 15, int timeout_ms = 20000);

  // RLIMIT_NOFILE (soft, hard) the next start runs under, as if an operator had set it with ulimit -n.
  void limit_open_files(unsigned long soft, unsigned long hard) { open_files_ = {soft, hard}; }

  unsigned short port() const { return port_; }
  pid_t pid() const { return pid_; }
  const std::filesystem::path& data() const { return data_; }
  std::string log() const;  // what the server printed

 private:
  void launch(const std::string& listen, const std::vector<std::string>& extra_args,
              const std::vector<std::string>& env);

  std::filesystem::path dir_, data_;
  std::string database_;
  pid_t pid_ = -1;
  std::pair<unsigned long, unsigned long> open_files_{0, 0};  // {0, 0}: inherited
  unsigned short port_ = 0;
};

}  // namespace thumbgen::test
