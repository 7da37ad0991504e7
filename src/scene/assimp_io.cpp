#include "scene/assimp_io.h"

#include <algorithm>
#include <cstring>

#include "scene/file_names.h"
#include "scene/load_error.h"

namespace thumbgen::scene {
namespace {

// A read-only stream over bytes it may own (side files) or borrow (the main file).
class BufferStream final : public Assimp::IOStream {
 public:
  explicit BufferStream(std::vector<std::uint8_t> owned) : owned_(std::move(owned)), data_(owned_) {}
  explicit BufferStream(std::span<const std::uint8_t> borrowed) : data_(borrowed) {}

  size_t Read(void* buffer, size_t size, size_t count) override {
    if (size == 0 || count == 0 || pos_ >= data_.size()) return 0;
    const size_t items = std::min(count, (data_.size() - pos_) / size);  // division: no size*count overflow
    std::memcpy(buffer, data_.data() + pos_, items * size);
    pos_ += items * size;
    return items;
  }
  size_t Write(const void*, size_t, size_t) override { return 0; }
  aiReturn Seek(size_t offset, aiOrigin origin) override {
    size_t base = 0;
    if (origin == aiOrigin_CUR) base = pos_;
    if (origin == aiOrigin_END) base = data_.size();
    if (origin == aiOrigin_END ? offset > base : offset > data_.size() - base) return aiReturn_FAILURE;
    pos_ = origin == aiOrigin_END ? base - offset : base + offset;
    return aiReturn_SUCCESS;
  }
  size_t Tell() const override { return pos_; }
  size_t FileSize() const override { return data_.size(); }
  void Flush() override {}

 private:
  std::vector<std::uint8_t> owned_;
  std::span<const std::uint8_t> data_;
  size_t pos_ = 0;
};

// assimp joins the main file's folder ("" or "./") with the name it found in the model.
std::string_view strip_dot_slash(std::string_view path) {
  while (path.starts_with("./") || path.starts_with(".\\")) path.remove_prefix(2);
  return path;
}

}  // namespace

std::vector<std::uint8_t> read_side_file(FileAccess& files, std::string_view name, std::uint64_t max_bytes) {
  name = strip_dot_slash(name);
  if (name.empty()) throw LoadError("empty file name");
  std::vector<std::uint8_t> bytes;
  try {
    bytes = files.read(name);
  } catch (const LoadError&) {
    const std::string_view base = file_name_of(name);
    if (base.empty() || base.size() == name.size()) throw;
    bytes = files.read(base);
  }
  if (bytes.size() > max_bytes) throw LoadError("file too large: " + std::string(name));
  return bytes;
}

AssimpFileSystem::AssimpFileSystem(std::string main_name, std::span<const std::uint8_t> main_bytes, FileAccess& files,
                                   std::uint64_t max_file_bytes)
    : main_name_(std::move(main_name)), main_bytes_(main_bytes), files_(&files), max_file_bytes_(max_file_bytes) {}

bool AssimpFileSystem::Exists(const char* path) const {
  if (path == nullptr) return false;
  const std::string_view name = strip_dot_slash(path);
  if (name == main_name_) return true;
  try {
    return !name.empty() &&
           (files_->exists(name) || (file_name_of(name) != name && files_->exists(file_name_of(name))));
  } catch (const LoadError&) {
    return false;
  }
}

Assimp::IOStream* AssimpFileSystem::Open(const char* path, const char* mode) {
  if (path == nullptr || mode == nullptr || std::strchr(mode, 'w') != nullptr || std::strchr(mode, 'a') != nullptr)
    return nullptr;  // the model folder is read-only
  const std::string_view name = strip_dot_slash(path);
  if (name == main_name_) return new BufferStream(main_bytes_);
  try {
    return new BufferStream(read_side_file(*files_, name, max_file_bytes_));
  } catch (const LoadError&) {
    if (std::find(missing_.begin(), missing_.end(), name) == missing_.end()) missing_.emplace_back(name);
    return nullptr;
  }
}

void AssimpFileSystem::Close(Assimp::IOStream* stream) { delete stream; }

}  // namespace thumbgen::scene
