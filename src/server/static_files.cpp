#include "server/static_files.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <optional>
#include <utility>

#include "util/ascii.h"

namespace thumbgen::server {

namespace {

struct ByteRange {
  std::uint64_t first = 0, last = 0;  // inclusive
};

enum class RangeResult { Whole, Partial, Unsatisfiable };

bool parse_number(std::string_view text, std::uint64_t& value) {
  if (text.empty()) return false;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size();
}

// RFC 9110 §14: a syntactically invalid Range is ignored (whole file); several ranges get the whole file too.
RangeResult parse_range(std::string_view header, std::uint64_t size, ByteRange& range) {
  constexpr std::string_view kPrefix = "bytes=";
  if (header.substr(0, kPrefix.size()) != kPrefix) return RangeResult::Whole;
  std::string_view spec = header.substr(kPrefix.size());
  if (spec.find(',') != std::string_view::npos) return RangeResult::Whole;
  std::size_t dash = spec.find('-');
  if (dash == std::string_view::npos) return RangeResult::Whole;
  std::string_view first_text = spec.substr(0, dash), last_text = spec.substr(dash + 1);
  std::uint64_t first = 0, last = 0;
  if (first_text.empty()) {  // suffix: the last N bytes
    if (!parse_number(last_text, last)) return RangeResult::Whole;
    if (last == 0 || size == 0) return RangeResult::Unsatisfiable;
    range = {size - std::min(last, size), size - 1};
    return RangeResult::Partial;
  }
  if (!parse_number(first_text, first)) return RangeResult::Whole;
  if (last_text.empty()) {
    last = size ? size - 1 : 0;
  } else if (!parse_number(last_text, last) || last < first) {
    return RangeResult::Whole;
  }
  if (first >= size) return RangeResult::Unsatisfiable;
  range = {first, std::min(last, size - 1)};
  return RangeResult::Partial;
}

}  // namespace

std::string lower_extension(std::string_view file_name) {
  std::size_t dot = file_name.rfind('.');
  std::size_t slash = file_name.rfind('/');
  if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash)) return {};
  return util::to_lower_ascii(file_name.substr(dot + 1));
}

std::string content_type_for(std::string_view file_name) {
  static const std::pair<const char*, const char*> kTypes[] = {
      {"glb", "model/gltf-binary"},
      {"gltf", "model/gltf+json"},
      {"bin", "application/octet-stream"},
      {"obj", "model/obj"},
      {"mtl", "model/mtl"},
      {"stl", "model/stl"},
      {"ply", "application/octet-stream"},
      {"fbx", "application/octet-stream"},
      {"usdz", "model/vnd.usdz+zip"},
      {"vox", "application/octet-stream"},
      {"png", "image/png"},
      {"jpg", "image/jpeg"},
      {"jpeg", "image/jpeg"},
      {"webp", "image/webp"},
      {"ktx2", "image/ktx2"},
      {"bmp", "image/bmp"},
      {"tga", "image/x-tga"},
      {"gif", "image/gif"},
      {"json", "application/json"},
      {"txt", "text/plain; charset=utf-8"},
  };
  std::string extension = lower_extension(file_name);
  for (const auto& [known, type] : kTypes) {
    if (extension == known) return type;
  }
  return "application/octet-stream";
}

ApiResponse serve_file(const std::filesystem::path& file, std::string content_type, const HttpRequest& request) {
  // Opened without waiting (a FIFO, a file under a lease, would block the worker until a writer or the lease holder
  // came), then checked on the descriptor itself, so what is checked is what is sent.
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) {
    if (errno == EMFILE || errno == ENFILE || errno == ENOMEM || errno == EWOULDBLOCK || errno == EINTR) {
      // The file is there, the server cannot open it just now (out of descriptors, a lease being broken): busy.
      ApiResponse busy = error_response(http::status::service_unavailable, "Server busy, try again");
      busy.headers.emplace_back("Retry-After", "1");
      return busy;
    }
    return error_response(http::status::not_found, "Not found");
  }
  boost::beast::file opened;
  opened.native_handle(fd);  // owned from here on
  return serve_open_file(std::move(opened), std::move(content_type), request);
}

ApiResponse serve_open_file(boost::beast::file file, std::string content_type, const HttpRequest& request) {
  FileRange body;
  body.file = std::move(file);
  struct stat info {};
  if (::fstat(body.file.native_handle(), &info) != 0 || !S_ISREG(info.st_mode))
    return error_response(http::status::not_found, "Not found");
  const auto size = static_cast<std::uint64_t>(info.st_size);

  ApiResponse response;
  response.content_type = std::move(content_type);
  response.headers.emplace_back("Accept-Ranges", "bytes");
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  body.offset = 0;
  body.length = size;
  auto range_header = request.find(http::field::range);
  if (range_header != request.end()) {
    ByteRange range;
    switch (parse_range({range_header->value().data(), range_header->value().size()}, size, range)) {
      case RangeResult::Unsatisfiable: {
        ApiResponse unsatisfiable = error_response(http::status::range_not_satisfiable, "Range not satisfiable");
        unsatisfiable.headers.emplace_back("Content-Range", "bytes */" + std::to_string(size));
        return unsatisfiable;
      }
      case RangeResult::Partial:
        response.status = http::status::partial_content;
        body.offset = range.first;
        body.length = range.last - range.first + 1;
        response.headers.emplace_back("Content-Range", "bytes " + std::to_string(range.first) + "-" +
                                                           std::to_string(range.last) + "/" + std::to_string(size));
        break;
      case RangeResult::Whole:
        break;
    }
  }
  response.file = std::move(body);
  return response;
}

}  // namespace thumbgen::server
