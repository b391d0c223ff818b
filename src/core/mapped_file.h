// Read-only memory-mapped files: weights are viewed in place, never copied at load.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <span>
#include <string>

#include "core/result.h"

namespace detport {

class MappedFile {
 public:
  // Maps the whole file. An empty file maps to an empty span (mmap cannot map 0 bytes).
  static Result<std::shared_ptr<const MappedFile>> open(const std::filesystem::path& path);

  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();

  std::span<const std::byte> bytes() const { return {static_cast<const std::byte*>(data_), size_}; }
  std::size_t size() const { return size_; }
  const std::filesystem::path& path() const { return path_; }

 private:
  MappedFile(std::filesystem::path path, void* data, std::size_t size)
      : path_(std::move(path)), data_(data), size_(size) {}
  std::filesystem::path path_;
  void* data_ = nullptr;
  std::size_t size_ = 0;
};

// Reads a whole (small) file into a string; refuses files larger than max_bytes.
Result<std::string> read_file(const std::filesystem::path& path,
                              std::size_t max_bytes = std::size_t{1} << 31);

// Writes bytes to a file, replacing it.
Status write_file(const std::filesystem::path& path, std::span<const std::byte> bytes);
inline Status write_file(const std::filesystem::path& path, const std::string& text) {
  return write_file(path, std::as_bytes(std::span<const char>(text.data(), text.size())));
}

}  // namespace detport
