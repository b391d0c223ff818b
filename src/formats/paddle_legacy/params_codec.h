// The legacy/PIR params stream (save_combine / load_combine): per tensor, a uint32 version (0), a
// uint64 LoD level count and LoD data, a uint32 tensor version (0), an int32 TensorDesc size, the
// TensorDesc protobuf and the raw little-endian data. Tensors of a combined file follow each other
// in byte-wise sorted order of the program's persistable names, with no index or names.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/mapped_file.h"
#include "core/result.h"
#include "ir/program.h"
#include "ir/tensor.h"

namespace detport::formats::legacy {

// Reads one tensor at `offset` of `file` (advancing it). The tensor views the bytes in place and
// keeps `owner` alive. Every size is checked against the bytes that remain before it is used.
Result<ir::Tensor> read_tensor(std::span<const std::byte> file, std::size_t& offset,
                               std::shared_ptr<const void> owner);

// Number of whole tensors in a combined file, or the error at the first malformed one.
Result<std::size_t> count_tensors(std::span<const std::byte> file);

// Reads a combined params file against the program: one tensor per persistable var (in sorted
// order), each with the dtype and dims its VarDesc declares, and the file consumed exactly.
Result<ir::Weights> read_combined(std::shared_ptr<const MappedFile> file,
                                  const ir::Program& program);

// Reads one file per persistable var, named after the var, from `dir`.
Result<ir::Weights> read_separate(const std::filesystem::path& dir, const ir::Program& program);

// True if at least one of the program's persistable vars has a file of its name in `dir`.
bool has_separate_params(const std::filesystem::path& dir, const ir::Program& program);

// The serialized form of one tensor.
std::string serialize_tensor(const ir::Tensor& tensor);

// Writes the weights of every persistable var of the program, in sorted order, to one file; fails
// if a persistable var has no weight.
Status write_combined(const std::filesystem::path& path, const ir::Weights& weights,
                      const ir::Program& program);
Status write_separate(const std::filesystem::path& dir, const ir::Weights& weights,
                      const ir::Program& program);

}  // namespace detport::formats::legacy
