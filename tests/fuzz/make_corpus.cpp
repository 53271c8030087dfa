// Writes the fuzz targets' seed corpus: valid descriptors that reach every
// algorithm (pointwise, depthwise, n-gram, indirect/im2col, grouped, the
// reference; for int8 also every input and output type, the dot product off,
// int32 wrap-around and the scales' valid extremes) under each ISA slot and
// run option, and invalid ones on every rule of API.md's Semantics (ranks,
// enums, signs, divisibility, NaN clamps, output extents, int64 overflow of
// each size; for int8 every type, scale, zero point and count rule). Deterministic: regenerate with
//   build/asan/tests/fuzz/ndconv_make_corpus tests/fuzz/corpus
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

struct QConvSeed {
  const char* name;
  QControl control;
  ndconv_qconv_desc desc;
  WeightScaleRule scales;
};

QControl qcontrol(unsigned isa, bool bias, bool pool = false, bool no_dot = false) {
  QControl c;
  c.isa_index = isa;
  c.with_bias = bias;
  c.pool = pool;
  c.no_int8_dot = no_dot;
  return c;
}

// Realistic quantization: input 2^-6, weights 2^-7 (times 1 .. 1.875 per
// channel), output 2^-2, so requantized outputs spread over the type.
ndconv_qconv_desc qconv(const ndconv_conv_desc& c, ndconv_dtype in, ndconv_dtype out, bool per_channel = true) {
  ndconv_qconv_desc d;
  std::memset(&d, 0, sizeof d);
  d.conv = c;
  d.input_type = in;
  d.output_type = out;
  d.input_scale = 0x1p-6f;
  d.input_zero_point = in == NDCONV_U8 ? 131 : -3;
  d.weight_scale_count = per_channel ? c.out_channels : 1;
  if (out == NDCONV_U8 || out == NDCONV_S8) {
    d.output_scale = 0x1p-2f;
    d.output_zero_point = out == NDCONV_U8 ? 120 : 5;
  }
  return d;
}

WeightScaleRule scales(float base = 0x1p-7f, int64_t plant_channel = 0, float plant = 0.0f) {
  WeightScaleRule r;
  r.base = base;
  r.plant_channel = plant_channel;
  r.plant_scale = plant;
  return r;
}

