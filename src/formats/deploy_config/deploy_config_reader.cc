#include "formats/deploy_config/deploy_config_reader.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cmath>
#include <limits>
#include <regex>

#include "core/mapped_file.h"
#include "formats/deploy_config/yaml_scalar.h"

namespace detport::formats {
namespace {

using json = nlohmann::ordered_json;

constexpr int kMaxDepth = 64;
constexpr std::size_t kMaxNodes = 1'000'000;  // aliases can make a small file expand without bound

// yaml-cpp parses recursively; reject nesting deep enough to exhaust the stack before it sees it.
Status check_nesting(std::string_view text, const std::string& label) {
  int flow = 0;
  int line = 1;
  bool in_single = false, in_double = false, comment = false;
  bool leading = true;  // still in the line's indentation and "- " markers
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n') {
      ++line;
      comment = false;
      in_single = in_double = false;
      leading = true;
      line_start = i + 1;
      continue;
    }
    if (leading && c != ' ' && c != '-' && c != '\t') leading = false;
    // Block nesting: every level adds indentation or a "- " on the same line.
    if (leading && i - line_start > static_cast<std::size_t>(kMaxDepth) * 8)
      return make_error(ErrorCode::kInvalidInput,
                        fmt::format("indentation deeper than {} columns", kMaxDepth * 8),
                        fmt::format("{}: line {}", label, line));
    if (comment) continue;
    if (in_double) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_double = false;
      continue;
    }
    if (in_single) {
      if (c == '\'') in_single = false;
      continue;
    }
    if (c == '#')
      comment = true;
    else if (c == '"')
      in_double = true;
    else if (c == '\'')
      in_single = true;
    else if (c == '[' || c == '{') {
      if (++flow > kMaxDepth)
        return make_error(ErrorCode::kInvalidInput,
                          fmt::format("collections nest more than {} deep", kMaxDepth),
                          fmt::format("{}: line {}, column {}", label, line, i - line_start + 1));
    } else if (c == ']' || c == '}') {
      flow = std::max(0, flow - 1);
    }
  }
  return {};
}

Result<json> to_json(const YAML::Node& node, int depth, std::size_t& budget,
                     const std::string& where) {
  if (depth > kMaxDepth)
    return make_error(ErrorCode::kInvalidInput, fmt::format("nesting deeper than {}", kMaxDepth),
                      where);
  if (budget == 0)
    return make_error(
        ErrorCode::kInvalidInput,
        fmt::format("the document expands to more than {} values (alias bomb?)", kMaxNodes), where);
  --budget;
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return json(nullptr);
    case YAML::NodeType::Scalar:
      if (node.Tag() == "!") return json(node.Scalar());  // quoted: always a string
      return plain_scalar(node.Scalar());
    case YAML::NodeType::Sequence: {
      json out = json::array();
      std::size_t i = 0;
      for (const auto& item : node) {
        DETPORT_ASSIGN(json v, to_json(item, depth + 1, budget, fmt::format("{}[{}]", where, i++)));
        out.push_back(std::move(v));
      }
      return out;
    }
    case YAML::NodeType::Map: {
      json out = json::object();
      for (const auto& kv : node) {
        if (!kv.first.IsScalar())
          return make_error(ErrorCode::kInvalidInput, "a mapping key is not a scalar", where);
        const std::string key = kv.first.Scalar();
        DETPORT_ASSIGN(
            json v, to_json(kv.second, depth + 1, budget, where.empty() ? key : where + "." + key));
        out[key] = std::move(v);
      }
      return out;
    }
  }
  return json(nullptr);
}

const char* json_kind(const json& j) {
  if (j.is_null()) return "null";
  if (j.is_boolean()) return "a boolean";
  if (j.is_number_integer()) return "an integer";
  if (j.is_number()) return "a number";
  if (j.is_string()) return "a string";
  if (j.is_array()) return "a sequence";
  return "a mapping";
}

Error wrong(const std::string& label, const std::string& key, const char* expected,
            const json& found) {
  return make_error(ErrorCode::kInvalidInput,
                    fmt::format("expected {}, found {}", expected, json_kind(found)),
                    fmt::format("{}: {}", label, key));
}

Result<std::string> get_string(const json& j, const std::string& label, const std::string& key) {
  if (j.is_string()) return j.get<std::string>();
  if (j.is_number() || j.is_boolean()) return j.dump();
  return wrong(label, key, "a string", j);
}

Result<double> get_number(const json& j, const std::string& label, const std::string& key) {
  if (j.is_number()) return j.get<double>();
  return wrong(label, key, "a number", j);
}

