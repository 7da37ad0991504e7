// `thumbgen user add NAME [--staff] [--email E]`, `thumbgen user passwd NAME`, `thumbgen user logout NAME`,
// `thumbgen user delete NAME`, `thumbgen user list`. A running server sees each change at its next request: a new
// password, logout and delete all end the user's earlier tokens.
#include <termios.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>

#include "cli/render_command.h"
#include "cli/serve_command.h"
#include "server/auth_password.h"
#include "server/catalogue.h"
#include "server/data_folder.h"

namespace thumbgen::cli {

namespace {

struct UserFlags {
  std::string data, database, name, email, display_name;
  bool staff = false, inactive = false;
};

std::filesystem::path data_dir(const std::string& flag) {
  if (!flag.empty()) return flag;
  if (const char* env = std::getenv("THUMBGEN_DATA"); env && *env) return env;
  return "data";
}

// From a prompt without echo on a terminal; otherwise the first line of stdin (scripts, tests).
std::optional<std::string> read_password() {
  std::string password;
  if (isatty(STDIN_FILENO)) {
    std::fputs("Password: ", stderr);
    termios saved{};
    tcgetattr(STDIN_FILENO, &saved);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    std::getline(std::cin, password);
    tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    std::fputs("\n", stderr);
  } else if (!std::getline(std::cin, password)) {
    return std::nullopt;
  }
  if (!password.empty() && password.back() == '\r') password.pop_back();
  if (password.size() < 8 || password.size() > 1024) {
    std::fputs("thumbgen user: the password must have 8 to 1024 characters\n", stderr);
    return std::nullopt;
  }
  return password;
}

int run_user(const std::string& action, const UserFlags& flags) {
  using namespace thumbgen::server;
  try {
    std::filesystem::path data = data_dir(flags.data);
    make_new_files_private();
    create_private_folder(data);
    Catalogue catalogue(sql::command_target(flags.database, data), 1);
    if (action == "list") {
      for (const UserRecord& user : catalogue.list_users()) {
        std::printf("%s\t%s\t%s%s\n", user.username.c_str(), user.email.c_str(), user.is_staff ? "staff" : "user",
                    user.is_active ? "" : "\tinactive");
      }
      return kExitOk;
    }
    if (action == "add") {
      if (catalogue.find_user(flags.name)) {
        std::fprintf(stderr, "thumbgen user add: %s already exists (use `user passwd`)\n", flags.name.c_str());
        return 1;
      }
      auto password = read_password();
      if (!password) return kExitUsage;
      UserRecord user;
      user.username = flags.name;
      user.email = flags.email;
      user.display_name = flags.display_name.empty() ? flags.name : flags.display_name;
      user.password_hash = hash_password(*password);
      user.is_staff = flags.staff;
      user.is_active = !flags.inactive;
      catalogue.add_user(user);
      std::printf("added %s%s\n", flags.name.c_str(), flags.staff ? " (staff)" : "");
      return kExitOk;
    }
    if (action == "logout") {
      if (!catalogue.revoke_tokens(flags.name)) {
        std::fprintf(stderr, "thumbgen user logout: no user %s\n", flags.name.c_str());
        return 1;
      }
      std::printf("every token of %s revoked\n", flags.name.c_str());
      return kExitOk;
    }
    if (action == "delete") {
      if (!catalogue.delete_user(flags.name)) {
        std::fprintf(stderr, "thumbgen user delete: no user %s\n", flags.name.c_str());
        return 1;
      }
      std::printf("deleted %s\n", flags.name.c_str());
      return kExitOk;
    }
    // passwd
    if (!catalogue.find_user(flags.name)) {
      std::fprintf(stderr, "thumbgen user passwd: no user %s\n", flags.name.c_str());
      return 1;
    }
    auto password = read_password();
    if (!password) return kExitUsage;
    catalogue.set_password(flags.name, hash_password(*password));
    std::printf("password changed for %s (earlier tokens revoked)\n", flags.name.c_str());
    return kExitOk;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "thumbgen user: %s\n", error.what());
    return 1;
  }
}

}  // namespace

std::function<int()> add_user_command(CLI::App& app) {
  auto flags = std::make_shared<UserFlags>();
  auto action = std::make_shared<std::string>();
  CLI::App* user = app.add_subcommand("user", "Manage the users who may log in to the server");
  user->require_subcommand(1);
  user->add_option("--data", flags->data, "data folder (default $THUMBGEN_DATA or ./data)");
  user->add_option("--database", flags->database,
                   "the catalogue: sqlite: (in the data folder, default) or postgresql://... (THUMBGEN_DATABASE)");

  CLI::App* add = user->add_subcommand("add", "Add a user; the password is read from a prompt or stdin");
  add->add_option("name", flags->name, "user name")->required();
  add->add_flag("--staff", flags->staff, "may use the admin API");
  add->add_option("--email", flags->email, "e-mail address");
  add->add_option("--display-name", flags->display_name, "shown name (default: the user name)");
  add->add_flag("--inactive", flags->inactive, "create the account disabled");
  add->add_option("--data", flags->data, "data folder");
  add->add_option("--database", flags->database, "the catalogue (THUMBGEN_DATABASE)");
  add->callback([action] { *action = "add"; });

  CLI::App* passwd = user->add_subcommand("passwd", "Set a user's password (from a prompt or stdin)");
  passwd->add_option("name", flags->name, "user name")->required();
  passwd->add_option("--data", flags->data, "data folder");
  passwd->add_option("--database", flags->database, "the catalogue (THUMBGEN_DATABASE)");
  passwd->callback([action] { *action = "passwd"; });

  CLI::App* logout = user->add_subcommand("logout", "Log a user out everywhere: every token issued so far is refused");
  logout->add_option("name", flags->name, "user name")->required();
  logout->add_option("--data", flags->data, "data folder");
  logout->add_option("--database", flags->database, "the catalogue (THUMBGEN_DATABASE)");
  logout->callback([action] { *action = "logout"; });

  CLI::App* remove = user->add_subcommand("delete", "Delete a user (their tokens are refused from now on)");
  remove->add_option("name", flags->name, "user name")->required();
  remove->add_option("--data", flags->data, "data folder");
  remove->add_option("--database", flags->database, "the catalogue (THUMBGEN_DATABASE)");
  remove->callback([action] { *action = "delete"; });

  CLI::App* list = user->add_subcommand("list", "List users");
  list->add_option("--data", flags->data, "data folder");
  list->add_option("--database", flags->database, "the catalogue (THUMBGEN_DATABASE)");
  list->callback([action] { *action = "list"; });

  return [flags, action] { return run_user(*action, *flags); };
}

}  // namespace thumbgen::cli
