// The file a response sends: one byte range of an open file (Range requests and whole files alike). The HTTP layer
// reads it in 64 KiB chunks on its file-read threads (file_reads.h), so it never sits in memory and a slow disk
// never holds an I/O thread.
#pragma once

#include <boost/beast/core/file.hpp>
#include <cstdint>

namespace thumbgen::server {

struct FileRange {
  boost::beast::file file;
  std::uint64_t offset = 0, length = 0;
};

}  // namespace thumbgen::server