Result<int64_t> get_int(const json& j, const std::string& label, const std::string& key) {
  if (j.is_number_integer()) return j.get<int64_t>();
  return wrong(label, key, "an integer", j);
}

Result<std::vector<int64_t>> get_ints(const json& j, const std::string& label,
                                      const std::string& key) {
  if (!j.is_array()) return wrong(label, key, "a sequence of integers", j);
  std::vector<int64_t> out;
  for (std::size_t i = 0; i < j.size(); ++i) {
    DETPORT_ASSIGN(int64_t v, get_int(j[i], label, fmt::format("{}[{}]", key, i)));
    out.push_back(v);
  }
  return out;
}

template <typename T>
Result<std::optional<T>> optional_field(const json& doc, const char* key, const std::string& label,
                                        Result<T> (*get)(const json&, const std::string&,
                                                         const std::string&)) {
  auto it = doc.find(key);
  if (it == doc.end() || it->is_null()) return std::optional<T>{};
  DETPORT_ASSIGN(T v, get(*it, label, key));
  return std::optional<T>(std::move(v));
}

Result<std::vector<ir::DeployTransform>> paddledetection_transforms(const json& list,
                                                                    const std::string& label) {
  if (!list.is_array()) return wrong(label, "Preprocess", "a sequence of transforms", list);
  std::vector<ir::DeployTransform> out;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string key = fmt::format("Preprocess[{}]", i);
    const json& item = list[i];
    if (!item.is_object()) return wrong(label, key, "a mapping with a 'type' key", item);
    auto type = item.find("type");
    if (type == item.end())
      return make_error(ErrorCode::kInvalidInput, "the transform has no 'type' key",
                        fmt::format("{}: {}", label, key));
    DETPORT_ASSIGN(std::string name, get_string(*type, label, key + ".type"));
    ir::DeployTransform t{name, json::object()};
    for (auto it = item.begin(); it != item.end(); ++it)
      if (it.key() != "type") t.params[it.key()] = it.value();
    out.push_back(std::move(t));
  }
  return out;
}

// PaddleX: PreProcess.transform_ops is a list of one-key mappings {Name: {params} | null}.
Result<std::vector<ir::DeployTransform>> paddlex_transforms(const json& list,
                                                            const std::string& label) {
  const std::string key = "PreProcess.transform_ops";
  if (!list.is_array()) return wrong(label, key, "a sequence of transforms", list);
  std::vector<ir::DeployTransform> out;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const json& item = list[i];
    const std::string where = fmt::format("{}[{}]", key, i);
    if (!item.is_object() || item.size() != 1)
      return wrong(label, where, "a mapping with one transform name", item);
    const json& params = item.begin().value();
    if (!params.is_null() && !params.is_object())
      return wrong(label, where + "." + item.begin().key(), "a mapping of parameters", params);
    out.push_back({item.begin().key(), params.is_null() ? json::object() : params});
  }
  return out;
}

}  // namespace

