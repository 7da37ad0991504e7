#include "scene/zip_archive.h"

#include <unzip.h>

#include <algorithm>
#include <cstring>

#include "scene/load_error.h"

namespace thumbgen::scene {
namespace {

constexpr std::uint64_t kMaxReserveBytes = 64ull << 20;

// minizip reads through a table of file functions; these serve it from memory (it has no memory reader of its own).
struct MemoryStream {
  std::span<const std::uint8_t> bytes;
  std::uint64_t position = 0;
};

voidpf open_memory(voidpf opaque, const void*, int) {
  return new MemoryStream{*static_cast<std::span<const std::uint8_t>*>(opaque), 0};
}

uLong read_memory(voidpf, voidpf stream, void* buffer, uLong size) {
  auto* s = static_cast<MemoryStream*>(stream);
  const std::uint64_t left = s->bytes.size() - std::min<std::uint64_t>(s->position, s->bytes.size());
  const auto n = static_cast<uLong>(std::min<std::uint64_t>(size, left));
  if (n > 0) std::memcpy(buffer, s->bytes.data() + s->position, n);
  s->position += n;
  return n;
}

uLong write_memory(voidpf, voidpf, const void*, uLong) { return 0; }

ZPOS64_T tell_memory(voidpf, voidpf stream) { return static_cast<MemoryStream*>(stream)->position; }

long seek_memory(voidpf, voidpf stream, ZPOS64_T offset, int origin) {
  auto* s = static_cast<MemoryStream*>(stream);
  std::uint64_t base = 0;
  if (origin == ZLIB_FILEFUNC_SEEK_CUR) base = s->position;
  if (origin == ZLIB_FILEFUNC_SEEK_END) base = s->bytes.size();
  if (offset > s->bytes.size() || base > s->bytes.size() - offset) return -1;
  s->position = base + offset;
  return 0;
}

int close_memory(voidpf, voidpf stream) {
  delete static_cast<MemoryStream*>(stream);
  return 0;
}

int error_memory(voidpf, voidpf) { return 0; }

}  // namespace

struct ZipArchive::Reader {
  std::span<const std::uint8_t> bytes;
  unzFile file = nullptr;
};

ZipArchive::ZipArchive(std::span<const std::uint8_t> bytes, std::string_view what)
    : reader_(std::make_unique<Reader>()), what_(what) {
  reader_->bytes = bytes;
  zlib_filefunc64_def functions{};
  functions.zopen64_file = open_memory;
  functions.zread_file = read_memory;
  functions.zwrite_file = write_memory;
  functions.ztell64_file = tell_memory;
  functions.zseek64_file = seek_memory;
  functions.zclose_file = close_memory;
  functions.zerror_file = error_memory;
  functions.opaque = &reader_->bytes;
  reader_->file = unzOpen2_64("memory", &functions);
  if (reader_->file == nullptr) throw LoadError(what_ + ": not a zip archive (no central directory)");

  unz_global_info64 info{};
  if (unzGetGlobalInfo64(reader_->file, &info) != UNZ_OK || info.number_entry > kMaxEntries) {
    unzClose(reader_->file);
    throw LoadError(what_ + ": zip archive with too many entries or a corrupt directory");
  }
  for (int status = unzGoToFirstFile(reader_->file); status == UNZ_OK; status = unzGoToNextFile(reader_->file)) {
    char name[1024];
    unz_file_info64 entry{};
    if (unzGetCurrentFileInfo64(reader_->file, &entry, name, sizeof name, nullptr, 0, nullptr, 0) != UNZ_OK) {
      unzClose(reader_->file);
      throw LoadError(what_ + ": corrupt zip directory entry");
    }
    names_.emplace_back(name, std::min<std::size_t>(entry.size_filename, sizeof name - 1));
  }
}

ZipArchive::~ZipArchive() { unzClose(reader_->file); }

bool ZipArchive::contains(std::string_view name) const {
  return std::find(names_.begin(), names_.end(), name) != names_.end();
}

std::vector<std::uint8_t> ZipArchive::read(std::string_view name, std::uint64_t max_bytes) const {
  const std::string entry_name(name);
  const std::string where = what_ + ": " + entry_name;
  if (!contains(name) || unzLocateFile(reader_->file, entry_name.c_str(), 1) != UNZ_OK)
    throw LoadError(where + " is missing from the zip archive");
  unz_file_info64 entry{};
  if (unzGetCurrentFileInfo64(reader_->file, &entry, nullptr, 0, nullptr, 0, nullptr, 0) != UNZ_OK)
    throw LoadError(where + ": corrupt zip entry");
  if (entry.uncompressed_size > max_bytes)
    throw LoadError(where + " is larger than the " + std::to_string(max_bytes) + "-byte limit");
  if (unzOpenCurrentFile(reader_->file) != UNZ_OK) throw LoadError(where + ": unsupported or encrypted zip entry");

  std::vector<std::uint8_t> out;
  // The header's size is a hint only: a few bytes may claim gigabytes, so at most 64 MiB is reserved up front.
  out.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(entry.uncompressed_size, kMaxReserveBytes)));
  std::uint8_t chunk[64 * 1024];
  int n = 0;
  // The header's size may lie: the limit is enforced on what actually inflates.
  while ((n = unzReadCurrentFile(reader_->file, chunk, sizeof chunk)) > 0) {
    if (out.size() + static_cast<std::size_t>(n) > max_bytes) {
      unzCloseCurrentFile(reader_->file);
      throw LoadError(where + " is larger than the " + std::to_string(max_bytes) + "-byte limit");
    }
    out.insert(out.end(), chunk, chunk + n);
  }
  // UNZ_CRCERROR comes from close when the data read does not match the stored CRC.
  const int closed = unzCloseCurrentFile(reader_->file);
  if (n < 0 || closed != UNZ_OK) throw LoadError(where + ": corrupt zip entry (inflate or CRC error)");
  return out;
}

}  // namespace thumbgen::scene
