// Fuzzes the check rules: any program the strict reader accepts is checked against a 2.x and a 3.x
// release, as its PIR form too; rules must never crash on what users feed them.
#include <cstddef>
#include <cstdint>
#include <span>

#include "compat/catalog.h"
#include "compat/checker.h"
#include "formats/paddle_legacy/program_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace detport;
  static const compat::Catalog catalog = compat::Catalog::load_builtin().value();
  auto program = formats::legacy::parse_program(
      std::as_bytes(std::span(reinterpret_cast<const char*>(data), size)));
  if (!program.ok()) return 0;
  ir::Model m;
  m.program = std::move(program).value();
  m.meta.format = ir::SourceFormat::kLegacy;
  if (m.program.version) m.meta.producer = ir::Release::from_program_version(*m.program.version);
  for (const char* target : {"2.3.2", "3.1"}) {
    const compat::ReleaseData* r = *catalog.resolve(target);
    (void)compat::check(m, catalog, *r, target);
  }
  m.meta.format = ir::SourceFormat::kPir;
  m.meta.pir_version = static_cast<int64_t>(size % 7);
  (void)compat::check(m, catalog, *catalog.find({3, 0, 0}), "3.0");
  return 0;
}