Result<ir::DeployConfig> parse_deploy_config(std::string_view text, const std::string& label) {
  if (text.size() > kMaxDeployConfigBytes)
    return make_error(ErrorCode::kInvalidInput,
                      fmt::format("{} bytes is more than the {} accepted for a deploy config",
                                  text.size(), kMaxDeployConfigBytes),
                      label);
  if (text.find('\0') != std::string_view::npos)
    return make_error(ErrorCode::kInvalidInput,
                      fmt::format("byte {} is NUL: this is not YAML text", text.find('\0')), label);
  DETPORT_TRY(check_nesting(text, label));
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return make_error(
        ErrorCode::kInvalidInput, fmt::format("not valid YAML: {}", e.msg),
        fmt::format("{}: line {}, column {}", label, e.mark.line + 1, e.mark.column + 1));
  }
  std::size_t budget = kMaxNodes;
  json doc;
  try {
    DETPORT_ASSIGN(doc, to_json(root, 0, budget, ""));
  } catch (const YAML::Exception& e) {
    return make_error(ErrorCode::kInvalidInput, fmt::format("not valid YAML: {}", e.msg), label);
  }
  if (!doc.is_object())
    return make_error(ErrorCode::kInvalidInput,
                      fmt::format("the document is {}; expected a mapping of keys such as "
                                  "'Preprocess' and 'label_list'",
                                  json_kind(doc)),
                      label);

  ir::DeployConfig cfg;
  cfg.file = label;
  auto str = [&](const char* key, std::string& out) -> Status {
    DETPORT_ASSIGN(auto v, optional_field<std::string>(doc, key, label, get_string));
    if (v) out = *v;
    return {};
  };
  DETPORT_TRY(str("mode", cfg.mode));
  DETPORT_TRY(str("arch", cfg.arch));
  DETPORT_TRY(str("metric", cfg.metric));
  DETPORT_ASSIGN(cfg.min_subgraph_size,
                 optional_field<int64_t>(doc, "min_subgraph_size", label, get_int));
  DETPORT_ASSIGN(cfg.draw_threshold,
                 optional_field<double>(doc, "draw_threshold", label, get_number));
  if (auto it = doc.find("use_dynamic_shape"); it != doc.end() && !it->is_null()) {
    if (!it->is_boolean()) return wrong(label, "use_dynamic_shape", "a boolean", *it);
    cfg.use_dynamic_shape = it->get<bool>();
  }
  if (auto it = doc.find("Global"); it != doc.end() && it->is_object()) {
    cfg.flavor = ir::DeployConfig::Flavor::kPaddleX;
    if (auto name = it->find("model_name"); name != it->end()) {
      DETPORT_ASSIGN(cfg.model_name, get_string(*name, label, "Global.model_name"));
    }
  }
  if (auto it = doc.find("Preprocess"); it != doc.end()) {
    DETPORT_ASSIGN(cfg.preprocess, paddledetection_transforms(*it, label));
  } else if (auto pp = doc.find("PreProcess"); pp != doc.end()) {
    cfg.flavor = ir::DeployConfig::Flavor::kPaddleX;
    if (!pp->is_object()) return wrong(label, "PreProcess", "a mapping with 'transform_ops'", *pp);
    if (auto ops = pp->find("transform_ops"); ops != pp->end()) {
      DETPORT_ASSIGN(cfg.preprocess, paddlex_transforms(*ops, label));
    }
  }
  if (auto it = doc.find("label_list"); it != doc.end() && !it->is_null()) {
    if (!it->is_array()) return wrong(label, "label_list", "a sequence of names", *it);
    for (std::size_t i = 0; i < it->size(); ++i) {
      DETPORT_ASSIGN(std::string name,
                     get_string((*it)[i], label, fmt::format("label_list[{}]", i)));
      cfg.label_list.push_back(std::move(name));
    }
  }
  if (auto it = doc.find("NMS"); it != doc.end() && !it->is_null()) {
    if (!it->is_object()) return wrong(label, "NMS", "a mapping", *it);
    ir::NmsConfig nms;
    nms.params = *it;
    if (auto n = it->find("name"); n != it->end()) {
      DETPORT_ASSIGN(nms.name, get_string(*n, label, "NMS.name"));
    }
    auto int_key = [&](const char* k, std::optional<int64_t>& out) -> Status {
      if (auto v = it->find(k); v != it->end()) {
        DETPORT_ASSIGN(out, get_int(*v, label, std::string("NMS.") + k));
      }
      return {};
    };
    auto num_key = [&](const char* k, std::optional<double>& out) -> Status {
      if (auto v = it->find(k); v != it->end()) {
        DETPORT_ASSIGN(out, get_number(*v, label, std::string("NMS.") + k));
      }
      return {};
    };
    DETPORT_TRY(int_key("nms_top_k", nms.nms_top_k));
    DETPORT_TRY(int_key("keep_top_k", nms.keep_top_k));
    DETPORT_TRY(num_key("score_threshold", nms.score_threshold));
    DETPORT_TRY(num_key("nms_threshold", nms.nms_threshold));
    cfg.nms = std::move(nms);
  }
  if (auto it = doc.find("fpn_stride"); it != doc.end() && !it->is_null()) {
    DETPORT_ASSIGN(cfg.fpn_stride, get_ints(*it, label, "fpn_stride"));
  }
  if (auto it = doc.find("PostProcess"); it != doc.end() && it->is_object()) {
    if (auto n = it->find("name"); n != it->end()) {
      DETPORT_ASSIGN(cfg.postprocess_name, get_string(*n, label, "PostProcess.name"));
    }
  }
  cfg.raw = std::move(doc);
  return cfg;
}

Result<ir::DeployConfig> read_deploy_config(const std::filesystem::path& path) {
  DETPORT_ASSIGN(std::string text, read_file(path, kMaxDeployConfigBytes));
  return parse_deploy_config(text, path.string());
}

std::optional<std::filesystem::path> find_deploy_config(const std::filesystem::path& dir) {
  std::error_code ec;
  for (const char* name : {"infer_cfg.yml", "inference.yml"})
    if (std::filesystem::is_regular_file(dir / name, ec)) return dir / name;
  return std::nullopt;
}

}  // namespace detport::formats
