// Internal to the checker: the context every rule sees and the way findings about many op
// instances are grouped into one.
#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "compat/checker.h"

namespace detport::compat::detail {

struct Context {
  const ir::Model& model;
  const Catalog& catalog;
  const ReleaseData& target;
  ir::Release target_release;   // with the patch the user named
  const ReleaseData* producer;  // the exporting release's data, or nullptr
  std::string target_name;      // "Paddle 2.3.2"
  const CheckOptions& options;
  std::set<std::string, std::less<>> common_attrs;  // of every release (op_role, op_callstack, ...)

  OpRef ref(std::size_t block, std::size_t index) const;
  // Checkpoint texts for an op: from the producer's data if it has them, else the newest release.
  const std::vector<Checkpoint>* checkpoints(std::string_view op) const;
  bool is_common_attr(std::string_view name) const { return common_attrs.count(name) != 0; }
};

// Findings keyed by (rule, subject): op instances of the same kind of problem land in one finding.
class Findings {
 public:
  explicit Findings(const Context& ctx) : ctx_(ctx) {}
  // Adds an instance to the finding `key`; `make` fills the finding the first time.
  void add(const std::string& key, const std::function<Finding()>& make, std::size_t block,
           std::size_t index);
  // A finding without op instances.
  void add(Finding f);
  std::vector<Finding> take();

 private:
  const Context& ctx_;
  std::map<std::string, std::size_t> index_;
  std::vector<Finding> findings_;
};

// "2.6.0", or "a develop build"
std::string release_text(const ir::Release& r);
// Renders a JSON default the way the text report shows it ("1.0", "true", "\"NCHW\"").
std::string json_value_text(const nlohmann::json& v);
// The model attribute's value as JSON, for comparing with a default.
nlohmann::json attr_json(const ir::Attribute& a);
bool same_value(const nlohmann::json& a, const nlohmann::json& b);

void check_format(const Context& ctx, Findings& out);  // format, PIR version, producer
void check_proto(const Context& ctx, Findings& out);   // enum ranges, fields, params dtypes
void check_ops(const Context& ctx, Findings& out);     // missing ops, versions, slots
void check_attrs(const Context& ctx, Findings& out);   // missing/unknown attrs, stripped extras

}  // namespace detport::compat::detail
