// The K-stationary microkernel (kernels/gemm_small_k.hpp) alone, every entry
// of every ISA this CPU runs (one test each, named after it:
// GemmRowsSmallK/GemmRowptrSmallK.EveryKRowsAndColumnTails/
// f32_gemm_rowptr_small_k_2x64__avx512), whether or not the planner prefers
// it there: every K it
// has, row counts around its row pairs, column counts across several packed
// panels with every vector tail, bias and clamping, against a double loop;
// nothing outside the mr x nr block of C may change.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "algorithms/pointwise_stream.h"
#include "plan/isa_select.h"
#include "kernels/kernel_table.h"
#include "tests/support/guarded_buffer.h"
#include "tests/support/kernel_tables.h"

namespace {

using namespace ndconv::kernels;

using ndconv::test::kernel_cases;
using ndconv::test::KernelCase;
using ndconv::test::KernelCaseName;
using ndconv::test::random_tensor;
using ndconv::test::Guard;
using ndconv::test::GuardedBuffer;

class GemmRowptrSmallK : public ::testing::TestWithParam<KernelCase<GemmRowsSmallK>> {};

TEST_P(GemmRowptrSmallK, EveryKRowsAndColumnTails) {
  const KernelTable* t = GetParam().table;
  const GemmRowsSmallK& uk = GetParam().kernel;
  const ndconv_isa isa = t->isa;
  const size_t NR = t->gemm_rowptr_main.nr, W = t->vector_floats;
  EXPECT_EQ(uk.fn[0], nullptr);
  for (size_t K = 1; K <= kMaxSmallK; ++K) {
    const GemmRowsFn fn = uk.fn[K];
    ASSERT_NE(fn, nullptr) << ndconv_isa_name(isa) << " K " << K;
    const size_t nrs[] = {1, W - 1 ? W - 1 : 1, W, W + 1, NR - 1, NR, NR + 1, 2 * NR + W / 2 + 1,
                          4 * NR, 5 * NR - 1, 9 * NR + 3};
    for (size_t mr : {1, 2, 3, 4, 5, 7, 16}) {
      for (size_t nr : nrs) {
        for (int variant = 0; variant < 3; ++variant) {
          const bool bias_on = variant != 1, clamp = variant != 0;
          const size_t panels = (nr + NR - 1) / NR;
          const size_t stride = (K + 1) * NR + 7;  // bias row, K rows, slack
          // Packed weights: zero past the real columns of the last panel.
          std::vector<float> packed = random_tensor(panels * stride, unsigned(K * 31 + nr));
          for (size_t p = 0; p < panels; ++p)
            for (size_t r = 0; r <= K; ++r)
              for (size_t j = 0; j < NR; ++j)
                if (p * NR + j >= nr) packed[p * stride + r * NR + j] = 0.0f;
          const size_t lda = K + 5;
          std::vector<float> a_data = random_tensor(mr * lda, unsigned(mr * 7 + K));
          std::vector<const float*> a(mr);
          for (size_t i = 0; i < mr; ++i) a[i] = a_data.data() + i * lda;
          const size_t ldc = nr + 9, rows_c = mr + 2;
          std::vector<float> c = random_tensor(rows_c * ldc, 99);
          const std::vector<float> c0 = c;

          GemmRowsArgs args;
          args.a = a.data();
          args.a_k_offset = 2;
          args.kc = K;
          args.b = packed.data() + NR;
          args.bias = bias_on ? packed.data() : nullptr;
          args.mr = mr;
          args.nr = nr;
          args.panel_stride = stride;
          args.out.c = c.data();
          args.out.ldc = ldc;
          args.out.clamp = clamp;
          args.out.lo = -0.3f;
          args.out.hi = 0.4f;
          fn(args);

          for (size_t i = 0; i < rows_c; ++i)
            for (size_t j = 0; j < ldc; ++j) {
              const float got = c[i * ldc + j];
              if (i >= mr || j >= nr) {
                ASSERT_EQ(got, c0[i * ldc + j]) << ndconv_isa_name(isa) << " wrote outside: K " << K
                                                << " mr " << mr << " nr " << nr << " at " << i << ',' << j;
                continue;
              }
              const size_t p = j / NR, jj = j % NR;
              double want = bias_on ? packed[p * stride + jj] : 0.0;
              for (size_t k = 0; k < K; ++k)
                want += double(a[i][2 + k]) * packed[p * stride + (1 + k) * NR + jj];
              if (clamp) want = want < -0.3 ? -0.3 : want > 0.4 ? 0.4 : want;
              ASSERT_NEAR(got, want, 1e-6 * (K + 4)) << ndconv_isa_name(isa) << " K " << K << " mr " << mr
                                                      << " nr " << nr << " at " << i << ',' << j;
            }
        }
      }
    }
  }
}

// The stream form (kernels/pointwise_stream.hpp), where the ISA has it: every
// K and N <= one vector whose tables fit two input vectors, 1 to 3 blocks,
// with and without bias and clamping, input and output against guard pages
// on either side, against a double loop over the unpermuted weights.
TEST_P(GemmRowptrSmallK, StreamEveryKAndN) {
  const KernelTable* t = GetParam().table;
  const GemmRowsSmallK& uk = GetParam().kernel;
  const ndconv_isa isa = t->isa;
  const size_t W = t->vector_floats;
  if (!uk.stream) {
    EXPECT_NE(isa, NDCONV_ISA_AVX512);
    return;
  }
  // The pointwise heads the path is for: 3 -> 5 and 1 -> 1 fit, 11 -> 1 not.
  EXPECT_TRUE(ndconv::dispatch::PointwiseStreamTables::fits(W, 3, 5));
  EXPECT_TRUE(ndconv::dispatch::PointwiseStreamTables::fits(W, 1, 1));
  EXPECT_FALSE(ndconv::dispatch::PointwiseStreamTables::fits(W, 11, 1));
  size_t tested = 0;
  for (size_t K = 1; K <= kMaxSmallK; ++K)
    for (size_t N = 1; N <= W; ++N) {
      if (!ndconv::dispatch::PointwiseStreamTables::fits(W, K, N)) continue;
      ++tested;
      const size_t ldw = N + 3;
      const std::vector<float> w = random_tensor(K * ldw, unsigned(K * 17 + N));
      const std::vector<float> bias = random_tensor(N, unsigned(N));
      for (size_t blocks = 1; blocks <= 3; ++blocks)
        for (int variant = 0; variant < 3; ++variant) {
          const bool bias_on = variant != 1, clamp = variant != 0;
          ndconv::dispatch::PointwiseStreamTables tables;
          ASSERT_TRUE(tables.build(W, K, N, w.data(), ldw, bias_on ? bias.data() : nullptr));
          const Guard guard = (K + N + blocks) % 2 ? Guard::kBefore : Guard::kAfter;
          GuardedBuffer in(blocks * W * K, guard), out(blocks * W * N, guard);
          const std::vector<float> x = random_tensor(in.size(), unsigned(K + 5 * N + blocks));
          in.copy_from(x.data());
          PointwiseStreamArgs args;
          tables.fill(&args);
          args.in = in.data();
          args.out = out.data();
          args.blocks = blocks;
          args.clamp = clamp;
          args.lo = -0.3f;
          args.hi = 0.4f;
          uk.stream(args);
          for (size_t p = 0; p < blocks * W; ++p)
            for (size_t n = 0; n < N; ++n) {
              double want = bias_on ? bias[n] : 0.0;
              for (size_t k = 0; k < K; ++k) want += double(x[p * K + k]) * w[k * ldw + n];
              if (clamp) want = want < -0.3 ? -0.3 : want > 0.4 ? 0.4 : want;
              ASSERT_NEAR(out[p * N + n], want, 1e-6 * (K + 4))
                  << ndconv_isa_name(isa) << " K " << K << " N " << N << " blocks " << blocks << " pixel " << p;
            }
        }
    }
  EXPECT_GT(tested, kMaxSmallK * 2) << ndconv_isa_name(isa);
}

INSTANTIATE_TEST_SUITE_P(GemmRowsSmallK, GemmRowptrSmallK,
                         ::testing::ValuesIn(kernel_cases(&KernelEntries::gemm_rowptr_small_k_tiles)),
                         KernelCaseName());

}  // namespace
