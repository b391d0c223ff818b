#include "formats/paddle_legacy/params_codec.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cstring>
#include <string_view>
#include <unordered_map>

#include "formats/paddle_legacy/framework.pb.h"
#include "formats/paddle_legacy/wire_scan.h"

namespace detport::formats::legacy {
namespace {

namespace pb = ::detport::paddle;

template <typename T>
bool take(std::span<const std::byte> file, std::size_t& offset, T& out) {
  if (file.size() - offset < sizeof(T)) return false;
  std::memcpy(&out, file.data() + offset, sizeof(T));
  offset += sizeof(T);
  return true;
}

Error bad(std::size_t offset, std::string message) {
  return make_error(ErrorCode::kInvalidInput, std::move(message),
                    fmt::format("byte offset {}", offset));
}

Error cut(std::size_t offset, std::size_t need, std::size_t have, const char* what) {
  return bad(offset,
             fmt::format("{} needs {} bytes but only {} remain in the file", what, need, have));
}

std::string dims_text(const std::vector<int64_t>& dims) {
  return fmt::format("[{}]", fmt::join(dims, ", "));
}

// Does a var's declared dims (where known, i.e. >= 0) match the stored ones?
bool dims_match(const std::vector<int64_t>& declared, const std::vector<int64_t>& stored) {
  if (declared.size() != stored.size()) return false;
  for (std::size_t i = 0; i < declared.size(); ++i)
    if (declared[i] >= 0 && declared[i] != stored[i]) return false;
  return true;
}

Status check_against_var(const ir::Tensor& t, const ir::Var& var) {
  if (!var.tensor) return {};
  if (var.tensor->dtype != t.dtype)
    return make_error(
        ErrorCode::kInvalidInput,
        fmt::format("tensor for '{}' is {} but the program declares {}", var.name,
                    ir::var_type_name(t.dtype), ir::var_type_name(var.tensor->dtype)));
  if (!dims_match(var.tensor->dims, t.dims))
    return make_error(ErrorCode::kInvalidInput,
                      fmt::format("tensor for '{}' has dims {} but the program declares {}",
                                  var.name, dims_text(t.dims), dims_text(var.tensor->dims)));
  return {};
}

}  // namespace

Result<ir::Tensor> read_tensor(std::span<const std::byte> file, std::size_t& offset,
                               std::shared_ptr<const void> owner) {
  const std::size_t start = offset;
  uint32_t version = 0;
  if (!take(file, offset, version))
    return cut(offset, 4, file.size() - offset, "the tensor version");
  if (version != 0)
    return bad(start, fmt::format("tensor version is {}; expected 0 (the only version Paddle "
                                  "writes). Is this a params file?",
                                  version));
  uint64_t lod_levels = 0;
  if (!take(file, offset, lod_levels))
    return cut(offset, 8, file.size() - offset, "the LoD level count");
  if (lod_levels > (file.size() - offset) / 8)
    return bad(offset - 8,
               fmt::format("LoD level count {} is more than the {} remaining bytes can hold",
                           lod_levels, file.size() - offset));
  ir::Tensor t;
  for (uint64_t level = 0; level < lod_levels; ++level) {
    const std::size_t at = offset;
    uint64_t size = 0;
    if (!take(file, offset, size)) return cut(at, 8, file.size() - offset, "a LoD level size");
    if (size > file.size() - offset)
      return bad(at, fmt::format("LoD level {} declares {} bytes but only {} remain", level, size,
                                 file.size() - offset));
    if (size % 8 != 0)
      return bad(at,
                 fmt::format("LoD level {} declares {} bytes, not a multiple of 8 (uint64 offsets)",
                             level, size));
    std::vector<uint64_t> offsets(size / 8);
    if (!offsets.empty()) std::memcpy(offsets.data(), file.data() + offset, size);
    offset += size;
    t.lod.push_back(std::move(offsets));
  }
  const std::size_t tv_at = offset;
  uint32_t tensor_version = 0;
  if (!take(file, offset, tensor_version))
    return cut(offset, 4, file.size() - offset, "the inner tensor version");
  if (tensor_version != 0)
    return bad(tv_at, fmt::format("inner tensor version is {}; expected 0", tensor_version));
  const std::size_t desc_at = offset;
  int32_t desc_size = 0;
  if (!take(file, offset, desc_size))
    return cut(offset, 4, file.size() - offset, "the TensorDesc size");
  if (desc_size < 0 || static_cast<std::size_t>(desc_size) > file.size() - offset)
    return bad(desc_at, fmt::format("TensorDesc size is {}; expected 0..{} (the bytes that remain)",
                                    desc_size, file.size() - offset));
  auto desc_bytes = file.subspan(offset, static_cast<std::size_t>(desc_size));
  if (Status s = scan_wire(desc_bytes, pb::VarType::TensorDesc::descriptor()); !s.ok()) {
    Error e = std::move(s).error();
    e.context = fmt::format("TensorDesc at byte offset {}: {}", offset, e.context);
    return e;
  }
  pb::VarType::TensorDesc desc;
  if (!desc.ParseFromArray(desc_bytes.data(), desc_size))
    return bad(offset, "TensorDesc lacks its required data_type");
  offset += static_cast<std::size_t>(desc_size);
  t.dtype = static_cast<ir::DType>(desc.data_type());
  const std::size_t elem = ir::dtype_size(t.dtype);
  if (elem == 0)
    return bad(desc_at, fmt::format("TensorDesc data_type is {} ({}), not an element type",
                                    desc.data_type(), ir::var_type_name(t.dtype)));
  t.dims.assign(desc.dims().begin(), desc.dims().end());
  const auto numel = ir::checked_numel(t.dims);
  if (!numel)
    return bad(desc_at, fmt::format("dims {} are negative or overflow", dims_text(t.dims)));
  const std::size_t remain = file.size() - offset;
  if (static_cast<uint64_t>(*numel) > remain / elem)
    return bad(offset, fmt::format("{} tensor of dims {} needs {} bytes of data but only {} remain",
                                   ir::var_type_name(t.dtype), dims_text(t.dims),
                                   static_cast<uint64_t>(*numel) > UINT64_MAX / elem
                                       ? std::string("more than 2^64")
                                       : std::to_string(static_cast<uint64_t>(*numel) * elem),
                                   remain));
  const std::size_t data_size = static_cast<std::size_t>(*numel) * elem;
  t.bytes = file.subspan(offset, data_size);
  t.owner = std::move(owner);
  offset += data_size;
  return t;
}

Result<std::size_t> count_tensors(std::span<const std::byte> file) {
  std::size_t offset = 0;
  std::size_t count = 0;
  while (offset < file.size()) {
    DETPORT_TRY(read_tensor(file, offset, nullptr));
    ++count;
  }
  return count;
}

Result<ir::Weights> read_combined(std::shared_ptr<const MappedFile> file,
                                  const ir::Program& program) {
  const auto names = ir::persistable_names(program);
  const auto bytes = file->bytes();
  const std::string label = file->path().string();
  std::unordered_map<std::string_view, const ir::Var*> vars;
  for (const ir::Var& v : program.global_block().vars) vars.emplace(v.name, &v);
  ir::Weights weights;
  std::size_t offset = 0;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (offset == bytes.size()) {
      return make_error(ErrorCode::kInvalidInput,
                        fmt::format("the file ends after {} tensors but the program has {} "
                                    "persistable vars; the first without data is '{}'",
                                    i, names.size(), names[i]),
                        fmt::format("{}: byte offset {}", label, offset));
    }
    const std::size_t at = offset;
    auto t = read_tensor(bytes, offset, file);
    if (!t.ok()) {
      Error e = std::move(t).error();
      e.message += fmt::format(" (tensor {} of {}, for '{}')", i + 1, names.size(), names[i]);
      return e.within(label);
    }
    if (Status s = check_against_var(*t, *vars.at(names[i])); !s.ok())
      return Error(std::move(s).error()).within(fmt::format("{}: byte offset {}", label, at));
    weights.emplace(names[i], std::move(t).value());
  }
  if (offset != bytes.size()) {
    std::string extra;
    std::size_t probe = offset;
    std::size_t more = 0;
    while (probe < bytes.size() && read_tensor(bytes, probe, nullptr).ok()) ++more;
    if (probe == bytes.size() && more > 0)
      extra =
          fmt::format("they hold {} more tensor{}: the file has {} tensors for {} persistable vars",
                      more, more == 1 ? "" : "s", names.size() + more, names.size());
    else
      extra = "they are not a whole tensor";
    return make_error(
        ErrorCode::kInvalidInput,
        fmt::format("{} bytes remain after the last of the program's {} persistable "
                    "vars; {} (load_combine requires the file to be consumed exactly)",
                    bytes.size() - offset, names.size(), extra),
        fmt::format("{}: byte offset {}", label, offset));
  }
  return weights;
}

