#include <gtest/gtest.h>

#include <cstring>

#include "formats/paddle_legacy/params_codec.h"
#include "ir/builder.h"
#include "test_support.h"

namespace detport::formats::legacy {
namespace {

using detport::testing::slurp;
using detport::testing::spit;
using detport::testing::TempDir;

ir::Model small_model() {
  ir::ProgramBuilder b;
  auto x = b.input("x", ir::DType::kFloat32, {-1, 3});
  b.random_param("b_param", {3}, 1.0f);
  b.random_param("a_param", {2, 3}, 1.0f);
  b.param("c_ints", ir::Tensor::from_values<int64_t>(ir::DType::kInt64, {2}, {7, -9}));
  b.output(x);
  return std::move(b).finish(ir::Release{2, 4, 0});
}

std::span<const std::byte> bytes_of(const std::string& s) {
  return std::as_bytes(std::span<const char>(s.data(), s.size()));
}

Result<ir::Weights> read_bytes(const std::string& bytes, const ir::Program& program, TempDir& dir) {
  spit(dir / "p.params", bytes);
  auto file = MappedFile::open(dir / "p.params");
  if (!file.ok()) return file.error();
  return read_combined(*file, program);
}

TEST(ParamsCodec, TensorLayoutIsPaddles) {
  ir::Tensor t = ir::Tensor::from_values<float>(ir::DType::kFloat32, {2}, {1.0f, 2.0f});
  const std::string s = serialize_tensor(t);
  // uint32 version 0, uint64 lod levels 0, uint32 tensor version 0, int32 desc size, desc, data.
  ASSERT_EQ(s.size(), 4u + 8 + 4 + 4 + 4 + 8);
  EXPECT_EQ(s.substr(0, 16), std::string(16, '\0'));
  int32_t desc_size = 0;
  std::memcpy(&desc_size, s.data() + 16, 4);
  EXPECT_EQ(desc_size, 4);
  EXPECT_EQ(s.substr(20, 4), std::string("\x08\x05\x10\x02", 4));  // data_type FP32, dims 2
  float values[2];
  std::memcpy(values, s.data() + 24, 8);
  EXPECT_EQ(values[1], 2.0f);
}

TEST(ParamsCodec, CombinedRoundTripInSortedOrder) {
  TempDir dir;
  ir::Model m = small_model();
  ASSERT_TRUE(write_combined(dir / "p.params", m.weights, m.program).ok());
  const std::string bytes = slurp(dir / "p.params");
  // The first tensor is a_param (sorted), 2x3 floats.
  EXPECT_EQ(bytes.substr(20, 6), std::string("\x08\x05\x10\x02\x10\x03", 6));
  auto w = read_bytes(bytes, m.program, dir);
  ASSERT_TRUE(w.ok()) << w.error().describe();
  ASSERT_EQ(w->size(), 3u);
  EXPECT_EQ(w->at("a_param").values<float>(), m.weights.at("a_param").values<float>());
  EXPECT_EQ(w->at("c_ints").values<int64_t>(), (std::vector<int64_t>{7, -9}));
  EXPECT_EQ(w->at("c_ints").dtype, ir::DType::kInt64);
  auto count = count_tensors(bytes_of(bytes));
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 3u);
}

TEST(ParamsCodec, SeparateRoundTrip) {
  TempDir dir;
  ir::Model m = small_model();
  ASSERT_TRUE(write_separate(dir.path(), m.weights, m.program).ok());
  EXPECT_TRUE(has_separate_params(dir.path(), m.program));
  auto w = read_separate(dir.path(), m.program);
  ASSERT_TRUE(w.ok()) << w.error().describe();
  EXPECT_EQ(w->at("b_param").values<float>(), m.weights.at("b_param").values<float>());
  std::filesystem::remove(dir / "c_ints");
  auto missing = read_separate(dir.path(), m.program);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("c_ints"), std::string::npos);
}

std::string combined(const ir::Model& m) {
  std::string out;
  for (const auto& name : ir::persistable_names(m.program))
    out += serialize_tensor(m.weights.at(name));
  return out;
}

TEST(ParamsCodec, OneTensorTooFew) {
  TempDir dir;
  ir::Model m = small_model();
  std::string bytes = combined(m);
  bytes.resize(bytes.size() - serialize_tensor(m.weights.at("c_ints")).size());
  auto w = read_bytes(bytes, m.program, dir);
  ASSERT_FALSE(w.ok());
  EXPECT_NE(w.error().message.find("ends after 2 tensors but the program has 3"), std::string::npos)
      << w.error().describe();
  EXPECT_NE(w.error().message.find("'c_ints'"), std::string::npos);
  EXPECT_NE(w.error().context.find("p.params: byte offset"), std::string::npos);
}

