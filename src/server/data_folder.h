// The data folder (--data) is private: it holds password hashes (catalogue), the token signing keys and media. What
// thumbgen creates there is owner-only whatever umask it was started with; what it finds shared it reports.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace thumbgen::server {

// umask 077 for this process: every file and folder it creates from now on (SQLite's -wal/-shm, media, temporary
// files) is owner-only. For the commands that write the data folder (serve, import, user). Returns the old mask.
mode_t make_new_files_private();

// Creates `folder` and any missing parents with mode 0700. An existing folder keeps its mode. Throws
// std::filesystem::filesystem_error.
void create_private_folder(const std::filesystem::path& folder);

// Creates `file` empty with mode 0600 when it does not exist (so a database opened next is private from its first
// byte). Throws std::filesystem::filesystem_error.
void create_private_file(const std::filesystem::path& file);

// One line for each catalogue file (the database, -wal, -shm) that group or others may access: what and how to fix.
std::vector<std::string> shared_catalogue_warnings(const std::filesystem::path& catalogue_file);

}  // namespace thumbgen::server