bool has_separate_params(const std::filesystem::path& dir, const ir::Program& program) {
  std::error_code ec;
  for (const auto& name : ir::persistable_names(program))
    if (std::filesystem::is_regular_file(dir / name, ec)) return true;
  return false;
}

Result<ir::Weights> read_separate(const std::filesystem::path& dir, const ir::Program& program) {
  ir::Weights weights;
  std::vector<std::string> missing;
  for (const auto& name : ir::persistable_names(program)) {
    // Names are file names here: refuse anything that would leave the directory.
    if (name.find('/') != std::string::npos || name == "." || name == "..")
      return make_error(ErrorCode::kInvalidInput,
                        fmt::format("persistable var name '{}' cannot be a file name", name),
                        dir.string());
    const auto path = dir / name;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
      missing.push_back(name);
      continue;
    }
    DETPORT_ASSIGN(auto file, MappedFile::open(path));
    std::size_t offset = 0;
    auto t = read_tensor(file->bytes(), offset, file);
    if (!t.ok()) return Error(std::move(t).error()).within(path.string());
    if (offset != file->size())
      return make_error(ErrorCode::kInvalidInput,
                        fmt::format("{} bytes remain after the tensor; a per-variable params file "
                                    "holds exactly one",
                                    file->size() - offset),
                        fmt::format("{}: byte offset {}", path.string(), offset));
    if (Status s = check_against_var(*t, *program.global_block().find_var(name)); !s.ok())
      return Error(std::move(s).error()).within(path.string());
    weights.emplace(name, std::move(t).value());
  }
  if (!missing.empty())
    return make_error(
        ErrorCode::kNotFound,
        fmt::format("{} of {} persistable vars have no params file: {}{}", missing.size(),
                    weights.size() + missing.size(),
                    fmt::join(missing.begin(),
                              missing.begin() + std::min<std::size_t>(missing.size(), 5), ", "),
                    missing.size() > 5 ? ", ..." : ""),
        dir.string());
  return weights;
}

