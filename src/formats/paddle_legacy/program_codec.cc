#include "formats/paddle_legacy/program_codec.h"

#include <fmt/format.h>

#include <algorithm>
#include <initializer_list>
#include <vector>

#include <google/protobuf/io/coded_stream.h>

#include "formats/paddle_legacy/framework.pb.h"
#include "formats/paddle_legacy/wire_scan.h"

namespace detport::formats::legacy {
namespace {

namespace pb = ::detport::paddle;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

// Wire bytes of every field of `m` outside `modelled` (plus its unknown fields): what the IR does
// not interpret but must re-emit. Empty in the common case, without copying the message.
std::string residual(const Message& m, std::initializer_list<int> modelled) {
  const auto* refl = m.GetReflection();
  std::vector<const FieldDescriptor*> set;
  refl->ListFields(m, &set);
  const bool only_modelled = std::all_of(set.begin(), set.end(), [&](const FieldDescriptor* f) {
    return std::find(modelled.begin(), modelled.end(), f->number()) != modelled.end();
  });
  if (only_modelled && refl->GetUnknownFields(m).empty()) return {};
  std::unique_ptr<Message> copy(m.New());
  copy->CopyFrom(m);
  for (int number : modelled)
    if (const FieldDescriptor* f = m.GetDescriptor()->FindFieldByNumber(number))
      copy->GetReflection()->ClearField(copy.get(), f);
  return copy->SerializePartialAsString();
}

Status restore(Message& m, const std::string& extra, const std::string& where) {
  if (extra.empty()) return {};
  google::protobuf::io::CodedInputStream in(reinterpret_cast<const uint8_t*>(extra.data()),
                                            static_cast<int>(extra.size()));
  if (!m.MergePartialFromCodedStream(&in) || !in.ConsumedEntireMessage())
    return make_error(ErrorCode::kInvalidInput, "preserved extra fields are not valid wire bytes",
                      where);
  return {};
}

ir::Scalar scalar_from(const pb::Scalar& s) {
  ir::Scalar out;
  out.kind = static_cast<ir::Scalar::Kind>(s.type());
  out.b = s.b();
  out.i = s.i();
  out.r = s.r();
  out.c = {s.c().r(), s.c().i()};
  return out;
}

void scalar_to(const ir::Scalar& s, pb::Scalar* out) {
  out->set_type(static_cast<pb::Scalar::Type>(s.kind));
  switch (s.kind) {
    case ir::Scalar::Kind::kBool:
      out->set_b(s.b);
      break;
    case ir::Scalar::Kind::kInt64:
      out->set_i(s.i);
      break;
    case ir::Scalar::Kind::kFloat64:
      out->set_r(s.r);
      break;
    case ir::Scalar::Kind::kComplex128:
      out->mutable_c()->set_r(s.c.real());
      out->mutable_c()->set_i(s.c.imag());
      break;
  }
}

template <typename T, typename R>
std::vector<T> to_vector(const R& repeated) {
  return std::vector<T>(repeated.begin(), repeated.end());
}

// Decodes one OpDesc.Attr. The field that holds the value depends on the kind.
ir::NamedAttribute attr_from(const pb::OpDesc::Attr& a) {
  using ir::Attribute;
  Attribute v;
  switch (a.type()) {
    case pb::INT:
      v = Attribute::i32(a.i());
      break;
    case pb::FLOAT:
      v = Attribute::f32(a.f());
      break;
    case pb::STRING:
      v = Attribute::str(a.s());
      break;
    case pb::INTS:
      v = Attribute::i32s(to_vector<int32_t>(a.ints()));
      break;
    case pb::FLOATS:
      v = Attribute::f32s(to_vector<float>(a.floats()));
      break;
    case pb::STRINGS:
      v = Attribute::strs(to_vector<std::string>(a.strings()));
      break;
    case pb::BOOLEAN:
      v = Attribute::boolean(a.b());
      break;
    case pb::BOOLEANS:
      v = Attribute::bools(to_vector<bool>(a.bools()));
      break;
    case pb::BLOCK:
      v = Attribute::block(a.block_idx());
      break;
    case pb::LONG:
      v = Attribute::i64(a.l());
      break;
    case pb::BLOCKS:
      v = Attribute::blocks(to_vector<int32_t>(a.blocks_idx()));
      break;
    case pb::LONGS:
      v = Attribute::i64s(to_vector<int64_t>(a.longs()));
      break;
    case pb::FLOAT64S:
      v = Attribute::f64s(to_vector<double>(a.float64s()));
      break;
    case pb::VAR:
      v = Attribute::var(a.var_name());
      break;
    case pb::VARS:
      v = Attribute::vars(to_vector<std::string>(a.vars_name()));
      break;
    case pb::FLOAT64:
      v = Attribute::f64(a.float64());
      break;
    case pb::SCALAR:
      v = Attribute::scalar(scalar_from(a.scalar()));
      break;
    case pb::SCALARS: {
      std::vector<ir::Scalar> s;
      for (const auto& x : a.scalars()) s.push_back(scalar_from(x));
      v = Attribute::scalars(std::move(s));
      break;
    }
  }
  return {a.name(), std::move(v)};
}

void attr_to(const ir::NamedAttribute& na, pb::OpDesc::Attr* a) {
  using K = ir::AttrKind;
  const ir::Attribute& v = na.value;
  a->set_name(na.name);
  a->set_type(static_cast<pb::AttrType>(v.kind()));
  switch (v.kind()) {
    case K::kInt:
      a->set_i(v.get<int32_t>());
      break;
    case K::kFloat:
      a->set_f(v.get<float>());
      break;
    case K::kString:
      a->set_s(v.get<std::string>());
      break;
    case K::kInts:
      for (int32_t x : v.get<std::vector<int32_t>>()) a->add_ints(x);
      break;
    case K::kFloats:
      for (float x : v.get<std::vector<float>>()) a->add_floats(x);
      break;
    case K::kStrings:
      for (const auto& x : v.get<std::vector<std::string>>()) a->add_strings(x);
      break;
    case K::kBool:
      a->set_b(v.get<bool>());
      break;
    case K::kBools:
      for (bool x : v.get<std::vector<bool>>()) a->add_bools(x);
      break;
    case K::kBlock:
      a->set_block_idx(v.get<int32_t>());
      break;
    case K::kLong:
      a->set_l(v.get<int64_t>());
      break;
    case K::kBlocks:
      for (int32_t x : v.get<std::vector<int32_t>>()) a->add_blocks_idx(x);
      break;
    case K::kLongs:
      for (int64_t x : v.get<std::vector<int64_t>>()) a->add_longs(x);
      break;
    case K::kFloat64s:
      for (double x : v.get<std::vector<double>>()) a->add_float64s(x);
      break;
    case K::kVar:
      a->set_var_name(v.get<std::string>());
      break;
    case K::kVars:
      for (const auto& x : v.get<std::vector<std::string>>()) a->add_vars_name(x);
      break;
    case K::kFloat64:
      a->set_float64(v.get<double>());
      break;
    case K::kScalar:
      scalar_to(v.get<ir::Scalar>(), a->mutable_scalar());
      break;
    case K::kScalars:
      for (const ir::Scalar& s : v.get<std::vector<ir::Scalar>>()) scalar_to(s, a->add_scalars());
      break;
  }
}

std::vector<ir::Slot> slots_from(const google::protobuf::RepeatedPtrField<pb::OpDesc::Var>& vars) {
  std::vector<ir::Slot> out;
  out.reserve(static_cast<std::size_t>(vars.size()));
  for (const auto& v : vars) out.push_back({v.parameter(), to_vector<std::string>(v.arguments())});
  return out;
}

void slots_to(const std::vector<ir::Slot>& slots,
              google::protobuf::RepeatedPtrField<pb::OpDesc::Var>* out) {
  for (const ir::Slot& s : slots) {
    auto* v = out->Add();
    v->set_parameter(s.name);
    for (const auto& a : s.args) v->add_arguments(a);
  }
}

ir::Op op_from(const pb::OpDesc& o) {
  ir::Op op;
  op.type = o.type();
  op.inputs = slots_from(o.inputs());
  op.outputs = slots_from(o.outputs());
  op.attrs.reserve(static_cast<std::size_t>(o.attrs_size()));
  // An attribute holds only its kind's field. Stray fields beside it (never written by Paddle) are
  // dropped: such a program reads back semantically equal but not byte-identical.
  for (const auto& a : o.attrs()) op.attrs.push_back(attr_from(a));
  if (o.has_is_target()) op.is_target = o.is_target();
  op.extra = residual(o, {1, 2, 3, 4, 5});
  return op;
}

Status op_to(const ir::Op& op, pb::OpDesc* o, const std::string& where) {
  slots_to(op.inputs, o->mutable_inputs());
  slots_to(op.outputs, o->mutable_outputs());
  o->set_type(op.type);
  for (const auto& a : op.attrs) attr_to(a, o->add_attrs());
  if (op.is_target) o->set_is_target(*op.is_target);
  return restore(*o, op.extra, where);
}

// VarType fields that hold a TensorDesc, directly or inside a (LoD)TensorDesc wrapper.
const pb::VarType::TensorDesc* tensor_of(const pb::VarType& t, int field, bool& has_lod,
                                         int32_t& lod_level) {
  has_lod = false;
  switch (field) {
    case 2:
      return t.has_selected_rows() ? &t.selected_rows() : nullptr;
    case 3:
      if (!t.has_lod_tensor()) return nullptr;
      has_lod = t.lod_tensor().has_lod_level();
      lod_level = t.lod_tensor().lod_level();
      return &t.lod_tensor().tensor();
    case 4:
      if (!t.has_tensor_array()) return nullptr;
      has_lod = t.tensor_array().has_lod_level();
      lod_level = t.tensor_array().lod_level();
      return &t.tensor_array().tensor();
    case 8:
      return t.has_string() ? &t.string() : nullptr;
    case 9:
      return t.has_strings() ? &t.strings() : nullptr;
    case 10:
      return t.has_vocab() ? &t.vocab() : nullptr;
    case 11:
      return t.has_sparse_coo() ? &t.sparse_coo() : nullptr;
    case 12:
      return t.has_sparse_csr() ? &t.sparse_csr() : nullptr;
    default:
      return nullptr;
  }
}

Result<ir::Var> var_from(const pb::VarDesc& v, const std::string& where) {
  ir::Var var;
  var.name = v.name();
  const pb::VarType& t = v.type();
  var.type = static_cast<ir::VarType>(t.type());
  for (int field : {3, 4, 2, 8, 9, 10, 11, 12}) {
    bool has_lod = false;
    int32_t lod = 0;
    const auto* td = tensor_of(t, field, has_lod, lod);
    if (td == nullptr) continue;
    const auto dtype = static_cast<ir::DType>(td->data_type());
    if (!ir::is_element_type(dtype))
      return make_error(ErrorCode::kInvalidInput,
                        fmt::format("var '{}' declares element type {} ({}), which is not a scalar "
                                    "type; expected one of bool, int*, float*, ...",
                                    var.name, ir::var_type_name(dtype), td->data_type()),
                        where + ".type.tensor.data_type");
    var.tensor = ir::TensorDesc{dtype, to_vector<int64_t>(td->dims())};
    var.tensor_field = field;
    if (has_lod) var.lod_level = lod;
    break;
  }
  {
    pb::VarType rest(t);
    rest.clear_type();
    switch (var.tensor_field) {
      case 2:
        rest.clear_selected_rows();
        break;
      case 3:
        rest.clear_lod_tensor();
        break;
      case 4:
        rest.clear_tensor_array();
        break;
      case 8:
        rest.clear_string();
        break;
      case 9:
        rest.clear_strings();
        break;
      case 10:
        rest.clear_vocab();
        break;
      case 11:
        rest.clear_sparse_coo();
        break;
      case 12:
        rest.clear_sparse_csr();
        break;
      default:
        break;
    }
    if (rest.ByteSizeLong() > 0) var.type_extra = rest.SerializePartialAsString();
  }
  if (v.has_persistable()) var.persistable = v.persistable();
  if (v.has_need_check_feed()) var.need_check_feed = v.need_check_feed();
  if (v.has_is_parameter()) var.is_parameter = v.is_parameter();
  if (v.has_stop_gradient()) var.stop_gradient = v.stop_gradient();
  for (const auto& a : v.attrs()) {
    using ir::Attribute;
    switch (a.type()) {
      case pb::INT:
        var.attrs.push_back({a.name(), Attribute::i32(a.i())});
        break;
      case pb::STRING:
        var.attrs.push_back({a.name(), Attribute::str(a.s())});
        break;
      case pb::INTS:
        var.attrs.push_back({a.name(), Attribute::i32s(to_vector<int32_t>(a.ints()))});
        break;
      default:
        return make_error(
            ErrorCode::kInvalidInput,
            fmt::format("var attribute '{}' has kind {}; VarDesc attributes are INT, "
                        "STRING or INTS",
                        a.name(), ir::attr_kind_name(static_cast<ir::AttrKind>(a.type()))),
            where + ".attrs");
    }
  }
  var.extra = residual(v, {1, 2, 3, 4, 5, 6, 7});
  return var;
}

void tensor_desc_to(const ir::TensorDesc& d, pb::VarType::TensorDesc* out) {
  out->set_data_type(static_cast<pb::VarType::Type>(d.dtype));
  for (int64_t x : d.dims) out->add_dims(x);
}

Status var_to(const ir::Var& var, pb::VarDesc* v, const std::string& where) {
  v->set_name(var.name);
  pb::VarType* t = v->mutable_type();
  t->set_type(static_cast<pb::VarType::Type>(var.type));
  if (var.tensor) {
    auto wrap = [&](auto* w) {
      tensor_desc_to(*var.tensor, w->mutable_tensor());
      if (var.lod_level) w->set_lod_level(*var.lod_level);
    };
    switch (var.tensor_field) {
      case 2:
        tensor_desc_to(*var.tensor, t->mutable_selected_rows());
        break;
      case 4:
        wrap(t->mutable_tensor_array());
        break;
      case 8:
        tensor_desc_to(*var.tensor, t->mutable_string());
        break;
      case 9:
        tensor_desc_to(*var.tensor, t->mutable_strings());
        break;
      case 10:
        tensor_desc_to(*var.tensor, t->mutable_vocab());
        break;
      case 11:
        tensor_desc_to(*var.tensor, t->mutable_sparse_coo());
        break;
      case 12:
        tensor_desc_to(*var.tensor, t->mutable_sparse_csr());
        break;
      default:
        wrap(t->mutable_lod_tensor());
        break;  // 3, and vars built in memory
    }
  }
  DETPORT_TRY(restore(*t, var.type_extra, where + ".type"));
  if (var.persistable) v->set_persistable(*var.persistable);
  if (var.need_check_feed) v->set_need_check_feed(*var.need_check_feed);
  if (var.is_parameter) v->set_is_parameter(*var.is_parameter);
  if (var.stop_gradient) v->set_stop_gradient(*var.stop_gradient);
  for (const auto& a : var.attrs) {
    auto* pa = v->add_attrs();
    pa->set_name(a.name);
    pa->set_type(static_cast<pb::AttrType>(a.value.kind()));
    switch (a.value.kind()) {
      case ir::AttrKind::kInt:
        pa->set_i(a.value.get<int32_t>());
        break;
      case ir::AttrKind::kString:
        pa->set_s(a.value.get<std::string>());
        break;
      case ir::AttrKind::kInts:
        for (int32_t x : a.value.get<std::vector<int32_t>>()) pa->add_ints(x);
        break;
      default:
        return make_error(ErrorCode::kInvalidInput,
                          fmt::format("var attribute '{}' has kind {}; only INT, STRING and INTS "
                                      "can be written",
                                      a.name, ir::attr_kind_name(a.value.kind())),
                          where);
    }
  }
  return restore(*v, var.extra, where);
}

// Structural checks libprotobuf cannot make: block indices and block references.
Status validate(const ir::Program& p) {
  if (p.blocks.empty())
    return make_error(ErrorCode::kInvalidInput,
                      "the program has no blocks; a ProgramDesc needs at least the global block",
                      "blocks");
  const auto n = static_cast<int32_t>(p.blocks.size());
  for (int32_t i = 0; i < n; ++i) {
    const ir::Block& b = p.blocks[static_cast<std::size_t>(i)];
    const std::string where = fmt::format("blocks[{}]", i);
    if (b.idx != i)
      return make_error(
          ErrorCode::kInvalidInput,
          fmt::format("idx is {}; expected {} (blocks are stored in index order)", b.idx, i),
          where + ".idx");
    if (i == 0 ? b.parent_idx != -1 && b.parent_idx != 0 : (b.parent_idx < 0 || b.parent_idx >= n))
      return make_error(ErrorCode::kInvalidInput,
                        fmt::format("parent_idx is {}; expected {}", b.parent_idx,
                                    i == 0 ? std::string("-1") : fmt::format("0..{}", n - 1)),
                        where + ".parent_idx");
    for (std::size_t k = 0; k < b.ops.size(); ++k) {
      for (const auto& a : b.ops[k].attrs) {
        std::vector<int64_t> refs;
        if (a.value.kind() == ir::AttrKind::kBlock) refs.push_back(a.value.get<int32_t>());
        if (a.value.kind() == ir::AttrKind::kBlocks) refs = *a.value.as_ints();
        for (int64_t r : refs)
          if (r < 0 || r >= n)
            return make_error(ErrorCode::kInvalidInput,
                              fmt::format("op '{}' attribute '{}' refers to block {}, but the "
                                          "program has blocks 0..{}",
                                          b.ops[k].type, a.name, r, n - 1),
                              fmt::format("{}.ops[{}]", where, k));
      }
    }
  }
  return {};
}

}  // namespace

std::string sniff_file_kind(std::span<const std::byte> bytes) {
  auto starts = [&](std::string_view magic) {
    return bytes.size() >= magic.size() &&
           std::equal(magic.begin(), magic.end(), reinterpret_cast<const char*>(bytes.data()));
  };
  if (starts("\xFF\xD8\xFF")) return "a JPEG image";
  if (starts("\x89PNG")) return "a PNG image";
  if (starts("PK\x03\x04")) return "a zip archive";
  if (starts("\x1F\x8B")) return "a gzip archive";
  if (starts("\x7F"
             "ELF"))
    return "an ELF executable";
  if (starts("\x08\x01\x12") || starts("\x08\x03\x12") || starts("\x08\x06\x12") ||
      starts("\x08\x07\x12") || starts("\x08\x08\x12"))
    return "";  // could be an ONNX model too, but let the parser decide
  // Text (Markdown, YAML, a prototxt): a ProgramDesc has non-printable bytes within its first few.
  const std::size_t probe = std::min<std::size_t>(bytes.size(), 256);
  const bool printable = std::all_of(
      bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(probe), [](std::byte b) {
        const auto c = static_cast<unsigned char>(b);
        return (c >= 0x20 && c < 0x7f) || c == '\n' || c == '\r' || c == '\t' || c >= 0xc2;
      });
  std::size_t i = 0;
  while (i < bytes.size() && std::isspace(static_cast<unsigned char>(bytes[i]))) ++i;
  if (i < bytes.size() &&
      (static_cast<char>(bytes[i]) == '{' || static_cast<char>(bytes[i]) == '[')) {
    std::string_view head(reinterpret_cast<const char*>(bytes.data()),
                          std::min<std::size_t>(bytes.size(), 4096));
    if (head.find("\"base_code\"") != std::string_view::npos)
      return "a Paddle 3 PIR program (JSON)";
    return "JSON text";
  }
  if (printable) return "a text file";
  return "";
}

Result<ir::Program> parse_program(std::span<const std::byte> bytes) {
  if (bytes.empty())
    return make_error(ErrorCode::kInvalidInput,
                      "the file is empty; expected a serialized ProgramDesc (protobuf)",
                      "byte offset 0");
  if (std::string kind = sniff_file_kind(bytes); !kind.empty())
    return make_error(ErrorCode::kInvalidInput,
                      fmt::format("the file is {}, not a serialized ProgramDesc (protobuf)", kind),
                      "byte offset 0");
  if (bytes.size() > static_cast<std::size_t>(INT32_MAX))
    return make_error(
        ErrorCode::kInvalidInput,
        fmt::format("the file is {} bytes; protobuf programs are limited to 2 GiB", bytes.size()));
  // Locate malformed bytes and unknown enum values first: libprotobuf would only say "failed".
  DETPORT_TRY(scan_wire(bytes, pb::ProgramDesc::descriptor()));
  pb::ProgramDesc proto;
  if (!proto.ParsePartialFromArray(bytes.data(), static_cast<int>(bytes.size())))
    return make_error(ErrorCode::kInvalidInput, "libprotobuf rejected the bytes as a ProgramDesc");
  if (!proto.IsInitialized()) {
    std::vector<std::string> missing;
    proto.FindInitializationErrors(&missing);
    std::string list;
    for (std::size_t i = 0; i < missing.size() && i < 5; ++i) list += (i ? ", " : "") + missing[i];
    if (missing.size() > 5) list += fmt::format(" and {} more", missing.size() - 5);
    return make_error(
        ErrorCode::kInvalidInput,
        fmt::format("required field{} missing: {}", missing.size() == 1 ? " is" : "s are", list),
        missing.front());
  }

  ir::Program p;
  p.blocks.reserve(static_cast<std::size_t>(proto.blocks_size()));
  for (int bi = 0; bi < proto.blocks_size(); ++bi) {
    const pb::BlockDesc& b = proto.blocks(bi);
    ir::Block block;
    block.idx = b.idx();
    block.parent_idx = b.parent_idx();
    block.vars.reserve(static_cast<std::size_t>(b.vars_size()));
    for (int vi = 0; vi < b.vars_size(); ++vi) {
      DETPORT_ASSIGN(ir::Var var, var_from(b.vars(vi), fmt::format("blocks[{}].vars[{}]", bi, vi)));
      block.vars.push_back(std::move(var));
    }
    block.ops.reserve(static_cast<std::size_t>(b.ops_size()));
    for (const auto& o : b.ops()) block.ops.push_back(op_from(o));
    if (b.has_forward_block_idx()) block.forward_block_idx = b.forward_block_idx();
    block.extra = residual(b, {1, 2, 3, 4, 5});
    p.blocks.push_back(std::move(block));
  }
  if (proto.has_version()) {
    p.has_version = true;
    if (proto.version().has_version()) p.version = proto.version().version();
  }
  if (proto.has_op_version_map()) {
    std::vector<ir::OpVersion> map;
    for (const auto& pair : proto.op_version_map().pair())
      map.push_back({pair.op_name(), pair.op_version().version()});
    p.op_version_map = std::move(map);
  }
  if (proto.has_op_compatible_map()) {
    ir::OpCompatibleMap map;
    for (const auto& pair : proto.op_compatible_map().pair())
      map.pairs.push_back({pair.op_name(), pair.compatible_info().version(),
                           static_cast<int32_t>(pair.compatible_info().type())});
    if (proto.op_compatible_map().has_default_required_version())
      map.default_required_version = proto.op_compatible_map().default_required_version();
    p.op_compatible_map = std::move(map);
  }
  p.extra = residual(proto, {1, 3, 4, 5});
  DETPORT_TRY(validate(p));
  return p;
}

Result<std::string> serialize_program(const ir::Program& p) {
  pb::ProgramDesc proto;
  for (std::size_t bi = 0; bi < p.blocks.size(); ++bi) {
    const ir::Block& block = p.blocks[bi];
    const std::string where = fmt::format("blocks[{}]", bi);
    pb::BlockDesc* b = proto.add_blocks();
    b->set_idx(block.idx);
    b->set_parent_idx(block.parent_idx);
    for (std::size_t vi = 0; vi < block.vars.size(); ++vi)
      DETPORT_TRY(var_to(block.vars[vi], b->add_vars(), fmt::format("{}.vars[{}]", where, vi)));
    for (std::size_t oi = 0; oi < block.ops.size(); ++oi)
      DETPORT_TRY(op_to(block.ops[oi], b->add_ops(), fmt::format("{}.ops[{}]", where, oi)));
    if (block.forward_block_idx) b->set_forward_block_idx(*block.forward_block_idx);
    DETPORT_TRY(restore(*b, block.extra, where));
  }
  if (p.op_compatible_map) {
    auto* m = proto.mutable_op_compatible_map();
    for (const auto& c : p.op_compatible_map->pairs) {
      auto* pair = m->add_pair();
      pair->set_op_name(c.op);
      pair->mutable_compatible_info()->set_version(c.required_version);
      pair->mutable_compatible_info()->set_type(static_cast<pb::CompatibleInfo::Type>(c.type));
    }
    if (p.op_compatible_map->default_required_version)
      m->set_default_required_version(*p.op_compatible_map->default_required_version);
  }
  if (p.has_version || p.version) {
    auto* v = proto.mutable_version();
    if (p.version) v->set_version(*p.version);
  }
  if (p.op_version_map) {
    auto* m = proto.mutable_op_version_map();
    for (const auto& ov : *p.op_version_map) {
      auto* pair = m->add_pair();
      pair->set_op_name(ov.op);
      pair->mutable_op_version()->set_version(ov.version);
    }
  }
  DETPORT_TRY(restore(proto, p.extra, "program"));
  std::string out;
  if (!proto.SerializePartialToString(&out))
    return make_error(ErrorCode::kInternal, "libprotobuf could not serialize the program");
  return out;
}

}  // namespace detport::formats::legacy
