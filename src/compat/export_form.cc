#include "compat/export_form.h"

#include <algorithm>

namespace detport::compat {

Result<ExportFormStats> apply_export_form(ir::Model& model, const ReleaseData& data,
                                          const ir::Release& release) {
  if (release.major != data.release.major || release.minor != data.release.minor)
    return make_error(ErrorCode::kInternal,
                      "release " + release.to_string() + " is not in the " + data.name + " line");
  if (data.op_version_map.written && !data.op_version_map.entries)
    return make_error(ErrorCode::kUnsupported,
                      "the op_version_map Paddle " + data.name +
                          " writes is not established, so its export form cannot be reproduced");
  ExportFormStats stats;
  ir::Program& prog = model.program;
  prog.has_version = true;
  prog.version = release.program_version();
  if (data.op_version_map.written)
    prog.op_version_map = *data.op_version_map.entries;
  else
    prog.op_version_map.reset();
  model.meta.producer = release;

  const ExportInfo& ex = data.export_rules;
  if (!ex.clip_extra_attrs) return stats;
  for (ir::Block& block : prog.blocks)
    for (ir::Op& op : block.ops) {
      const OpInfo* info = data.op(op.type);
      if (info == nullptr || !info->has_extras()) continue;  // kept whole, like Paddle does
      const auto before = op.attrs.size();
      std::erase_if(op.attrs, [&](const ir::NamedAttribute& a) {
        const AttrInfo* ai = info->attr(a.name);
        if (ai != nullptr && ai->extra) return true;
        return std::find(ex.clipped_common_attrs.begin(), ex.clipped_common_attrs.end(), a.name) !=
               ex.clipped_common_attrs.end();
      });
      stats.attrs_removed += before - op.attrs.size();
      if (!ex.clip_extra_outputs) continue;
      const auto outs = op.outputs.size();
      std::erase_if(op.outputs, [&](const ir::Slot& s) {
        auto it = info->outputs.find(s.name);
        return it != info->outputs.end() && it->second.extra;
      });
      stats.outputs_removed += outs - op.outputs.size();
    }
  return stats;
}

}  // namespace detport::compat