std::string serialize_tensor(const ir::Tensor& t) {
  pb::VarType::TensorDesc desc;
  desc.set_data_type(static_cast<pb::VarType::Type>(t.dtype));
  for (int64_t d : t.dims) desc.add_dims(d);
  const std::string desc_bytes = desc.SerializeAsString();
  std::string out;
  auto put = [&](const auto& v) { out.append(reinterpret_cast<const char*>(&v), sizeof(v)); };
  put(uint32_t{0});
  put(static_cast<uint64_t>(t.lod.size()));
  for (const auto& level : t.lod) {
    put(static_cast<uint64_t>(level.size() * 8));
    out.append(reinterpret_cast<const char*>(level.data()), level.size() * 8);
  }
  put(uint32_t{0});
  put(static_cast<int32_t>(desc_bytes.size()));
  out += desc_bytes;
  out.append(reinterpret_cast<const char*>(t.bytes.data()), t.bytes.size());
  return out;
}

namespace {

Result<const ir::Tensor*> weight_for(const ir::Weights& weights, const std::string& name) {
  auto it = weights.find(name);
  if (it == weights.end())
    return make_error(ErrorCode::kInvalidInput,
                      fmt::format("persistable var '{}' has no weight to write", name));
  return &it->second;
}

}  // namespace

Status write_combined(const std::filesystem::path& path, const ir::Weights& weights,
                      const ir::Program& program) {
  std::string out;
  for (const auto& name : ir::persistable_names(program)) {
    DETPORT_ASSIGN(const ir::Tensor* t, weight_for(weights, name));
    out += serialize_tensor(*t);
  }
  return write_file(path, out);
}

Status write_separate(const std::filesystem::path& dir, const ir::Weights& weights,
                      const ir::Program& program) {
  for (const auto& name : ir::persistable_names(program)) {
    DETPORT_ASSIGN(const ir::Tensor* t, weight_for(weights, name));
    DETPORT_TRY(write_file(dir / name, serialize_tensor(*t)));
  }
  return {};
}

}  // namespace detport::formats::legacy