TEST(ParamsCodec, OneTensorTooMany) {
  TempDir dir;
  ir::Model m = small_model();
  std::string bytes = combined(m) + serialize_tensor(m.weights.at("b_param"));
  auto w = read_bytes(bytes, m.program, dir);
  ASSERT_FALSE(w.ok());
  EXPECT_NE(w.error().message.find("1 more tensor"), std::string::npos) << w.error().describe();
  EXPECT_NE(w.error().message.find("4 tensors for 3 persistable vars"), std::string::npos);
}

TEST(ParamsCodec, DtypeAndDimsMustMatchTheProgram) {
  TempDir dir;
  ir::Model m = small_model();
  ir::Model wrong = m;
  wrong.weights["a_param"] =
      ir::Tensor::from_values<double>(ir::DType::kFloat64, {2, 3}, std::vector<double>(6, 1.0));
  auto w = read_bytes(combined(wrong), m.program, dir);
  ASSERT_FALSE(w.ok());
  EXPECT_NE(
      w.error().message.find("tensor for 'a_param' is float64 but the program declares float32"),
      std::string::npos)
      << w.error().describe();
  wrong = m;
  wrong.weights["b_param"] =
      ir::Tensor::from_values<float>(ir::DType::kFloat32, {4}, std::vector<float>(4, 1.0f));
  w = read_bytes(combined(wrong), m.program, dir);
  ASSERT_FALSE(w.ok());
  EXPECT_NE(w.error().message.find("has dims [4] but the program declares [3]"), std::string::npos)
      << w.error().describe();
}

TEST(ParamsCodec, HostileHeadersAreRejectedBeforeAllocating) {
  std::string base =
      serialize_tensor(ir::Tensor::from_values<float>(ir::DType::kFloat32, {2}, {1, 2}));
  auto expect_error = [](std::string bytes, const std::string& what) {
    std::size_t offset = 0;
    auto t = read_tensor(bytes_of(bytes), offset, nullptr);
    ASSERT_FALSE(t.ok()) << what;
    EXPECT_NE(t.error().describe().find(what), std::string::npos) << t.error().describe();
  };
  {
    std::string s = base;
    s[0] = 1;
    expect_error(s, "tensor version is 1");
  }
  {
    std::string s = base;
    uint64_t lod = uint64_t{1} << 60;
    std::memcpy(s.data() + 4, &lod, 8);
    expect_error(s, "LoD level count");
  }
  {
    std::string s = base;
    int32_t size = -5;
    std::memcpy(s.data() + 16, &size, 4);
    expect_error(s, "TensorDesc size is -5");
  }
  {
    std::string s = base;
    int32_t size = 1 << 30;
    std::memcpy(s.data() + 16, &size, 4);
    expect_error(s, "TensorDesc size is 1073741824");
  }
  {
    // dims [2^40, 2^40]: the product overflows int64.
    std::string s(16, '\0');
    std::string desc =
        std::string("\x08\x05\x10\x80\x80\x80\x80\x80\x20\x10\x80\x80\x80\x80\x80\x20", 16);
    int32_t size = static_cast<int32_t>(desc.size());
    s.append(reinterpret_cast<const char*>(&size), 4);
    s += desc;
    expect_error(s, "overflow");
  }
  {
    // dims [1000000] floats but only 8 bytes of data.
    std::string s(16, '\0');
    std::string desc = std::string("\x08\x05\x10\xc0\x84\x3d", 6);
    int32_t size = static_cast<int32_t>(desc.size());
    s.append(reinterpret_cast<const char*>(&size), 4);
    s += desc + std::string(8, '\0');
    expect_error(s, "needs 4000000 bytes of data but only 8 remain");
  }
  {
    std::string s = base;
    s[20 + 1] = 7;  // data_type DENSE_TENSOR: not an element type
    expect_error(s, "not an element type");
  }
  expect_error(base.substr(0, 10), "needs 8 bytes but only 6 remain");
}

TEST(ParamsCodec, LodIsKept) {
  ir::Tensor t = ir::Tensor::from_values<float>(ir::DType::kFloat32, {3}, {1, 2, 3});
  t.lod = {{0, 1, 3}};
  const std::string s = serialize_tensor(t);
  std::size_t offset = 0;
  auto back = read_tensor(bytes_of(s), offset, nullptr);
  ASSERT_TRUE(back.ok()) << back.error().describe();
  EXPECT_EQ(back->lod, t.lod);
  EXPECT_EQ(offset, s.size());
  EXPECT_EQ(serialize_tensor(*back), s);
}

}  // namespace
}  // namespace detport::formats::legacy
