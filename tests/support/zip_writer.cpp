#include "support/zip_writer.h"

#include <zip.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "support/scratch_dir.h"

namespace thumbgen::test {

Bytes make_zip(const std::vector<ZipEntry>& entries, bool deflate) {
  // minizip writes files, not memory: write one in a scratch folder and read it back.
  ScratchDir dir("zip-writer");
  const std::string path = (dir.path() / "fixture.zip").string();
  zipFile zip = zipOpen64(path.c_str(), APPEND_STATUS_CREATE);
  if (zip == nullptr) throw std::runtime_error("zipOpen64 failed: " + path);
  for (const ZipEntry& entry : entries) {
    zip_fileinfo info{};
    if (zipOpenNewFileInZip64(zip, entry.name.c_str(), &info, nullptr, 0, nullptr, 0, nullptr,
                              deflate ? Z_DEFLATED : 0, deflate ? Z_DEFAULT_COMPRESSION : 0, 0) != ZIP_OK ||
        zipWriteInFileInZip(zip, entry.bytes.data(), static_cast<unsigned>(entry.bytes.size())) != ZIP_OK ||
        zipCloseFileInZip(zip) != ZIP_OK)
      throw std::runtime_error("writing zip entry failed: " + entry.name);
  }
  if (zipClose(zip, nullptr) != ZIP_OK) throw std::runtime_error("zipClose failed: " + path);
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), {});
}

}  // namespace thumbgen::test
