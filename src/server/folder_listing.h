// The files `thumbgen import` may publish from a folder, listed without ever following a symlink. Reference
// discovery resolves a model's names against this list only, so nothing left out here can be published.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "server/data_folder_guard.h"

namespace thumbgen::server {

struct FolderListing {
  std::vector<std::string> files;     // regular files, relative to the folder, '/'-separated, sorted
  std::vector<std::string> problems;  // "<folder>: why it was not (fully) listed"
};

constexpr int kMaxListingDepth = 64;                // folders below the root
constexpr std::size_t kMaxListedFiles = 2'000'000;  // a bound on memory; reaching it is reported, never silent

// Lists the regular files below the folder `root` (a descriptor). Symlinks are neither followed nor listed; hidden
// entries (a leading '.': .git, .env, editors' files), names holding a backslash (a separator in model names),
// FIFOs, devices and sockets are left out, and so are the data folder wherever it appears (by device and inode, so
// also through a bind mount) and its files, by device and inode too.
FolderListing list_folder(int root, const DataFolderGuard& guard);

}  // namespace thumbgen::server
