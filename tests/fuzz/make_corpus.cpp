// Writes the fuzz targets' seed corpus: valid descriptors that reach every
// algorithm (pointwise, depthwise, n-gram, indirect/im2col, grouped, the
// reference) under each ISA slot and run option, and invalid ones on every
// rule of API.md's Semantics (ranks, enums, signs, divisibility, NaN clamps,
// output extents, int64 overflow of each size). Deterministic: regenerate with
//   build/fuzz/tests/fuzz/ndconv_make_corpus tests/fuzz/corpus
// (scripts/test.sh --fuzz checks the committed files are what this writes).
#include <cstdio>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "ndconv/ndconv.h"
#include "tests/fuzz/fuzz_descs.h"

namespace {

using namespace ndconv::fuzz;

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

int written = 0;

bool write_file(const std::string& path, const std::vector<uint8_t>& bytes) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) {
    std::perror(path.c_str());
    return false;
  }
  const bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  return std::fclose(f) == 0 && ok;
}

template <class E>
void set_enum(E* field, int32_t v) { std::memcpy(field, &v, sizeof v); }

struct ConvSeed {
  const char* name;
  Control control;
  ndconv_conv_desc desc;
};

ndconv_conv_desc conv(int rank, int64_t cin, int64_t cout, std::initializer_list<int64_t> in,
                      std::initializer_list<int64_t> kernel) {
  ndconv_conv_desc d;
  std::memset(&d, 0, sizeof d);
  d.rank = rank;
  d.batch = 1;
  d.in_channels = cin;
  d.out_channels = cout;
  int i = 0;
  for (int64_t v : in) d.in_size[i++] = v;
  i = 0;
  for (int64_t v : kernel) d.kernel[i++] = v;
  return d;
}

Control control(unsigned isa, bool bias, bool specials = false, bool pool = false) {
  Control c;
  c.isa_index = isa;
  c.with_bias = bias;
  c.specials = specials;
  c.pool = pool;
  return c;
}

