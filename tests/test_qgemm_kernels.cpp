// The int8 GEMM microkernels alone (kernels/qgemm_args.h, qkernel_table.h):
// every (ISA level, dot-product variant) table this CPU runs, one test per
// table named after its kernel (QGemmRows/QGemmRowsTest.AllTails/
// qs8_gemm_rowptr_8x32c4__avx512vnni). Against an exact integer computation
// here: every mr <= MR and nr <= NR, kc from 1 past 2 * KR + 1 (not multiples
// of KR), taps 1..3, U8 and S8 input (a_xor), every output type and clamp,
// the extreme operands that saturate vpmaddubsw, int32 wrap-around, and U8/S8
// rounding against the exact product acc * scale under every rounding mode
// (near-ties with |acc| > 2^24). A rows and C sit against guard pages.
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cfenv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "kernels/qkernel_instances.h"
#include "kernels/qkernel_table.h"
#include "plan/cpu_features.h"
#include "tests/support/qkernel_check.h"

namespace {

using namespace ndconv::kernels;
using namespace ndconv::test;

// One tile of one table: the table's own and the candidates it was chosen
// from (kernels/qkernel_instances.h), all held to the same contract.
struct TileCase {
  const QKernelTable* table;
  QGemmRowsKernel kernel;
};
std::ostream& operator<<(std::ostream& os, const TileCase& c) { return os << c.kernel.name; }

std::vector<TileCase> runnable_tiles() {
  std::vector<TileCase> cases;
  for (const QKernelTable* t : runnable_tables())
    for (const QGemmRowsKernel& k : qkernel_tiles(t)) cases.push_back({t, k});
  return cases;
}

// One call's operands, as the caller of a kernel holds them.
struct Problem {
  size_t mr = 1, nr = 1, kc = 1, taps = 1;
  uint8_t a_xor = 0;
  QEpilogue epi;
  // 0: random; 1: extreme (u = 255 or 0, w = -128 or 127, or for a table
  // of weight_limit 64 pairs of the same sign +-64, the most a vpmaddubsw
  // pair can hold); 2: small; 3: w = 0 (acc = bias exactly). Weights stay
  // within the table's weight_limit (its precondition, checked by the plan).
  int fill = 0;
  unsigned seed = 1;
  bool guard_after = true;
  int mode = FE_TONEAREST;  // the caller's rounding mode during the call
};

class QGemmRowsTest : public ::testing::TestWithParam<TileCase> {
 protected:
  void run(const Problem& p);
  QEpilogue epilogue_of(QOutputType type, int clamp, std::vector<int32_t>* bias,
                        std::vector<float>* scale, unsigned seed);
};

// Calls the kernel on `p` and checks every element of C (and that nothing
// outside the tile changed) against the exact integer sum.
void QGemmRowsTest::run(const Problem& p) {
  const QGemmRowsKernel& k = GetParam().kernel;
  const size_t MR = k.mr, NR = k.nr, KR = k.kr, groups = (p.kc + KR - 1) / KR;
  std::mt19937 gen(p.seed);
  // Raw input bytes x; the kernel reads u = x ^ a_xor.
  std::vector<std::unique_ptr<GuardedKernelBytes>> rows;
  std::vector<const uint8_t*> a(p.taps * MR);
  for (size_t t = 0; t < p.taps; ++t)
    for (size_t i = 0; i < p.mr; ++i) {
      rows.emplace_back(new GuardedKernelBytes(p.kc, true));
      for (size_t kk = 0; kk < p.kc; ++kk) {
        const uint8_t u = p.fill == 1   ? ((kk + i + t) % 3 ? 255 : 0)
                          : p.fill == 2 ? static_cast<uint8_t>(gen() % 4)
                                        : static_cast<uint8_t>(gen());
        rows.back()->data()[kk] = u ^ p.a_xor;
      }
    }
  for (size_t t = 0; t < p.taps; ++t)
    for (size_t i = 0; i < MR; ++i) a[t * MR + i] = rows[t * p.mr + (i < p.mr ? i : p.mr - 1)]->data();
  // Weights w[t][k][j] packed [taps][groups][NR][KR], zero past kc and nr.
  std::vector<int8_t> b(p.taps * groups * NR * KR, 0);
  std::vector<int8_t> w(p.taps * p.kc * p.nr);
  const int limit = GetParam().table->weight_limit;
  const int w_lo = std::max(-128, -limit), w_hi = std::min(127, limit);
  for (size_t t = 0; t < p.taps; ++t)
    for (size_t kk = 0; kk < p.kc; ++kk)
      for (size_t j = 0; j < p.nr; ++j) {
        const bool pairs = limit < kWeightLimitAny;  // a pair of bytes k, k+1 shares its sign
        const int8_t v = p.fill == 1   ? static_cast<int8_t>(((pairs ? kk / 2 : kk) + j) % 2 ? w_hi : w_lo)
                         : p.fill == 2 ? static_cast<int8_t>(gen() % 7 - 3)
                         : p.fill == 3 ? int8_t{0}
                                       : static_cast<int8_t>(w_lo + static_cast<int>(gen() % unsigned(w_hi - w_lo + 1)));
        w[(t * p.kc + kk) * p.nr + j] = v;
        b[((t * groups + kk / KR) * NR + j) * KR + kk % KR] = v;
      }
  const size_t es = element_size(p.epi.type), ldc = p.nr + 3;
  GuardedKernelBytes c(((p.mr - 1) * ldc + p.nr) * es, p.guard_after);
  std::memset(c.data(), 0xA5, c.size());
  QGemmRowsArgs args;
  args.a = a.data();
  args.taps = p.taps;
  args.kc = p.kc;
  args.a_xor = p.a_xor;
  args.b = b.data();
  args.mr = p.mr;
  args.nr = p.nr;
  args.c = c.data();
  args.ldc = ldc;
  args.epi = p.epi;
  const int saved = std::fegetround();
  std::fesetround(p.mode);
  call_rows_kernel(k, k.fn, args);
  std::fesetround(saved);
  for (size_t i = 0; i < p.mr; ++i)
    for (size_t j = 0; j < ldc && (i + 1 < p.mr || j < p.nr); ++j) {
      if (j >= p.nr) {
        for (size_t byte = 0; byte < es; ++byte)
          ASSERT_EQ(c.data()[(i * ldc + j) * es + byte], 0xA5) << "wrote outside the tile, i=" << i;
        continue;
      }
      uint32_t acc = static_cast<uint32_t>(p.epi.bias[j]);  // modular, as the contract
      for (size_t t = 0; t < p.taps; ++t)
        for (size_t kk = 0; kk < p.kc; ++kk)
          acc += uint32_t(a[t * MR + i][kk] ^ p.a_xor) * uint32_t(int32_t(w[(t * p.kc + kk) * p.nr + j]));
      int32_t acc32;
      std::memcpy(&acc32, &acc, 4);
      const int64_t got = stored(p.epi.type, c.data(), i * ldc + j);
      // U8/S8: the x86 tables' float-first form, the others' exact rounding,
      // in every mode (never the mode's).
      const bool bytes = p.epi.type == QOutputType::kU8 || p.epi.type == QOutputType::kS8;
      int64_t want = epilogue(p.epi, acc32, j, FE_TONEAREST, bytes && float_step_epilogue(GetParam().table));
      // F32: where the float steps follow the caller's mode (AVX2, NEON,
      // scalar), the mode's product is the other allowed value.
      if (got != want && p.epi.type == QOutputType::kF32 && p.mode != FE_TONEAREST)
        want = epilogue(p.epi, acc32, j, p.mode);
      ASSERT_EQ(got, want) << "acc=" << acc32 << " scale=" << (p.epi.scale ? p.epi.scale[j] : 0.0f)
                           << " i=" << i << " j=" << j << " mr=" << p.mr
                           << " nr=" << p.nr << " kc=" << p.kc << " taps=" << p.taps
                           << " xor=" << int(p.a_xor) << " type=" << int(p.epi.type) << " mode=" << p.mode;
    }
}

// An epilogue of `type` with clamp variant `clamp` (0: none, 1: ReLU-like
// lower bound, 2: both bounds inside the range); scales include 0.5 and
// 0.25 (exact ties) and odd values.
QEpilogue QGemmRowsTest::epilogue_of(QOutputType type, int clamp, std::vector<int32_t>* bias,
                                     std::vector<float>* scale, unsigned seed) {
  const size_t NR = GetParam().kernel.nr;
  std::mt19937 gen(seed);
  bias->resize(NR);
  scale->resize(NR);
  for (size_t j = 0; j < NR; ++j) {
    (*bias)[j] = static_cast<int32_t>(gen() % 20001) - 10000;
    const float scales[] = {0.5f, 0.25f, 0.0123f, 1.0f / 3, 0.0007f, 2.0f};
    (*scale)[j] = scales[(j + seed) % 6];
  }
  QEpilogue e;
  e.type = type;
  e.bias = bias->data();
  e.scale = scale->data();
  const float inf = std::numeric_limits<float>::infinity();
  if (type == QOutputType::kS32) {
    e.s32_min = clamp ? (clamp == 1 ? 0 : -50000) : INT32_MIN;
    e.s32_max = clamp == 2 ? 70000 : INT32_MAX;
  } else if (type == QOutputType::kF32) {
    e.f32_min = clamp ? (clamp == 1 ? 0.0f : -300.0f) : -inf;
    e.f32_max = clamp == 2 ? 400.0f : inf;
  } else {
    const bool u8 = type == QOutputType::kU8;
    e.out_zp = u8 ? 100 : -7;
    e.q_min = u8 ? (clamp ? e.out_zp : 0) : (clamp ? e.out_zp : -128);
    e.q_max = clamp == 2 ? (u8 ? 230 : 90) : (u8 ? 255 : 127);
  }
  return e;
}

const QOutputType kTypes[] = {QOutputType::kS32, QOutputType::kF32, QOutputType::kU8, QOutputType::kS8};

TEST_P(QGemmRowsTest, NameStatesTheTile) {
  const QGemmRowsKernel& k = GetParam().kernel;
  ASSERT_NE(k.fn, nullptr);
  const std::string want = "qs8_gemm_rowptr_" + std::to_string(k.mr) + "x" + std::to_string(k.nr) +
                           "c" + std::to_string(k.kr) + "__";
  EXPECT_EQ(std::string(k.name).substr(0, want.size()), want);
  EXPECT_GT(std::string(k.name).size(), want.size());
}

TEST_P(QGemmRowsTest, AllTails) {
  const QGemmRowsKernel& k = GetParam().kernel;
  std::vector<int32_t> bias;
  std::vector<float> scale;
  for (size_t mr = 1; mr <= k.mr; ++mr)
    for (size_t nr = 1; nr <= k.nr; ++nr)
      for (size_t kc : {size_t{1}, 2 * k.kr + 1}) {
        Problem p;
        p.mr = mr;
        p.nr = nr;
        p.kc = kc;
        p.taps = 1 + (mr + nr) % 3;
        p.a_xor = (mr + nr + kc) % 2 ? 0x80 : 0;
        p.seed = static_cast<unsigned>(mr * 1000 + nr * 10 + kc);
        p.guard_after = (mr + nr) % 2;
        p.epi = epilogue_of(kTypes[(mr + nr) % 4], (mr * nr) % 3, &bias, &scale, p.seed);
        ASSERT_NO_FATAL_FAILURE(run(p));
      }
}

// step_fn (evenly spaced rows: one pointer per tap and a step) writes what
// fn writes for the same rows, for every mr (rows past mr must not be read:
// the last tap's row mr - 1 ends at a guard page), both input types, S32
// (the raw sums) and U8; kc 128 spans two of the AMX tile's K blocks.
TEST_P(QGemmRowsTest, StepRowsMatchThePointers) {  // and listed taps among them
  const QGemmRowsKernel& k = GetParam().kernel;
  if (k.step_fn == nullptr) GTEST_SKIP() << k.name << " has no step entry";
  std::vector<int32_t> bias;
  std::vector<float> scale;
  std::mt19937 gen(7);
  for (size_t mr = 1; mr <= k.mr; ++mr)
    for (size_t kc : {size_t{1}, 2 * k.kr + 1, size_t{64}, size_t{128}}) {
      const size_t taps = 1 + mr % 3, step = kc + mr % 5, groups = (kc + k.kr - 1) / k.kr;
      const size_t tap_bytes = (mr - 1) * step + kc;
      GuardedKernelBytes in(taps * tap_bytes, true);
      for (size_t i = 0; i < in.size(); ++i) in.data()[i] = static_cast<uint8_t>(gen());
      std::vector<const uint8_t*> rows(taps * k.mr), bases(taps);
      for (size_t t = 0; t < taps; ++t) {
        bases[t] = in.data() + t * tap_bytes;
        for (size_t i = 0; i < k.mr; ++i) rows[t * k.mr + i] = bases[t] + (i < mr ? i : mr - 1) * step;
      }
      std::vector<int8_t> b(taps * groups * k.nr * k.kr);
      for (int8_t& w : b) w = static_cast<int8_t>(gen());
      for (QOutputType type : {QOutputType::kS32, QOutputType::kU8}) {
        QGemmRowsArgs args;
        args.taps = taps;
        args.kc = kc;
        args.a_xor = mr % 2 ? 0x80 : 0;
        args.b = b.data();
        args.mr = mr;
        args.nr = k.nr;
        args.ldc = k.nr;
        args.epi = epilogue_of(type, static_cast<int>(mr % 3), &bias, &scale, static_cast<unsigned>(mr));
        std::vector<uint8_t> want(mr * k.nr * 4, 0x5A), got(want);
        args.a = rows.data();
        args.c = want.data();
        call_rows_kernel(k, k.fn, args);
        args.a = bases.data();
        args.a_step = static_cast<ptrdiff_t>(step);
        args.c = got.data();
        call_rows_kernel(k, k.step_fn, args);
        ASSERT_EQ(got, want) << "mr=" << mr << " kc=" << kc << " type=" << int(type);
        // Listed taps (QGemmRowsArgs::listed_taps): their rows from the
        // list, here in reverse order, the other taps still evenly spaced.
        std::vector<const uint8_t*> listed_rows(rows);
        uint64_t listed = 0;
        for (size_t t = (mr + kc) % 2; t < taps; t += 2) {
          listed |= uint64_t{1} << t;
          for (size_t i = 0; i < k.mr; ++i) listed_rows[t * k.mr + i] = bases[t] + (mr - 1 - (i < mr ? i : mr - 1)) * step;
        }
        std::vector<uint8_t> want_listed(want.size(), 0x5A), got_listed(want_listed);
        args.a = listed_rows.data();
        args.a_step = 0;
        args.c = want_listed.data();
        call_rows_kernel(k, k.fn, args);
        args.a = bases.data();
        args.a_step = static_cast<ptrdiff_t>(step);
        args.listed_taps = listed;
        args.lists = listed_rows.data();
        args.c = got_listed.data();
        call_rows_kernel(k, k.step_fn, args);
        args.listed_taps = 0;
        ASSERT_EQ(got_listed, want_listed) << "listed, mr=" << mr << " kc=" << kc << " type=" << int(type);
      }
    }
}

TEST_P(QGemmRowsTest, EveryKEveryTapsBothInputTypes) {
  const QGemmRowsKernel& k = GetParam().kernel;
  std::vector<int32_t> bias;
  std::vector<float> scale;
  for (size_t kc = 1; kc <= 3 * k.kr + 2; ++kc)
    for (size_t taps = 1; taps <= 3; ++taps)
      for (uint8_t a_xor : {0x00, 0x80})
        for (size_t tail : {0, 1}) {
          Problem p;
          p.mr = tail ? (k.mr + 1) / 2 : k.mr;
          p.nr = tail ? k.nr - 1 + (k.nr == 1) : k.nr;
          p.kc = kc;
          p.taps = taps;
          p.a_xor = a_xor;
          p.seed = static_cast<unsigned>(kc * 100 + taps * 10 + a_xor);
          p.epi = epilogue_of(QOutputType::kS32, 0, &bias, &scale, p.seed);
          ASSERT_NO_FATAL_FAILURE(run(p));
        }
}

TEST_P(QGemmRowsTest, EveryOutputTypeAndClamp) {
  const QGemmRowsKernel& k = GetParam().kernel;
  std::vector<int32_t> bias;
  std::vector<float> scale;
  for (QOutputType type : kTypes)
    for (int clamp : {0, 1, 2})
      for (uint8_t a_xor : {0x00, 0x80})
        for (size_t nr : {k.nr, (k.nr + 1) / 2}) {
          Problem p;
          p.mr = k.mr;
          p.nr = nr;
          p.kc = 2 * k.kr + 3;
          p.taps = 2;
          p.a_xor = a_xor;
          p.seed = static_cast<unsigned>(int(type) * 50 + clamp * 7 + a_xor + nr);
          p.guard_after = clamp != 1;
          p.epi = epilogue_of(type, clamp, &bias, &scale, p.seed);
          ASSERT_NO_FATAL_FAILURE(run(p));
        }
}

// u = 0 and 255 against w = -128 and 127: every pair sum of u8 x s8 products
// leaves int16 (vpmaddubsw would saturate); a long K with three taps.
TEST_P(QGemmRowsTest, ExtremeOperandsAreExact) {
  const QGemmRowsKernel& k = GetParam().kernel;
  std::vector<int32_t> bias;
  std::vector<float> scale;
  for (uint8_t a_xor : {0x00, 0x80})
    for (size_t kc : {size_t{64} + 3, size_t{5}}) {
      Problem p;
      p.mr = k.mr;
      p.nr = k.nr;
      p.kc = kc;
      p.taps = 3;
      p.a_xor = a_xor;
      p.fill = 1;
      p.epi = epilogue_of(QOutputType::kS32, 0, &bias, &scale, 3);
      ASSERT_NO_FATAL_FAILURE(run(p));
    }
}

// K over several of the AMX tile's 64-byte blocks, whole and with a partial
// last one, taps whose groups straddle blocks, one and two 16-row halves
// (every tile takes them: for the register tiles only a longer K).
TEST_P(QGemmRowsTest, LongKAcrossBlocks) {
  const QGemmRowsKernel& k = GetParam().kernel;
  std::vector<int32_t> bias;
  std::vector<float> scale;
  for (size_t kc : {size_t{60}, size_t{64}, size_t{130}})
    for (size_t taps : {size_t{1}, size_t{3}})
      for (size_t mr : {k.mr, (k.mr + 1) / 2, (k.mr + 1) / 2 + 1, size_t{1}}) {
        if (mr > k.mr) continue;
        Problem p;
        p.mr = mr;
        p.nr = mr == 1 ? 1 : k.nr - mr % 2;
        p.kc = kc;
        p.taps = taps;
        p.a_xor = (kc + taps + mr) % 2 ? 0x80 : 0;
        p.seed = static_cast<unsigned>(kc * 10 + taps + mr * 1000);
        p.guard_after = mr % 2;
        p.epi = epilogue_of(kTypes[(kc + mr) % 4], 0, &bias, &scale, p.seed);
        ASSERT_NO_FATAL_FAILURE(run(p));
      }
}

// A packing tile (AMX) given a_packed reuses the rows an earlier call packed
// into the same scratch: a second panel's result (other weights, fewer
// columns) equals a call that packs afresh.
TEST_P(QGemmRowsTest, PackedRowsServeTheNextPanel) {
  const QGemmRowsKernel& k = GetParam().kernel;
  if (k.a_pack_rows == 0) GTEST_SKIP() << k.name << " reads its rows directly";
  std::mt19937 gen(11);
  for (size_t mr : {k.mr, size_t{5}})
    for (size_t kc : {size_t{7}, size_t{100}}) {
      const size_t taps = 2, groups = (kc + k.kr - 1) / k.kr;
      std::vector<uint8_t> in(taps * mr * kc);
      for (uint8_t& x : in) x = static_cast<uint8_t>(gen());
      std::vector<const uint8_t*> rows(taps * k.mr);
      for (size_t t = 0; t < taps; ++t)
        for (size_t i = 0; i < k.mr; ++i) rows[t * k.mr + i] = in.data() + (t * mr + (i < mr ? i : mr - 1)) * kc;
      std::vector<int8_t> b0(taps * groups * k.nr * k.kr), b1(b0.size());
      for (int8_t& w : b0) w = static_cast<int8_t>(gen());
      for (size_t i = 0; i < b1.size(); ++i) b1[i] = (i / k.kr) % k.nr < k.nr - 3 ? static_cast<int8_t>(gen()) : 0;
      std::vector<int32_t> bias(k.nr);
      for (int32_t& v : bias) v = static_cast<int32_t>(gen() % 1000);
      QGemmRowsArgs args;
      args.a = rows.data();
      args.taps = taps;
      args.kc = kc;
      args.a_xor = 0x80;
      args.mr = mr;
      args.nr = k.nr;
      args.ldc = k.nr;
      args.epi.bias = bias.data();
      std::vector<int32_t> first(mr * k.nr), reused(mr * k.nr, -1), fresh(mr * k.nr, -2);
      RowsKernelScratch scratch;
      args.b = b0.data();
      args.c = first.data();
      call_rows_kernel(k, k.fn, args, &scratch);
      args.b = b1.data();
      args.nr = k.nr - 3;
      args.c = reused.data();
      args.a_packed = true;
      call_rows_kernel(k, k.fn, args, &scratch);
      args.a_packed = false;
      args.c = fresh.data();
      call_rows_kernel(k, k.fn, args);
      for (size_t i = 0; i < mr; ++i)
        for (size_t j = k.nr - 3; j < k.nr; ++j) fresh[i * k.nr + j] = reused[i * k.nr + j];  // not stored
      EXPECT_EQ(reused, fresh) << "mr=" << mr << " kc=" << kc;
    }
}

// The accumulator wraps around int32 (modular arithmetic is the contract:
// the compensation in the bias cancels it exactly).
TEST_P(QGemmRowsTest, AccumulatorWrapsAround) {
  const QGemmRowsKernel& k = GetParam().kernel;
  std::vector<int32_t> bias;
  std::vector<float> scale;
  Problem p;
  p.mr = k.mr;
  p.nr = k.nr;
  p.kc = 4 * k.kr + 1;
  p.fill = 1;
  p.epi = epilogue_of(QOutputType::kS32, 0, &bias, &scale, 5);
  for (size_t j = 0; j < k.nr; ++j) bias[j] = j % 2 ? INT32_MAX - 1000 : INT32_MIN + 1000;
  ASSERT_NO_FATAL_FAILURE(run(p));
}

const int kDirectedModes[] = {FE_UPWARD, FE_DOWNWARD, FE_TOWARDZERO};

// The caller's rounding mode is directed: ties of small accumulators (scales
// 0.5, 0.25) still round half to even, other values to nearest.
TEST_P(QGemmRowsTest, RoundingIgnoresTheCallersMode) {
  const QGemmRowsKernel& k = GetParam().kernel;
  std::vector<int32_t> bias;
  std::vector<float> scale;
  for (int mode : kDirectedModes)
    for (QOutputType type : {QOutputType::kU8, QOutputType::kS8, QOutputType::kF32})
      for (size_t kc : {size_t{1}, size_t{7}}) {
        Problem p;
        p.mr = k.mr;
        p.nr = k.nr;
        p.kc = kc;
        p.mode = mode;
        p.fill = 2;
        p.seed = static_cast<unsigned>(kc + int(type));
        p.epi = epilogue_of(type, 0, &bias, &scale, p.seed);
        // Small accumulators, so the products land in range and on ties.
        for (size_t j = 0; j < k.nr; ++j) bias[j] = static_cast<int32_t>(j % 7) - 3;
        for (size_t j = 0; j < k.nr; ++j) scale[j] = j % 2 ? 0.5f : 1.0f / 1024;
        ASSERT_NO_FATAL_FAILURE(run(p));
      }
}

// acc * scale = h + d * 2^-E exactly, h a half-integer, |acc| > 2^24 (float(acc)
// is inexact for odd acc) and acc * scale needing more than 53 bits where
// d != 0: within an ulp of double of the tie, so a directed mode rounds the
// double product onto h or past it. Found offline by factoring
// h * 2^E + d = acc * M with M in [2^23, 2^24) (scale = M * 2^-E); the test
// below checks each entry's claim exactly.
struct NearTie {
  int32_t acc;
  float scale;
  int h2, d, e;  // acc * scale == h2 / 2 + d * 2^-e
};
const NearTie kNearTies[] = {
    {1088654913, 0x1.f8fc7ep-32f, 1, -1, 55},  {1073741824, 0x1p-31f, 1, 0, 54},
    {1125501409, 0x1.e87442p-32f, 1, 1, 55},   {617522882, 0x1.bd2142p-31f, 1, 2, 54},
    {2095061782, 0x1.899bbap-31f, 3, -2, 54},  {1047530891, 0x1.899bbap-30f, 3, -1, 53},
    {1073741824, 0x1.8p-30f, 3, 0, 53},        {1165700215, 0x1.61b51cp-30f, 3, 2, 53},
    {1775408947, 0x1.831014p-30f, 5, -2, 53},  {1354386949, 0x1.fb6266p-30f, 5, -1, 53},
    {1073741824, 0x1.4p-29f, 5, 0, 52},        {1427308767, 0x1.e1763ep-30f, 5, 1, 53},
    {954306042, 0x1.680caap-29f, 5, 2, 52},    {2130763469, 0x1.c383f6p-30f, 7, -1, 53},
    {1073741824, 0x1.cp-29f, 7, 0, 52},        {2068466053, 0x1.d11d34p-30f, 7, 2, 53},
    {1342177280, 0x1.cp-27f, 35, 0, 50},       {1891026643, 0x1.24fd4ap-25f, 129, -1, 48},
    {1442840576, 0x1.8p-25f, 129, 0, 48},      {1850458523, 0x1.d286dap-25f, 201, -1, 48},
    {1073741824, 0x1.92p-24f, 201, 0, 47},     {1436219855, 0x1.7a4b44p-24f, 253, -2, 47},
    {1073741824, 0x1.fap-24f, 253, 0, 47},     {2118527329, 0x1.007542p-24f, 253, 1, 47},
};

TEST(QGemmNearTies, DataLandsWhereItSays) {
  for (const NearTie& t : kNearTies) {
    const long double x = static_cast<long double>(t.acc) * t.scale;
    EXPECT_EQ(x, t.h2 / 2.0L + std::ldexp(static_cast<long double>(t.d), -t.e)) << t.acc;
    EXPECT_GT(t.acc, 1 << 24);
  }
}

// Every mode, U8 and S8, both signs: the output is rne of the exact product
// (x86: of its float product, rounded to nearest), never the mode's.
TEST_P(QGemmRowsTest, NearTiesRoundExactlyInEveryMode) {
  const QGemmRowsKernel& k = GetParam().kernel;
  const size_t count = sizeof kNearTies / sizeof kNearTies[0];
  std::vector<int32_t> bias;
  std::vector<float> scale;
  for (int mode : {FE_UPWARD, FE_DOWNWARD, FE_TOWARDZERO, FE_TONEAREST})
    for (QOutputType type : {QOutputType::kU8, QOutputType::kS8})
      for (int sign : {1, -1})
        for (size_t first = 0; first < count; first += k.nr) {
          Problem p;
          p.mr = k.mr;
          p.nr = k.nr;
          p.kc = 3;
          p.mode = mode;
          p.fill = 3;  // acc = bias
          p.epi = epilogue_of(type, 0, &bias, &scale, 1);
          // The whole range of the type around 0: no tie is clamped.
          p.epi.out_zp = type == QOutputType::kU8 ? 128 : 0;
          p.epi.q_min = type == QOutputType::kU8 ? 0 : -128;
          p.epi.q_max = type == QOutputType::kU8 ? 255 : 127;
          for (size_t j = 0; j < k.nr; ++j) {
            const NearTie& t = kNearTies[(first + j) % count];
            bias[j] = sign * t.acc;
            scale[j] = t.scale;
          }
          ASSERT_NO_FATAL_FAILURE(run(p));
        }
}

TEST(QKernelTable, DotProductVariantFollowsTheCpu) {
  const auto& f = ndconv::dispatch::cpu_features();
  ASSERT_NE(qkernel_table(NDCONV_ISA_SCALAR, true), nullptr);
  EXPECT_STREQ(qkernel_table(NDCONV_ISA_SCALAR, true)->variant, "scalar");
  EXPECT_EQ(qkernel_table(NDCONV_ISA_AUTO, false), nullptr);
  const struct {
    ndconv_isa isa;
    bool level, dot;
    const char *plain, *with_dot;
  } levels[] = {{NDCONV_ISA_AVX2, f.avx2_fma, f.avx_vnni, "avx2", "avx2-vnni"},
                {NDCONV_ISA_AVX512, f.avx512, f.avx512_vnni, "avx512", "avx512-vnni"},
                {NDCONV_ISA_NEON, f.neon, f.neon_dot, "neon", "neon-dot"}};
  for (const auto& l : levels) {
    const QKernelTable* plain = qkernel_table(l.isa, false);
    const QKernelTable* dot = qkernel_table(l.isa, true);
    if (!l.level) {
      EXPECT_EQ(plain, nullptr) << l.plain;
      EXPECT_EQ(dot, nullptr) << l.plain;
      continue;
    }
    if (plain == nullptr) continue;  // this build has no int8 kernels for the level
    EXPECT_STREQ(plain->variant, l.plain);
    ASSERT_NE(dot, nullptr);
    if (!l.dot) EXPECT_EQ(dot, plain) << l.plain << ": no dot product on this CPU";
    if (dot != plain) EXPECT_STREQ(dot->variant, l.with_dot);
  }
}

// The widening tables of x86 levels have vpmaddubsw siblings (weights in
// [-64, 64]); nothing else does, and a sibling has none of its own.
TEST(QKernelTable, PairsTablesSitBesideTheWideningOnes) {
  for (ndconv_isa isa : {NDCONV_ISA_SCALAR, NDCONV_ISA_AVX2, NDCONV_ISA_AVX512, NDCONV_ISA_NEON}) {
    const QKernelTable* plain = qkernel_table(isa, false);
    if (plain == nullptr) continue;
    const QKernelTable* pairs = qkernel_pairs_table(plain);
    const std::string variant = plain->variant;
    if (variant == "avx2" || variant == "avx512") {
      ASSERT_NE(pairs, nullptr) << variant;
      EXPECT_EQ(std::string(pairs->variant), variant + "-maddubsw");
      EXPECT_EQ(pairs->weight_limit, kWeightLimitPairs);
      EXPECT_EQ(pairs->gemm_rows.kr, plain->gemm_rows.kr);
      EXPECT_EQ(qkernel_pairs_table(pairs), nullptr);
    } else {
      EXPECT_EQ(pairs, nullptr) << variant;
    }
    EXPECT_EQ(plain->weight_limit, kWeightLimitAny);
    const QKernelTable* dot = qkernel_table(isa, true);
    if (dot != plain) EXPECT_EQ(qkernel_pairs_table(dot), nullptr) << dot->variant;
  }
}

// Every runnable table's kernel is one of its instance's tiles (which the
// tests above cover), and its name ends in the instance's ISA.
TEST(QKernelTable, TableKernelIsAmongItsTiles) {
  for (const QKernelTable* t : runnable_tables()) {
    bool found = false;
    for (const QGemmRowsKernel& k : qkernel_tiles(t)) found = found || k.fn == t->gemm_rows.fn;
    EXPECT_TRUE(found) << t->gemm_rows.name;
  }
}

std::string tile_name(const ::testing::TestParamInfo<TileCase>& info) { return info.param.kernel.name; }

INSTANTIATE_TEST_SUITE_P(QGemmRows, QGemmRowsTest, ::testing::ValuesIn(runnable_tiles()), tile_name);

}  // namespace
