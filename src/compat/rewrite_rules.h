// Internal to the rewriter: what every rewrite family sees, and the families themselves.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "compat/rewrite.h"

namespace detport::compat::detail {

struct RewriteContext {
  ir::Model& model;
  const Catalog& catalog;
  const ReleaseData& target;
  ir::Release target_release;
  const ReleaseData* producer;  // the exporting release's data, or nullptr
  const RewriteOptions& options;
  std::set<std::string, std::less<>> common_attrs;
  std::vector<Change>& changes;
  // convert_rule -> why a rewrite of that rule was not made (attached to the refusals).
  std::map<std::string, std::string, std::less<>>& declined;

  void change(std::string rule, std::size_t block, std::size_t index, std::string attr,
              std::string before, std::string after, bool approx = false);
  void decline(const std::string& rule, const std::string& why);
};

// A data default (JSON) as an attribute of `kind`; nullopt if it does not fit.
std::optional<ir::Attribute> attr_from_json(const nlohmann::json& v, ir::AttrKind kind);
// `a` as `kind`: the value and whether it is exact; nullopt when there is no conversion.
struct Converted {
  ir::Attribute value;
  bool exact = true;
};
std::optional<Converted> convert_attr(const ir::Attribute& a, ir::AttrKind kind);

void rewrite_op_renames(RewriteContext& ctx);       // silu <-> swish(beta=1)
void rewrite_replacements(RewriteContext& ctx);     // absent ops -> the data's replacement
void rewrite_scalars(RewriteContext& ctx);          // SCALARS values <-> typed lists
void rewrite_attrs(RewriteContext& ctx);            // restore, retype, drop unknown
void rewrite_slots(RewriteContext& ctx);            // restore extra outputs, drop unknown slots
void rewrite_program_version(RewriteContext& ctx);  // version, op_version_map

}  // namespace detport::compat::detail
