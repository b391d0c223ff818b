#include "formats/paddle_legacy/wire_scan.h"

#include <fmt/format.h>

#include <cstdint>
#include <map>
#include <optional>

namespace detport::formats::legacy {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;

enum WireType : uint32_t {
  kVarint = 0,
  kFixed64 = 1,
  kLengthDelimited = 2,
  kStartGroup = 3,
  kEndGroup = 4,
  kFixed32 = 5
};

const char* wire_type_name(uint32_t w) {
  switch (w) {
    case kVarint:
      return "varint";
    case kFixed64:
      return "64-bit";
    case kLengthDelimited:
      return "length-delimited";
    case kStartGroup:
      return "start-group";
    case kEndGroup:
      return "end-group";
    case kFixed32:
      return "32-bit";
    default:
      return "invalid";
  }
}

// The wire type a field is written with (packed repeated scalars are length-delimited too).
uint32_t expected_wire_type(const FieldDescriptor* f) {
  switch (f->type()) {
    case FieldDescriptor::TYPE_DOUBLE:
    case FieldDescriptor::TYPE_FIXED64:
    case FieldDescriptor::TYPE_SFIXED64:
      return kFixed64;
    case FieldDescriptor::TYPE_FLOAT:
    case FieldDescriptor::TYPE_FIXED32:
    case FieldDescriptor::TYPE_SFIXED32:
      return kFixed32;
    case FieldDescriptor::TYPE_STRING:
    case FieldDescriptor::TYPE_BYTES:
    case FieldDescriptor::TYPE_MESSAGE:
      return kLengthDelimited;
    case FieldDescriptor::TYPE_GROUP:
      return kStartGroup;
    default:
      return kVarint;
  }
}

class Scanner {
 public:
  Scanner(std::span<const std::byte> bytes, const WireScanOptions& options)
      : data_(reinterpret_cast<const uint8_t*>(bytes.data())),
        size_(bytes.size()),
        options_(options) {}

  Status message(std::size_t begin, std::size_t end, const Descriptor* type,
                 const std::string& path, int depth) {
    if (depth > options_.max_depth)
      return fail(begin, path, fmt::format("messages nest more than {} deep", options_.max_depth));
    std::map<int, int> counts;  // per repeated field, for the path index
    std::size_t pos = begin;
    while (pos < end) {
      const std::size_t tag_at = pos;
      uint64_t tag = 0;
      DETPORT_TRY(varint(pos, end, path, "a field tag", tag));
      const auto wire = static_cast<uint32_t>(tag & 7);
      const uint64_t number = tag >> 3;
      if (number == 0 || number > 536870911)
        return fail(tag_at, path,
                    fmt::format("field number {} is not valid (tag {:#x})", number, tag));
      const FieldDescriptor* field =
          type != nullptr ? type->FindFieldByNumber(static_cast<int>(number)) : nullptr;
      std::string field_path;
      if (field != nullptr) {
        field_path = path.empty() ? field->name() : path + "." + field->name();
        if (field->is_repeated()) field_path += fmt::format("[{}]", counts[field->number()]++);
        const uint32_t want = expected_wire_type(field);
        const bool packed_ok = field->is_repeated() && wire == kLengthDelimited &&
                               want != kLengthDelimited && want != kStartGroup;
        if (wire != want && !packed_ok)
          return fail(
              tag_at, field_path,
              fmt::format("field {} ({}) has wire type {} ({}); expected {} ({})", number,
                          field->name(), wire, wire_type_name(wire), want, wire_type_name(want)));
      } else {
        field_path = fmt::format("{}{}<field {}>", path, path.empty() ? "" : ".", number);
      }
      switch (wire) {
        case kVarint: {
          const std::size_t at = pos;
          uint64_t v = 0;
          DETPORT_TRY(varint(pos, end, field_path, "a varint value", v));
          if (field != nullptr && options_.check_enums &&
              field->type() == FieldDescriptor::TYPE_ENUM)
            DETPORT_TRY(enum_value(at, field, static_cast<int64_t>(v), field_path));
          break;
        }
        case kFixed64:
          if (end - pos < 8) return truncated(pos, end, field_path, 8, "a 64-bit value");
          pos += 8;
          break;
        case kFixed32:
          if (end - pos < 4) return truncated(pos, end, field_path, 4, "a 32-bit value");
          pos += 4;
          break;
        case kLengthDelimited: {
          const std::size_t len_at = pos;
          uint64_t len = 0;
          DETPORT_TRY(varint(pos, end, field_path, "a length", len));
          if (len > end - pos)
            return fail(len_at, field_path,
                        fmt::format("declares {} bytes but only {} remain in the enclosing {}", len,
                                    end - pos, path.empty() ? "file" : "message"));
          const std::size_t sub_end = pos + static_cast<std::size_t>(len);
          if (field != nullptr && field->type() == FieldDescriptor::TYPE_MESSAGE) {
            DETPORT_TRY(message(pos, sub_end, field->message_type(), field_path, depth + 1));
          } else if (field != nullptr && field->is_repeated() &&
                     field->type() == FieldDescriptor::TYPE_ENUM) {
            std::size_t p = pos;  // packed enum values
            while (p < sub_end) {
              const std::size_t at = p;
              uint64_t v = 0;
              DETPORT_TRY(varint(p, sub_end, field_path, "a packed enum value", v));
              if (options_.check_enums)
                DETPORT_TRY(enum_value(at, field, static_cast<int64_t>(v), field_path));
            }
          } else if (field != nullptr && field->is_repeated() &&
                     expected_wire_type(field) == kVarint) {
            std::size_t p = pos;  // packed varints must be whole
            while (p < sub_end) {
              uint64_t v = 0;
              DETPORT_TRY(varint(p, sub_end, field_path, "a packed varint", v));
            }
          } else if (field != nullptr && field->is_repeated() &&
                     (expected_wire_type(field) == kFixed32 ||
                      expected_wire_type(field) == kFixed64)) {
            const std::size_t width = expected_wire_type(field) == kFixed32 ? 4 : 8;
            if (len % width != 0)
              return fail(pos, field_path,
                          fmt::format("packed {}-byte values span {} bytes, not a multiple of {}",
                                      width, len, width));
          }
          pos = sub_end;
          break;
        }
        case kStartGroup: {
          // Groups are obsolete, but a well-formed one is legal as an unknown field.
          DETPORT_TRY(group(pos, end, static_cast<uint32_t>(number), field_path, depth + 1));
          break;
        }
        case kEndGroup:
          return fail(tag_at, field_path, "end-group tag without a matching start-group");
        default:
          return fail(tag_at, field_path,
                      fmt::format("invalid wire type {} in tag {:#x}", wire, tag));
      }
    }
    return {};
  }

