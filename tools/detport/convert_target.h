// The --target branch of `detport convert` (convert_target.cc): make a model load and compute the
// same on another Paddle release. cmd_convert.cc owns the command line; the demo calls it too.
#pragma once

#include <string>

namespace detport::cli {

struct TargetConvertCliOptions {
  std::string model;
  std::string model_file, params_file;
  std::string out;
  std::string target;  // "2.3.2"
  std::string format;  // "", "legacy" or "pir"
  std::string data;    // release data directory instead of the built-in one
  bool dry_run = false;
  bool json = false;
  bool allow_approx = false;
};

// Converts, writes OUT atomically, re-reads and re-checks it; prints every change (text or the
// detport.convert/1 JSON document). Returns 0 converted, 1 cannot be made compatible, 2 bad input.
int convert_to_target(const TargetConvertCliOptions& o);

}  // namespace detport::cli
