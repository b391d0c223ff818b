// Shared pieces of the detport command line: how commands register and how errors become
// messages and exit codes (0 ok, 1 incompatible/different, 2 bad input or usage, 3 internal).
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <string>

#include "core/result.h"

namespace detport::cli {

enum ExitCode { kOk = 0, kIncompatible = 1, kBadInput = 2, kInternal = 3 };

int exit_code_for(const Error& e);
// Prints "detport: error: <context>: <message>" to stderr and returns the exit code.
int report(const Error& e);

// Each command adds its subcommand and sets `run` to the code that executes it.
using Runner = std::function<int()>;
void add_inspect(CLI::App& app, Runner& run);
void add_demo(CLI::App& app, Runner& run);
// `convert --to onnx` (cmd_export_onnx.cc).
void add_export_onnx(CLI::App& app, Runner& run);

}  // namespace detport::cli
