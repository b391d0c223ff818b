#include "formats/convert.h"

#include <fmt/format.h>

#include <map>

#include "formats/paddle_pir/pir_operands.h"
#include "formats/paddle_pir/pir_patches.h"
#include "formats/paddle_pir/pir_program.h"
#include "formats/paddle_pir/pir_tables.h"

namespace detport::formats {
namespace {

namespace fs = std::filesystem;
using pir::Json;

void put_varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

bool get_varint(const std::string& s, std::size_t& pos, uint64_t& v) {
  v = 0;
  for (int shift = 0; shift < 64 && pos < s.size(); shift += 7) {
    const auto b = static_cast<uint8_t>(s[pos++]);
    v |= static_cast<uint64_t>(b & 0x7F) << shift;
    if (!(b & 0x80)) return true;
  }
  return false;
}

// Appends `pir` to the unknown-field bytes as field kPirFieldNumber.
void embed(std::string& extra, std::string& pir) {
  if (pir.empty()) return;
  put_varint(extra, static_cast<uint64_t>(kPirFieldNumber) << 3 | 2);
  put_varint(extra, pir.size());
  extra += pir;
  pir.clear();
}

// Moves field kPirFieldNumber out of the unknown-field bytes into `pir`.
void lift(std::string& extra, std::string& pir) {
  if (extra.empty()) return;
  std::string rest;
  std::size_t pos = 0;
  while (pos < extra.size()) {
    const std::size_t start = pos;
    uint64_t tag = 0, len = 0;
    if (!get_varint(extra, pos, tag)) return;
    const auto wire = tag & 7;
    if (wire == 0) {
      if (!get_varint(extra, pos, len)) return;
    } else if (wire == 1 || wire == 5) {
      pos += wire == 1 ? 8 : 4;
    } else if (wire == 2) {
      if (!get_varint(extra, pos, len) || len > extra.size() - pos) return;
      if ((tag >> 3) == static_cast<uint64_t>(kPirFieldNumber)) {
        pir.assign(extra, pos, len);
        pos += len;
        continue;
      }
      pos += len;
    } else {
      return;  // groups: leave the bytes as they are
    }
    if (pos > extra.size()) return;
    rest.append(extra, start, pos - start);
  }
  extra = std::move(rest);
}

bool from_legacy_form(const std::string& op_pir) {
  return op_pir.find("\"detport\"") != std::string::npos;
}

Result<ir::Program> read_back(const Json& doc) {
  DETPORT_ASSIGN(auto read, pir::read_program(doc));
  return std::move(read.program);
}

fs::path renamed(const ir::ModelFiles& files, const char* ext) {
  std::string stem = files.program.empty() ? "model" : files.program.stem().string();
  if (stem == "__model__" || stem.empty()) stem = "model";
  return fs::path(stem + ext);
}

}  // namespace

Result<ConvertResult> convert_model(const ir::Model& model, const ConvertOptions& options) {
  ConvertResult out;
  out.model = model;
  ir::Program& program = out.model.program;
  std::optional<int64_t> known_version = model.meta.pir_version;
  if (model.meta.format != ir::SourceFormat::kPir) {
    // A legacy file written from PIR carries the PIR facts in an unknown field: bring them back.
    for (auto& b : program.blocks) {
      lift(b.extra, b.pir);
      for (auto& v : b.vars) lift(v.extra, v.pir);
      for (auto& o : b.ops) lift(o.extra, o.pir);
    }
    lift(program.extra, program.pir);
    // Operands folded into legacy attributes on the way to this file: back to operands.
    DETPORT_TRY(pir::raise_operands(program));
    if (!program.pir.empty()) {
      Json side = Json::parse(program.pir, nullptr, false);
      if (side.is_object() && side.contains("source_version")) {
        known_version = side["source_version"].get<int64_t>();
        side.erase("source_version");
        program.pir = side.dump();
      }
    }
  }
  // Legacy programs (and legacy files converted from PIR, which were moved to version 1 first)
  // hold PIR version 1 encodings.
  const int64_t current =
      model.meta.format == ir::SourceFormat::kPir ? model.meta.pir_version.value_or(1) : 1;
  int64_t target = options.pir_version.value_or(known_version.value_or(1));
  if (options.format == TargetFormat::kLegacy) target = 1;
  if (options.pir_version && options.format == TargetFormat::kLegacy)
    return make_error(ErrorCode::kInvalidInput, "--pir-version applies to --format pir only");
  if (model.meta.format == ir::SourceFormat::kLegacy && options.format == TargetFormat::kLegacy &&
      program.pir.empty()) {
    out.model.program = model.program;
    return out;
  }
  // Say what the target release will not be able to run.
  std::map<std::string, int64_t> unmapped;
  for (const auto& b : program.blocks)
    for (const auto& o : b.ops)
      if (options.format == TargetFormat::kPir && o.pir.empty() && !pir::tables().by_legacy(o.type))
        ++unmapped[o.type];
  auto listing = [](const std::map<std::string, int64_t>& m) {
    std::string text;
    for (const auto& [k, n] : m) text += fmt::format("{}{} x{}", text.empty() ? "" : ", ", k, n);
    return text;
  };
  if (!unmapped.empty())
    out.notes.push_back(fmt::format(
        "ops with no pd_op mapping in data/pir/op_map.json, written as 1.<legacy name> (Paddle 3 "
        "will not know them): {}",
        listing(unmapped)));
  DETPORT_ASSIGN(Json doc, pir::write_program(program, current));
  if (current != target) {
    DETPORT_ASSIGN(auto changes, pir::change_pir_version(doc, target));
    for (const auto& c : changes)
      out.notes.push_back(fmt::format("{}: {}", c.pointer, c.description));
  }
  DETPORT_ASSIGN(out.model.program, read_back(doc));
  out.model.meta.files.params.reset();
  out.model.meta.files.companions.clear();
  if (options.format == TargetFormat::kPir) {
    out.model.meta.format = ir::SourceFormat::kPir;
    out.model.meta.pir_version = target;
    out.model.meta.producer.reset();
    out.model.meta.files.program = renamed(model.meta.files, ".json");
    return out;
  }
  // Legacy: keep the PIR-only facts (for the way back) where Paddle does not look.
  ir::Program& p = out.model.program;
  const bool from_pir = !p.pir.empty() && p.pir.find("\"detport\"") == std::string::npos;
  if (from_pir) {
    // PIR int_array/scalar operands: legacy attributes (or legacy tensor slots).
    DETPORT_ASSIGN(auto lowered, pir::lower_operands(p));
    if (lowered.folded + lowered.moved > 0)
      out.notes.push_back(fmt::format(
          "PIR int_array/scalar operands: {} folded into legacy attributes, {} moved to legacy "
          "tensor slots, {} constant ops left without readers removed",
          lowered.folded, lowered.moved, lowered.producers_removed));
    if (!lowered.kept.empty()) {
      std::map<std::string, int64_t> kept;
      for (const auto& k : lowered.kept) ++kept[k];
      out.notes.push_back(fmt::format(
          "PIR operands computed at run time that the legacy op can only take as an attribute, "
          "kept as tensor inputs (Paddle 2.x cannot load them): {}",
          listing(kept)));
    }
    Json side = Json::parse(p.pir);
    side["source_version"] = model.meta.format == ir::SourceFormat::kPir
                                 ? model.meta.pir_version.value_or(1)
                                 : known_version.value_or(1);
    p.pir = side.dump();
    embed(p.extra, p.pir);
    for (auto& b : p.blocks) {
      embed(b.extra, b.pir);
      for (auto& v : b.vars) embed(v.extra, v.pir);
      for (auto& o : b.ops) embed(o.extra, o.pir);
    }
  } else {
    p.pir.clear();
    for (auto& b : p.blocks) {
      b.pir.clear();
      for (auto& v : b.vars) v.pir.clear();
      for (auto& o : b.ops)
        if (from_legacy_form(o.pir))
          o.pir.clear();
        else
          embed(o.extra, o.pir);
    }
  }
  out.model.meta.format = ir::SourceFormat::kLegacy;
  out.model.meta.pir_version.reset();
  out.model.meta.files.program = renamed(model.meta.files, ".pdmodel");
  return out;
}

}  // namespace detport::formats