std::vector<ConvSeed> conv_seeds() {
  std::vector<ConvSeed> s;
  auto add = [&](const char* name, Control c, ndconv_conv_desc d) { s.push_back({name, c, d}); };
  ndconv_conv_desc d;

  // Valid, one per algorithm and layout.
  d = conv(2, 19, 21, {5, 7}, {1, 1});
  add("valid_pointwise_ncx", control(0, true), d);
  d.layout = NDCONV_NXC; d.weight_layout = NDCONV_XIO; d.stride[0] = 2; d.stride[1] = 3;
  add("valid_pointwise_nxc_strided", control(1, false, false, true), d);
  d = conv(2, 13, 13, {9, 8}, {3, 3});
  d.groups = 13; d.padding = NDCONV_PAD_SAME_UPPER; d.stride[0] = d.stride[1] = 2;
  add("valid_depthwise_ncx_same_s2", control(2, true), d);
  d.layout = NDCONV_NXC; d.activation = NDCONV_ACT_RELU;
  add("valid_depthwise_nxc_relu", control(1, true, true), d);
  d = conv(2, 1, 10, {11, 17}, {3, 17});
  d.layout = NDCONV_NXC; d.activation = NDCONV_ACT_RELU;
  add("valid_ngram_conv2d_keras", control(1, true), d);
  d = conv(1, 17, 10, {11}, {4});
  d.padding = NDCONV_PAD_SAME_LOWER; d.activation = NDCONV_ACT_CLAMP; d.act_min = -0.5f; d.act_max = 0.75f;
  add("valid_ngram_conv1d_ncx_same_clamp", control(2, true, true), d);
  d.layout = NDCONV_NXC;
  add("valid_ngram_conv1d_nxc_same", control(0, false, false, true), d);
  d = conv(2, 8, 12, {10, 9}, {3, 3});
  d.layout = NDCONV_NXC; d.padding = NDCONV_PAD_SAME_UPPER;
  add("valid_indirect_nxc_3x3_same", control(1, true, true, true), d);
  d.layout = NDCONV_NCX; d.dilation[0] = 2; d.padding = NDCONV_PAD_EXPLICIT; d.pad_begin[0] = 2; d.pad_end[1] = 1;
  add("valid_im2col_ncx_dilated_explicit", control(2, true), d);
  d = conv(2, 8, 8, {7, 7}, {3, 3});
  d.layout = NDCONV_NXC; d.groups = 4; d.padding = NDCONV_PAD_SAME_UPPER;
  add("valid_grouped_nxc_c2", control(1, true), d);
  d.groups = 2;
  add("valid_grouped_nxc_c4", control(2, false, true), d);
  d.layout = NDCONV_NCX; d.groups = 2; d.activation = NDCONV_ACT_RELU;
  add("valid_grouped_ncx", control(0, true), d);
  d = conv(3, 3, 5, {4, 5, 6}, {2, 3, 2});
  d.stride[2] = 2; d.padding = NDCONV_PAD_VALID;
  add("valid_3d_ncx", control(1, true), d);
  d.layout = NDCONV_NXC; d.weight_layout = NDCONV_XIO;
  add("valid_3d_nxc_xio", control(2, true, true), d);
  d = conv(8, 2, 3, {2, 2, 2, 2, 2, 2, 2, 3}, {1, 2, 1, 2, 1, 1, 1, 2});
  d.batch = 2;
  add("valid_rank8", control(0, true), d);
  d = conv(1, 1, 1, {1}, {1});
  add("valid_tiny_1x1", control(3, false), d);
  d = conv(2, 4, 4, {3, 3}, {3, 3});
  d.activation = NDCONV_ACT_CLAMP; d.act_min = d.act_max = 0.25f;
  add("valid_clamp_constant", control(1, true), d);
  d = conv(1, 4, 6, {int64_t{1} << 32}, {1});
  add("valid_huge_not_run", control(0, false), d);

  // Invalid: one broken rule each, from an otherwise valid descriptor.
  const ndconv_conv_desc base = conv(2, 4, 6, {9, 9}, {3, 3});
  d = base; d.rank = 0; add("invalid_rank0", control(0, true), d);
  d = base; d.rank = 9; add("invalid_rank9", control(0, true), d);
  d = base; d.rank = -1; add("invalid_rank_negative", control(0, true), d);
  d = base; set_enum(&d.layout, 2); add("invalid_layout_enum", control(0, true), d);
  d = base; set_enum(&d.weight_layout, -1); add("invalid_weight_layout_enum", control(0, true), d);
  d = base; set_enum(&d.padding, 4); add("invalid_padding_enum", control(0, true), d);
  d = base; set_enum(&d.activation, 0x7fffffff); add("invalid_activation_enum", control(0, true), d);
  d = base; d.activation = NDCONV_ACT_CLAMP; d.act_min = std::numeric_limits<float>::quiet_NaN();
  add("invalid_clamp_nan", control(0, true), d);
  d = base; d.activation = NDCONV_ACT_CLAMP; d.act_min = 1.0f; d.act_max = -1.0f;
  add("invalid_clamp_reversed", control(0, true), d);
  d = base; d.batch = 0; add("invalid_batch0", control(0, true), d);
  d = base; d.in_channels = -4; add("invalid_cin_negative", control(0, true), d);
  d = base; d.groups = 3; add("invalid_groups_divide", control(0, true), d);
  d = base; d.groups = -2; add("invalid_groups_negative", control(0, true), d);
  d = base; d.stride[1] = -1; add("invalid_stride_negative", control(0, true), d);
  d = base; d.dilation[0] = -3; add("invalid_dilation_negative", control(0, true), d);
  d = base; d.pad_begin[0] = -1; add("invalid_pad_negative", control(0, true), d);
  d = base; d.kernel[1] = 10; add("invalid_kernel_exceeds_input", control(0, true), d);
  d = base; d.kernel[0] = 0; add("invalid_kernel0", control(0, true), d);
  d = base; d.in_size[0] = kMax; d.pad_end[0] = 1; add("invalid_padded_overflow", control(0, true), d);
  d = base; d.dilation[0] = kMax; add("invalid_dilation_overflow", control(0, true), d);
  d = base; d.kernel[0] = kMax; d.in_size[0] = kMax; d.dilation[0] = 2;
  add("invalid_span_overflow", control(0, true), d);
  d = conv(3, 1, 1, {int64_t{1} << 21, int64_t{1} << 21, int64_t{1} << 21}, {1, 1, 1});
  add("invalid_input_count_overflow", control(0, true), d);
  d = conv(1, int64_t{1} << 31, int64_t{1} << 31, {1}, {1});
  add("invalid_weight_bytes_overflow", control(0, true), d);
  d = conv(1, 1, 1, {int64_t{1} << 62}, {1});
  add("invalid_input_bytes_overflow", control(0, true), d);
  d = base; d.padding = NDCONV_PAD_SAME_UPPER; d.in_size[0] = kMax - 1; d.kernel[0] = kMax / 2;
  add("invalid_same_padding_overflow", control(0, true), d);
  return s;
}

struct TextCnnSeed {
  const char* name;
  Control control;
  ndconv_textcnn_desc desc;
};

