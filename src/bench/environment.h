// What machine a measurement was made on: CPU and ISA levels, cores, memory, OS, compiler, library
// versions, the ISA oneDNN dispatches to, and any NVIDIA stack present.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace detport::bench {

struct Environment {
  std::string cpu_model;
  std::vector<std::string>
      isa;  // of avx2, avx512f, avx512_vnni, avx512_bf16, amx_tile, ... present
  int logical_cpus = 0;
  int physical_cores = 0;
  double memory_gib = 0;
  std::string os, kernel, compiler;
  std::string onednn_version, onednn_isa, opencv_version, detport_version;
  std::string openmp_threads;  // OMP_NUM_THREADS if set
  // NVIDIA stack, where present.
  std::string cuda_version, cudnn_version, tensorrt_version, nvidia_driver;
  std::vector<std::string> gpus;  // "name (compute capability x.y)"
};

Environment probe_environment();
nlohmann::json to_json(const Environment& e);
Environment environment_from_json(const nlohmann::json& j);
std::string to_text(const Environment& e);

}  // namespace detport::bench
