// The channels-first int8 pointwise kernel and its input interleave alone
// (kernels/qgemm_args.h: QGemmColsArgs, QColsInterleaveFn), for every kernel
// table this CPU runs that has one: the interleave against a plain byte
// transpose for 1-4 rows, every pixel count up to three 64-pixel steps and
// both flips, its source rows against guard pages; the kernel against an
// exact integer sum for every mr <= MR and nr <= NR, 1-5 groups of 4 channels,
// every output type and clamp, extreme operands and int32 wrap-around, its
// output against guard pages before and after and the bytes between rows
// untouched. The whole algorithm runs through the API in test_qconv.cpp.
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "kernels/qkernel_table.h"
#include "tests/support/qkernel_check.h"

namespace {

using namespace ndconv::kernels;
using namespace ndconv::test;

std::vector<const QKernelTable*> tables_with_cols() {
  std::vector<const QKernelTable*> out;
  for (const QKernelTable* t : runnable_tables()) {
    if (t->gemm_cols_ncx.fn == nullptr) continue;
    // A sibling table (AMX) may share its parent's columns kernel.
    bool seen = false;
    for (const QKernelTable* o : out) seen = seen || o->gemm_cols_ncx.fn == t->gemm_cols_ncx.fn;
    if (!seen) out.push_back(t);
  }
  return out;
}

struct ColsCase {
  const QKernelTable* table;
};
std::ostream& operator<<(std::ostream& os, const ColsCase& c) { return os << c.table->gemm_cols_ncx.name; }

class QGemmColsTest : public ::testing::TestWithParam<ColsCase> {
 protected:
  const QGemmColsKernel& kernel() const { return GetParam().table->gemm_cols_ncx; }
};

// Byte k of pixel p in tile t is at t * tile_bytes + (p % NR) * 4 + k.
TEST_P(QGemmColsTest, InterleaveIsATransposeOfFourRows) {
  const QGemmColsKernel& k = kernel();
  const size_t NR = k.nr, ld = 200 + 3;  // rows longer than any pixel count here, odd stride
  std::mt19937 gen(7);
  for (size_t rows = 1; rows <= 4; ++rows)
    for (size_t pixels = 1; pixels <= 3 * 64; ++pixels)
      for (uint8_t flip : {uint8_t{0}, uint8_t{0x80}}) {
        SCOPED_TRACE("rows " + std::to_string(rows) + " pixels " + std::to_string(pixels));
        // flip 0: the last row's last pixel against the guard page; 0x80:
        // whole rows, the bytes after each row's pixels prefetched (`ahead`).
        const size_t ahead = flip ? ld - pixels : 0;
        GuardedKernelBytes src((rows - 1) * ld + pixels + ahead, true);
        for (size_t i = 0; i < src.size(); ++i) src.data()[i] = static_cast<uint8_t>(gen());
        const size_t tiles = (pixels + NR - 1) / NR, tile_bytes = NR * 4 + 36;
        std::vector<uint8_t> dst(tiles * tile_bytes, 0xA5);
        k.interleave(src.data(), ld, rows, pixels, tiles, tile_bytes, flip, dst.data(), ahead);
        for (size_t p = 0; p < tiles * NR; ++p)
          for (size_t c = 0; c < 4; ++c) {
            const uint8_t got = dst[(p / NR) * tile_bytes + (p % NR) * 4 + c];
            if (p < pixels && c < rows) ASSERT_EQ(got, static_cast<uint8_t>(src.data()[c * ld + p] ^ flip)) << p << " " << c;
          }
        // The gap after each tile's NR x 4 bytes is not the interleave's.
        for (size_t t = 0; t < tiles; ++t)
          for (size_t i = NR * 4; i < tile_bytes; ++i) ASSERT_EQ(dst[t * tile_bytes + i], 0xA5);
      }
}

struct ColsProblem {
  size_t mr = 1, nr = 1, groups = 1;
  QOutputType type = QOutputType::kS32;
  int clamp = 0;   // 0 none, 1 tight bounds
  int fill = 0;    // 0 random, 1 extreme (u = 255, w = -128 / 127), 2 wrap-around bias
  bool guard_after = true;
  unsigned seed = 1;
};

// One call on `p`: every stored element against the exact epilogue of the
// exact sum, and nothing else written.
void run_cols(const QGemmColsKernel& k, const QKernelTable* table, const ColsProblem& p) {
  const size_t MR = k.mr, NR = k.nr;
  std::mt19937 gen(p.seed);
  std::vector<int8_t> a(p.groups * MR * 4);
  std::vector<uint8_t> b(p.groups * NR * 4);
  for (auto& w : a) w = p.fill == 1 ? (gen() % 2 ? 127 : -128) : static_cast<int8_t>(gen());
  for (auto& u : b) u = p.fill == 1 ? 255 : static_cast<uint8_t>(gen());
  std::vector<int32_t> bias(p.mr);
  std::vector<float> scale(p.mr);
  for (size_t i = 0; i < p.mr; ++i) {
    bias[i] = p.fill == 2 ? INT32_MAX - static_cast<int32_t>(gen() % 1000) : static_cast<int32_t>(gen() % 20001) - 10000;
    scale[i] = std::ldexp(1.0f + static_cast<float>(gen() % 1000) / 1000.0f, -14 - static_cast<int>(gen() % 4));
  }
  QEpilogue e;
  e.type = p.type;
  e.bias = bias.data();
  e.scale = scale.data();
  if (p.clamp) {
    e.s32_min = -50000, e.s32_max = 70000;
    e.f32_min = -1.5f, e.f32_max = 2.25f;
  } else {
    e.f32_min = -std::numeric_limits<float>::infinity(), e.f32_max = std::numeric_limits<float>::infinity();
  }
  if (p.type == QOutputType::kU8) e.out_zp = 100, e.q_min = p.clamp ? 100 : 0, e.q_max = p.clamp ? 200 : 255;
  if (p.type == QOutputType::kS8) e.out_zp = -3, e.q_min = p.clamp ? -3 : -128, e.q_max = p.clamp ? 90 : 127;
  const size_t es = element_size(p.type), ldc = p.nr + 5;
  GuardedKernelBytes c(((p.mr - 1) * ldc + p.nr) * es, p.guard_after);
  std::memset(c.data(), 0x5A, c.size());
  QGemmColsArgs args;
  args.a = a.data();
  args.b = b.data();
  args.b_group_stride = NR * 4;
  args.groups = p.groups;
  args.mr = p.mr;
  args.nr = p.nr;
  args.c = c.data();
  args.ldc = ldc;
  args.epi = e;
  k.fn(args);
  for (size_t i = 0; i < p.mr; ++i)
    for (size_t j = 0; j < ldc && i * ldc + j < (p.mr - 1) * ldc + p.nr; ++j) {
      const size_t index = i * ldc + j;
      if (j >= p.nr) {  // between rows: untouched
        for (size_t x = 0; x < es; ++x) ASSERT_EQ(c.data()[index * es + x], 0x5A) << i << " " << j;
        continue;
      }
      uint32_t acc = static_cast<uint32_t>(bias[i]);
      for (size_t g = 0; g < p.groups; ++g)
        for (size_t q = 0; q < 4; ++q)
          acc += static_cast<uint32_t>(static_cast<int32_t>(b[(g * NR + j) * 4 + q]) * a[(g * MR + i) * 4 + q]);
      const int32_t acc32 = static_cast<int32_t>(acc);
      const int64_t got = stored(p.type, c.data(), index);
      const bool bytes = p.type == QOutputType::kU8 || p.type == QOutputType::kS8;
      const int64_t want = epilogue(e, acc32, i, FE_TONEAREST, bytes && float_step_epilogue(table));
      ASSERT_EQ(got, want) << "row " << i << " pixel " << j << " acc " << acc32;
    }
}

TEST_P(QGemmColsTest, EveryTailEveryOutputType) {
  const QGemmColsKernel& k = kernel();
  unsigned seed = 1;
  for (size_t mr = 1; mr <= k.mr; ++mr)
    for (size_t nr = 1; nr <= k.nr; ++nr)
      for (QOutputType type : {QOutputType::kS32, QOutputType::kF32, QOutputType::kU8, QOutputType::kS8}) {
        SCOPED_TRACE("mr " + std::to_string(mr) + " nr " + std::to_string(nr) + " type " +
                     std::to_string(static_cast<int>(type)));
        ColsProblem p;
        p.mr = mr, p.nr = nr, p.type = type, p.groups = 1 + seed % 5, p.clamp = seed % 2;
        p.guard_after = seed % 3 != 0, p.seed = ++seed;
        run_cols(k, GetParam().table, p);
        if (HasFatalFailure()) return;
      }
}

// u = 255 against w = -128 / 127 over 5 groups, and int32 wrap-around.
TEST_P(QGemmColsTest, ExtremeOperandsAndWrapAround) {
  const QGemmColsKernel& k = kernel();
  unsigned seed = 500;
  for (int fill : {1, 2})
    for (QOutputType type : {QOutputType::kS32, QOutputType::kF32, QOutputType::kU8, QOutputType::kS8})
      for (size_t mr : {size_t{1}, k.mr})
        for (size_t nr : {size_t{1}, k.nr - 1, k.nr}) {
          ColsProblem p;
          p.mr = mr, p.nr = nr, p.type = type, p.groups = 5, p.fill = fill, p.seed = ++seed;
          run_cols(k, GetParam().table, p);
          if (HasFatalFailure()) return;
        }
}

std::vector<ColsCase> cases() {
  std::vector<ColsCase> out;
  for (const QKernelTable* t : tables_with_cols()) out.push_back({t});
  return out;
}

GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(QGemmColsTest);
INSTANTIATE_TEST_SUITE_P(QGemmCols, QGemmColsTest, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<ColsCase>& info) {
                           return std::string(info.param.table->gemm_cols_ncx.name);
                         });

}  // namespace