ndconv_textcnn_desc block(int64_t n, int64_t L, int64_t E, std::initializer_list<std::pair<int64_t, int64_t>> br) {
  ndconv_textcnn_desc d;
  std::memset(&d, 0, sizeof d);
  d.batch = n; d.seq_len = L; d.embed_dim = E;
  for (auto b : br) d.branches[d.branch_count++] = {b.first, b.second};
  d.layout = NDCONV_NXC; d.weight_layout = NDCONV_XIO; d.activation = NDCONV_ACT_RELU;
  return d;
}

std::vector<TextCnnSeed> textcnn_seeds() {
  std::vector<TextCnnSeed> s;
  auto add = [&](const char* name, Control c, ndconv_textcnn_desc d) { s.push_back({name, c, d}); };
  ndconv_textcnn_desc d = block(2, 12, 10, {{3, 7}, {4, 9}, {5, 17}});
  add("valid_kim_nxc", control(1, true), d);
  Control partial = control(2, true, true, true);
  partial.partial_bias = true;
  add("valid_kim_partial_bias_specials", partial, d);
  d.layout = NDCONV_NCX; d.weight_layout = NDCONV_OIX; d.activation = NDCONV_ACT_NONE;
  add("valid_kim_ncx_oix", control(2, false, true), d);
  d = block(1, 5, 3, {{5, 33}});
  d.activation = NDCONV_ACT_CLAMP; d.act_min = -0.25f; d.act_max = 0.5f;
  add("valid_ngram_equals_len_clamp", control(0, true), d);
  d = block(3, 1, 1, {{1, 1}, {1, 2}, {1, 3}, {1, 4}, {1, 5}, {1, 6}, {1, 7}, {1, 8}});
  add("valid_eight_branches", control(1, true, false, true), d);
  d = block(1, 40, 64, {{2, 16}});
  add("valid_long", control(1, true), d);

  const ndconv_textcnn_desc base = block(2, 8, 4, {{3, 5}, {2, 6}});
  d = base; d.branch_count = 0; add("invalid_no_branch", control(0, true), d);
  d = base; d.branch_count = 9; add("invalid_nine_branches", control(0, true), d);
  d = base; d.branches[1].ngram = 9; add("invalid_ngram_exceeds_len", control(0, true), d);
  d = base; d.branches[0].filters = 0; add("invalid_filters0", control(0, true), d);
  d = base; d.seq_len = -1; add("invalid_seq_len", control(0, true), d);
  d = base; set_enum(&d.layout, 5); add("invalid_layout_enum", control(0, true), d);
  d = base; set_enum(&d.weight_layout, 2); add("invalid_weight_layout_enum", control(0, true), d);
  d = base; set_enum(&d.activation, -7); add("invalid_activation_enum", control(0, true), d);
  d = base; set_enum(&d.pooling, 1); add("invalid_pooling_enum", control(0, true), d);
  d = base; d.activation = NDCONV_ACT_CLAMP; d.act_max = std::numeric_limits<float>::quiet_NaN();
  add("invalid_clamp_nan", control(0, true), d);
  d = base; d.batch = kMax; d.seq_len = 8; add("invalid_input_overflow", control(0, true), d);
  d = base; d.embed_dim = int64_t{1} << 31; d.branches[0].filters = int64_t{1} << 31;
  add("invalid_weight_overflow", control(0, true), d);
  d = base; d.branches[0].filters = kMax; d.branches[1].filters = kMax;
  add("invalid_filters_sum_overflow", control(0, true), d);
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR  (writes CORPUS_DIR/conv/* and CORPUS_DIR/textcnn/*)\n", argv[0]);
    return 2;
  }
  const std::string root = argv[1];
  bool ok = true;
  for (const ConvSeed& seed : conv_seeds()) {
    ByteWriter w;
    w.byte(encode_control(seed.control));
    w.byte(static_cast<uint8_t>(written++ * 37 + 11));
    int dims = seed.desc.rank;
    dims = dims < 1 ? 2 : dims > NDCONV_MAX_RANK ? NDCONV_MAX_RANK : dims;
    write_conv(w, seed.desc, dims);
    ok &= write_file(root + "/conv/" + seed.name, w.bytes());
  }
  for (const TextCnnSeed& seed : textcnn_seeds()) {
    ByteWriter w;
    w.byte(encode_control(seed.control));
    w.byte(static_cast<uint8_t>(written++ * 37 + 11));
    write_textcnn(w, seed.desc, NDCONV_TEXTCNN_MAX_BRANCHES);
    ok &= write_file(root + "/textcnn/" + seed.name, w.bytes());
  }
  std::printf("wrote %d seeds under %s\n", written, root.c_str());
  return ok ? 0 : 1;
}