 private:
  Status group(std::size_t& pos, std::size_t end, uint32_t number, const std::string& path,
               int depth) {
    if (depth > options_.max_depth)
      return fail(pos, path, fmt::format("groups nest more than {} deep", options_.max_depth));
    while (pos < end) {
      const std::size_t tag_at = pos;
      uint64_t tag = 0;
      DETPORT_TRY(varint(pos, end, path, "a field tag", tag));
      const auto wire = static_cast<uint32_t>(tag & 7);
      if (wire == kEndGroup) {
        if ((tag >> 3) != number)
          return fail(tag_at, path,
                      fmt::format("group {} closed by end-group {}", number, tag >> 3));
        return {};
      }
      uint64_t v = 0;
      switch (wire) {
        case kVarint:
          DETPORT_TRY(varint(pos, end, path, "a varint value", v));
          break;
        case kFixed64:
          if (end - pos < 8) return truncated(pos, end, path, 8, "a 64-bit value");
          pos += 8;
          break;
        case kFixed32:
          if (end - pos < 4) return truncated(pos, end, path, 4, "a 32-bit value");
          pos += 4;
          break;
        case kLengthDelimited:
          DETPORT_TRY(varint(pos, end, path, "a length", v));
          if (v > end - pos)
            return fail(pos, path,
                        fmt::format("declares {} bytes but only {} remain", v, end - pos));
          pos += static_cast<std::size_t>(v);
          break;
        case kStartGroup:
          DETPORT_TRY(group(pos, end, static_cast<uint32_t>(tag >> 3), path, depth + 1));
          break;
        default:
          return fail(tag_at, path, fmt::format("invalid wire type {} in tag {:#x}", wire, tag));
      }
    }
    return fail(pos, path,
                fmt::format("group {} is not closed before the end of its message", number));
  }

  Status varint(std::size_t& pos, std::size_t end, const std::string& path, const char* what,
                uint64_t& out) {
    const std::size_t start = pos;
    out = 0;
    for (int shift = 0; shift < 70; shift += 7) {
      if (pos >= end)
        return fail(start, path,
                    fmt::format("{} is cut off by the end of the {}", what,
                                end == size_ ? "file" : "enclosing message"));
      const uint8_t b = data_[pos++];
      if (shift == 63 && (b & 0x7e) != 0)
        return fail(start, path, fmt::format("{} overflows 64 bits", what));
      out |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return {};
    }
    return fail(start, path, fmt::format("{} is longer than 10 bytes", what));
  }

  Status enum_value(std::size_t at, const FieldDescriptor* field, int64_t value,
                    const std::string& path) {
    if (value < INT32_MIN || value > INT32_MAX ||
        field->enum_type()->FindValueByNumber(static_cast<int>(value)) == nullptr) {
      const auto* e = field->enum_type();
      return fail(
          at, path,
          fmt::format("{} value {} is not one detport knows (known: {}..{})", e->name(), value,
                      e->value(0)->number(), e->value(e->value_count() - 1)->number()),
          ErrorCode::kUnsupported);
    }
    return {};
  }

  Status truncated(std::size_t pos, std::size_t end, const std::string& path, std::size_t need,
                   const char* what) {
    return fail(pos, path,
                fmt::format("{} needs {} bytes but only {} remain", what, need, end - pos));
  }

  Status fail(std::size_t offset, const std::string& path, std::string message,
              ErrorCode code = ErrorCode::kInvalidInput) {
    return make_error(code, std::move(message),
                      path.empty() ? fmt::format("byte offset {}", offset)
                                   : fmt::format("byte offset {} ({})", offset, path));
  }

  const uint8_t* data_;
  std::size_t size_;
  WireScanOptions options_;
};

}  // namespace

Status scan_wire(std::span<const std::byte> bytes, const Descriptor* type,
                 const WireScanOptions& options) {
  Scanner scanner(bytes, options);
  return scanner.message(0, bytes.size(), type, "", 0);
}

}  // namespace detport::formats::legacy
