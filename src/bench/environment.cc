#include "bench/environment.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <dnnl.hpp>
#include <fstream>
#include <opencv2/core/version.hpp>
#include <regex>
#include <set>
#include <sstream>

namespace detport::bench {
namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Output of a command, or "" when it is absent or fails (no shell expansion of user input here).
std::string command_output(const char* cmd) {
  FILE* p = popen(cmd, "r");
  if (p == nullptr) return {};
  std::string out;
  char buf[512];
  while (std::fgets(buf, sizeof buf, p) != nullptr) out += buf;
  if (pclose(p) != 0) return {};
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

std::string isa_name(dnnl::cpu_isa isa) {
  switch (isa) {
    case dnnl::cpu_isa::sse41:
      return "sse41";
    case dnnl::cpu_isa::avx:
      return "avx";
    case dnnl::cpu_isa::avx2:
      return "avx2";
    case dnnl::cpu_isa::avx2_vnni:
      return "avx2_vnni";
    case dnnl::cpu_isa::avx512_core:
      return "avx512_core";
    case dnnl::cpu_isa::avx512_core_vnni:
      return "avx512_core_vnni";
    case dnnl::cpu_isa::avx512_core_bf16:
      return "avx512_core_bf16";
    case dnnl::cpu_isa::avx512_core_amx:
      return "avx512_core_amx";
    default:
      return "other";
  }
}

// "#define NAME 8" from a header.
std::string header_define(const std::string& text, const std::string& name) {
  std::smatch m;
  std::regex re("#define\\s+" + name + "\\s+(\\d+)");
  return std::regex_search(text, m, re) ? m[1].str() : std::string();
}

}  // namespace

Environment probe_environment() {
  Environment e;
  const std::string cpuinfo = read_text("/proc/cpuinfo");
  std::set<std::string> flags;
  std::set<std::pair<std::string, std::string>> cores;  // (physical id, core id)
  std::string physical;
  std::istringstream in(cpuinfo);
  std::string line;
  while (std::getline(in, line)) {
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string key = line.substr(0, colon);
    key.erase(key.find_last_not_of(" \t") + 1);
    const std::string value = colon + 2 <= line.size() ? line.substr(colon + 2) : "";
    if (key == "model name" && e.cpu_model.empty()) e.cpu_model = value;
    if (key == "processor") ++e.logical_cpus;
    if (key == "physical id") physical = value;
    if (key == "core id") cores.insert({physical, value});
    if (key == "flags" && flags.empty()) {
      std::istringstream f(value);
      std::string flag;
      while (f >> flag) flags.insert(flag);
    }
  }
  e.physical_cores = cores.empty() ? e.logical_cpus : static_cast<int>(cores.size());
  for (const char* f :
       {"sse4_2", "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512_vnni",
        "avx_vnni", "avx512_bf16", "avx512_fp16", "amx_tile", "amx_bf16", "amx_int8"})
    if (flags.count(f)) e.isa.push_back(f);
  const std::string meminfo = read_text("/proc/meminfo");
  std::smatch m;
  if (std::regex_search(meminfo, m, std::regex("MemTotal:\\s+(\\d+) kB")))
    e.memory_gib = std::stod(m[1]) / (1024.0 * 1024.0);
  const std::string os = read_text("/etc/os-release");
  if (std::regex_search(os, m, std::regex("PRETTY_NAME=\"([^\"]*)\""))) e.os = m[1];
  utsname u{};
  if (uname(&u) == 0) e.kernel = fmt::format("{} {} {}", u.sysname, u.release, u.machine);
#if defined(__clang__)
  e.compiler =
      fmt::format("clang {}.{}.{}", __clang_major__, __clang_minor__, __clang_patchlevel__);
#elif defined(__GNUC__)
  e.compiler = fmt::format("g++ {}.{}.{}", __GNUC__, __GNUC_MINOR__, __GNUC_PATCHLEVEL__);
#endif
  const dnnl_version_t* v = dnnl_version();
  e.onednn_version = fmt::format("{}.{}.{}", v->major, v->minor, v->patch);
  e.onednn_isa = isa_name(dnnl::get_effective_cpu_isa());
  e.opencv_version = CV_VERSION;
  e.detport_version = "0.1.0";
  if (const char* t = std::getenv("OMP_NUM_THREADS")) e.openmp_threads = t;
  // NVIDIA: the driver's version file, the CUDA toolkit's version.json, cuDNN and TensorRT headers.
  const std::string driver = read_text("/proc/driver/nvidia/version");
  if (std::regex_search(driver, m, std::regex("Kernel Module\\s+([0-9.]+)")))
    e.nvidia_driver = m[1];
  const std::string cuda = read_text("/usr/local/cuda/version.json");
  if (std::regex_search(cuda, m,
                        std::regex("\"cuda\"\\s*:\\s*\\{[^}]*\"version\"\\s*:\\s*\"([0-9.]+)\"")))
    e.cuda_version = m[1];
  if (e.cuda_version.empty()) {
    // Toolkits without version.json: CUDART_VERSION is major * 1000 + minor * 10.
    const std::string rt =
        header_define(read_text("/usr/local/cuda/include/cuda_runtime_api.h"), "CUDART_VERSION");
    if (!rt.empty())
      e.cuda_version =
          fmt::format("{}.{} (toolkit)", std::stoi(rt) / 1000, std::stoi(rt) % 1000 / 10);
  }
  for (const char* h :
       {"/usr/include/cudnn_version.h", "/usr/local/cuda/include/cudnn_version.h"}) {
    const std::string t = read_text(h);
    if (!t.empty()) {
      e.cudnn_version =
          fmt::format("{}.{}.{}", header_define(t, "CUDNN_MAJOR"), header_define(t, "CUDNN_MINOR"),
                      header_define(t, "CUDNN_PATCHLEVEL"));
      break;
    }
  }
  for (const char* h :
       {"/usr/include/x86_64-linux-gnu/NvInferVersion.h", "/usr/include/NvInferVersion.h"}) {
    const std::string t = read_text(h);
    if (!t.empty()) {
      e.tensorrt_version =
          fmt::format("{}.{}.{}", header_define(t, "NV_TENSORRT_MAJOR"),
                      header_define(t, "NV_TENSORRT_MINOR"), header_define(t, "NV_TENSORRT_PATCH"));
      break;
    }
  }
  if (!e.nvidia_driver.empty()) {
    const std::string gpus =
        command_output("nvidia-smi --query-gpu=name,compute_cap --format=csv,noheader 2>/dev/null");
    std::istringstream g(gpus);
    while (std::getline(g, line)) {
      const auto comma = line.find(',');
      if (comma == std::string::npos) continue;
      e.gpus.push_back(
          fmt::format("{} (compute capability {})", line.substr(0, comma), line.substr(comma + 2)));
    }
  }
  return e;
}

nlohmann::json to_json(const Environment& e) {
  return {{"cpu_model", e.cpu_model},
          {"isa", e.isa},
          {"logical_cpus", e.logical_cpus},
          {"physical_cores", e.physical_cores},
          {"memory_gib", e.memory_gib},
          {"os", e.os},
          {"kernel", e.kernel},
          {"compiler", e.compiler},
          {"onednn_version", e.onednn_version},
          {"onednn_isa", e.onednn_isa},
          {"opencv_version", e.opencv_version},
          {"detport_version", e.detport_version},
          {"omp_num_threads", e.openmp_threads},
          {"cuda_version", e.cuda_version},
          {"cudnn_version", e.cudnn_version},
          {"tensorrt_version", e.tensorrt_version},
          {"nvidia_driver", e.nvidia_driver},
          {"gpus", e.gpus}};
}

Environment environment_from_json(const nlohmann::json& j) {
  Environment e;
  e.cpu_model = j.value("cpu_model", "");
  e.isa = j.value("isa", std::vector<std::string>{});
  e.logical_cpus = j.value("logical_cpus", 0);
  e.physical_cores = j.value("physical_cores", 0);
  e.memory_gib = j.value("memory_gib", 0.0);
  e.os = j.value("os", "");
  e.kernel = j.value("kernel", "");
  e.compiler = j.value("compiler", "");
  e.onednn_version = j.value("onednn_version", "");
  e.onednn_isa = j.value("onednn_isa", "");
  e.opencv_version = j.value("opencv_version", "");
  e.detport_version = j.value("detport_version", "");
  e.openmp_threads = j.value("omp_num_threads", "");
  e.cuda_version = j.value("cuda_version", "");
  e.cudnn_version = j.value("cudnn_version", "");
  e.tensorrt_version = j.value("tensorrt_version", "");
  e.nvidia_driver = j.value("nvidia_driver", "");
  e.gpus = j.value("gpus", std::vector<std::string>{});
  return e;
}

std::string to_text(const Environment& e) {
  auto or_none = [](const std::string& s) { return s.empty() ? std::string("not found") : s; };
  std::string out;
  out += fmt::format("  CPU             {}\n", e.cpu_model);
  out +=
      fmt::format("  cores           {} logical, {} physical\n", e.logical_cpus, e.physical_cores);
  out += fmt::format("  ISA             {}\n", fmt::join(e.isa, " "));
  out += fmt::format("  memory          {:.1f} GiB\n", e.memory_gib);
  out += fmt::format("  OS              {} ({})\n", e.os, e.kernel);
  out += fmt::format("  compiler        {}\n", e.compiler);
  out += fmt::format("  oneDNN          {} (dispatches to {})\n", e.onednn_version, e.onednn_isa);
  out += fmt::format("  OpenCV          {}\n", e.opencv_version);
  if (!e.openmp_threads.empty()) out += fmt::format("  OMP_NUM_THREADS {}\n", e.openmp_threads);
  out += fmt::format("  NVIDIA driver   {}\n", or_none(e.nvidia_driver));
  out += fmt::format("  CUDA            {}\n", or_none(e.cuda_version));
  out += fmt::format("  cuDNN           {}\n", or_none(e.cudnn_version));
  out += fmt::format("  TensorRT        {}\n", or_none(e.tensorrt_version));
  for (const auto& g : e.gpus) out += fmt::format("  GPU             {}\n", g);
  return out;
}

}  // namespace detport::bench
