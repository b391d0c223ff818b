#include "formats/deploy_config/deploy_config_writer.h"

#include <yaml-cpp/yaml.h>

#include "formats/deploy_config/yaml_scalar.h"

namespace detport::formats {
namespace {

void emit(YAML::Emitter& out, const nlohmann::ordered_json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::object:
      out << YAML::BeginMap;
      for (auto it = j.begin(); it != j.end(); ++it) {
        out << YAML::Key << it.key() << YAML::Value;
        emit(out, it.value());
      }
      out << YAML::EndMap;
      break;
    case nlohmann::json::value_t::array:
      out << YAML::BeginSeq;
      for (const auto& v : j) emit(out, v);
      out << YAML::EndSeq;
      break;
    case nlohmann::json::value_t::string: {
      // Quote strings that would otherwise read back as another type (PyYAML rules).
      const auto& s = j.get_ref<const std::string&>();
      if (plain_scalar(s) != j) out << YAML::DoubleQuoted;
      out << s;
      break;
    }
    case nlohmann::json::value_t::boolean:
      out << (j.get<bool>() ? "true" : "false");
      break;
    case nlohmann::json::value_t::number_integer:
      out << j.get<int64_t>();
      break;
    case nlohmann::json::value_t::number_unsigned:
      out << j.get<uint64_t>();
      break;
    case nlohmann::json::value_t::number_float:
      out << j.get<double>();
      break;
    default:
      out << YAML::Null;
      break;
  }
}

}  // namespace

Result<std::string> emit_deploy_config(const ir::DeployConfig& config) {
  YAML::Emitter out;
  out.SetIndent(2);
  out.SetSeqFormat(YAML::Block);
  emit(out, config.raw);
  if (!out.good())
    return make_error(ErrorCode::kInternal, "cannot emit YAML: " + out.GetLastError());
  return std::string(out.c_str()) + "\n";
}

}  // namespace detport::formats