std::vector<QConvSeed> qconv_valid_seeds() {
  std::vector<QConvSeed> s;
  auto add = [&](const char* name, QControl c, ndconv_qconv_desc d, WeightScaleRule r = scales()) {
    s.push_back({name, c, d, r});
  };
  ndconv_conv_desc c = conv(2, 19, 21, {5, 7}, {1, 1});
  add("valid_pointwise_ncx_u8_u8", qcontrol(0, true), qconv(c, NDCONV_U8, NDCONV_U8));
  c.layout = NDCONV_NXC; c.weight_layout = NDCONV_XIO; c.stride[0] = 2; c.stride[1] = 3;
  add("valid_pointwise_nxc_s8_s8_strided_pool", qcontrol(1, true, true), qconv(c, NDCONV_S8, NDCONV_S8, false));
  add("valid_pointwise_nxc_s8_s8_no_dot", qcontrol(2, true, false, true), qconv(c, NDCONV_S8, NDCONV_S8));
  c = conv(2, 8, 12, {10, 9}, {3, 3});
  c.layout = NDCONV_NXC; c.padding = NDCONV_PAD_SAME_UPPER;
  add("valid_indirect_nxc_3x3_same_u8_f32", qcontrol(2, true, true), qconv(c, NDCONV_U8, NDCONV_F32));
  add("valid_indirect_nxc_3x3_same_u8_u8_no_dot", qcontrol(2, true, false, true), qconv(c, NDCONV_U8, NDCONV_U8));
  c.layout = NDCONV_NCX; c.dilation[0] = 2; c.padding = NDCONV_PAD_EXPLICIT; c.pad_begin[0] = 2; c.pad_end[1] = 1;
  add("valid_im2col_ncx_dilated_explicit_s8_s32", qcontrol(1, true), qconv(c, NDCONV_S8, NDCONV_S32));
  c = conv(2, 13, 13, {9, 8}, {3, 3});
  c.groups = 13; c.padding = NDCONV_PAD_SAME_UPPER; c.stride[0] = c.stride[1] = 2;
  c.layout = NDCONV_NXC; c.activation = NDCONV_ACT_RELU;
  add("valid_depthwise_nxc_same_s2_relu_u8_u8", qcontrol(2, true), qconv(c, NDCONV_U8, NDCONV_U8));
  c.layout = NDCONV_NCX; c.activation = NDCONV_ACT_CLAMP; c.act_min = -3.0f; c.act_max = 6.0f;
  add("valid_depthwise_ncx_clamp_s8_s8", qcontrol(1, false, true), qconv(c, NDCONV_S8, NDCONV_S8));
  c = conv(2, 8, 16, {7, 6}, {3, 3});
  c.groups = 8; c.layout = NDCONV_NXC; c.padding = NDCONV_PAD_SAME_LOWER;
  add("valid_depthwise_multiplier2_nxc_u8_s32", qcontrol(1, true, false, true), qconv(c, NDCONV_U8, NDCONV_S32));
  c = conv(2, 1, 10, {11, 17}, {3, 17});
  c.layout = NDCONV_NXC; c.activation = NDCONV_ACT_RELU;
  add("valid_ngram_conv2d_keras_u8_u8", qcontrol(1, true), qconv(c, NDCONV_U8, NDCONV_U8));
  c = conv(1, 17, 10, {11}, {4});
  c.activation = NDCONV_ACT_CLAMP; c.act_min = -0.5f; c.act_max = 0.75f;
  add("valid_ngram_conv1d_ncx_clamp_s8_f32", qcontrol(2, true), qconv(c, NDCONV_S8, NDCONV_F32));
  c = conv(2, 8, 8, {7, 7}, {3, 3});
  c.layout = NDCONV_NXC; c.groups = 4; c.padding = NDCONV_PAD_SAME_UPPER;
  add("valid_grouped_nxc_u8_s8", qcontrol(1, true), qconv(c, NDCONV_U8, NDCONV_S8));
  c.layout = NDCONV_NCX; c.groups = 2; c.activation = NDCONV_ACT_RELU;
  add("valid_grouped_ncx_relu_s8_s32", qcontrol(0, true, true), qconv(c, NDCONV_S8, NDCONV_S32));
  c = conv(3, 3, 5, {4, 5, 6}, {2, 3, 2});
  c.layout = NDCONV_NXC; c.weight_layout = NDCONV_XIO; c.stride[2] = 2;
  add("valid_3d_nxc_xio_u8_u8", qcontrol(2, true), qconv(c, NDCONV_U8, NDCONV_U8));
  c = conv(8, 2, 3, {2, 2, 2, 2, 2, 2, 2, 3}, {1, 2, 1, 2, 1, 1, 1, 2});
  c.batch = 2;
  add("valid_rank8_s8_s32", qcontrol(0, true), qconv(c, NDCONV_S8, NDCONV_S32));
  // More taps than the indirect GEMM's row pointers: the int8 reference.
  c = conv(2, 2, 4, {66, 81}, {64, 80});
  c.padding = NDCONV_PAD_EXPLICIT; c.pad_begin[1] = 1;
  add("valid_reference_many_taps_u8_u8", qcontrol(1, true), qconv(c, NDCONV_U8, NDCONV_U8));
  // 70000 taps of -32640 each (extreme values): the int32 sum wraps around.
  c = conv(1, 70000, 1, {1}, {1});
  ndconv_qconv_desc q = qconv(c, NDCONV_U8, NDCONV_S32);
  q.input_zero_point = 0;
  QControl extreme = qcontrol(1, false);
  extreme.extreme_values = true;
  add("valid_wraparound_u8_s32_extreme", extreme, q);
  c = conv(2, 16, 8, {4, 4}, {1, 1});
  extreme = qcontrol(2, true);
  extreme.wide_bias = true;
  add("valid_pointwise_wide_bias_s8_s32", extreme, qconv(c, NDCONV_S8, NDCONV_S32));
  add("valid_pointwise_wide_bias_s8_u8", extreme, qconv(c, NDCONV_S8, NDCONV_U8));
  // Valid extremes of the scales: a denormal input scale (F32 output), output
  // fields ignored without U8/S8 output, clamp bounds past the type's range.
  q = qconv(c, NDCONV_U8, NDCONV_F32);
  q.input_scale = 0x1p-140f;
  add("valid_denormal_input_scale_f32", qcontrol(1, true), q);
  q = qconv(c, NDCONV_U8, NDCONV_S32);
  q.output_scale = std::numeric_limits<float>::quiet_NaN(); q.output_zero_point = 1000;
  add("valid_s32_ignores_output_fields", qcontrol(2, true), q);
  c.activation = NDCONV_ACT_CLAMP; c.act_min = -1000.0f; c.act_max = 1e9f;
  add("valid_clamp_beyond_type_u8", qcontrol(1, true), qconv(c, NDCONV_U8, NDCONV_U8));
  q = qconv(c, NDCONV_S8, NDCONV_S8);
  q.output_scale = 0x1p-20f;
  add("valid_tiny_output_scale_saturates_s8", qcontrol(2, true, false, true), q, scales(0x1p-2f));
  return s;
}

std::vector<QConvSeed> qconv_invalid_seeds() {
  std::vector<QConvSeed> s;
  auto add = [&](const char* name, ndconv_qconv_desc d, WeightScaleRule r = scales()) {
    s.push_back({name, qcontrol(0, true), d, r});
  };
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
  const ndconv_qconv_desc base = qconv(conv(2, 4, 6, {9, 9}, {3, 3}), NDCONV_U8, NDCONV_U8);
  ndconv_qconv_desc d;
  d = base; d.conv.rank = 0; add("invalid_rank0", d);
  d = base; d.conv.groups = 3; add("invalid_groups_divide", d);
  d = base; d.conv.kernel[1] = 10; add("invalid_kernel_exceeds_input", d);
  d = base; set_enum(&d.input_type, NDCONV_F32); add("invalid_input_type_f32", d);
  d = base; set_enum(&d.input_type, NDCONV_S32); add("invalid_input_type_s32", d);
  d = base; set_enum(&d.input_type, 7); add("invalid_input_type_enum", d);
  d = base; set_enum(&d.output_type, 4); add("invalid_output_type_enum", d);
  d = base; set_enum(&d.output_type, -1); add("invalid_output_type_negative", d);
  d = base; d.input_scale = 0.0f; add("invalid_input_scale_zero", d);
  d = base; d.input_scale = -0.0f; add("invalid_input_scale_negative_zero", d);
  d = base; d.input_scale = -1.0f; add("invalid_input_scale_negative", d);
  d = base; d.input_scale = nan; add("invalid_input_scale_nan", d);
  d = base; d.input_scale = inf; add("invalid_input_scale_inf", d);
  d = base; d.input_zero_point = 256; add("invalid_input_zero_point_u8", d);
  d = base; set_enum(&d.input_type, NDCONV_S8); d.input_zero_point = 128; add("invalid_input_zero_point_s8", d);
  d = base; d.input_zero_point = std::numeric_limits<int32_t>::min(); add("invalid_input_zero_point_int_min", d);
  d = base; d.weight_scale_count = 0; add("invalid_weight_scale_count0", d);
  d = base; d.weight_scale_count = 2; add("invalid_weight_scale_count2", d);
  d = base; d.weight_scale_count = -1; add("invalid_weight_scale_count_negative", d);
  d = base; d.weight_scale_count = kMax; add("invalid_weight_scale_count_max", d);
  d = base; d.output_scale = nan; add("invalid_output_scale_nan", d);
  d = base; d.output_scale = -inf; add("invalid_output_scale_negative_inf", d);
  d = base; d.output_zero_point = 256; add("invalid_output_zero_point_u8", d);
  d = base; set_enum(&d.output_type, NDCONV_S8); d.output_zero_point = -129; add("invalid_output_zero_point_s8", d);
  d = base; set_enum(&d.output_type, NDCONV_S32); d.conv.activation = NDCONV_ACT_CLAMP;
  d.conv.act_min = 0.0f; d.conv.act_max = 6.0f;
  add("invalid_s32_clamp", d);
  d = base; d.conv.activation = NDCONV_ACT_CLAMP; d.conv.act_min = nan; add("invalid_clamp_nan", d);
  // Rejected by create only: the weight scales and the combined scales.
  add("invalid_weight_scales_zero", base, scales(0.0f));
  add("invalid_weight_scales_negative", base, scales(-1.0f));
  add("invalid_weight_scales_nan", base, scales(nan));
  add("invalid_weight_scales_inf", base, scales(inf));
  add("invalid_weight_scale_planted_nan", base, scales(0x1p-7f, 4, nan));
  add("invalid_weight_scale_planted_denormal_negative", base, scales(0x1p-7f, 6, -std::numeric_limits<float>::denorm_min()));
  d = base; set_enum(&d.output_type, NDCONV_F32); d.input_scale = 0x1p127f;
  add("invalid_combined_scale_overflow_f32", d, scales(0x1p7f));
  d = base; d.output_scale = std::numeric_limits<float>::denorm_min();
  add("invalid_combined_scale_overflow_u8", d, scales(0x1p-2f));
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR  (writes CORPUS_DIR/conv/*, CORPUS_DIR/textcnn/*, CORPUS_DIR/qconv/*)\n", argv[0]);
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
  std::vector<QConvSeed> qseeds = qconv_valid_seeds();
  for (const QConvSeed& seed : qconv_invalid_seeds()) qseeds.push_back(seed);
  for (const QConvSeed& seed : qseeds) {
    ByteWriter w;
    w.byte(encode_qcontrol(seed.control));
    w.byte(static_cast<uint8_t>(written++ * 37 + 11));
    int dims = seed.desc.conv.rank;
    dims = dims < 1 ? 2 : dims > NDCONV_MAX_RANK ? NDCONV_MAX_RANK : dims;
    write_qconv(w, seed.desc, seed.scales, dims);
    ok &= write_file(root + "/qconv/" + seed.name, w.bytes());
  }
  std::printf("wrote %d seeds under %s\n", written, root.c_str());
  return ok ? 0 : 1;
}
