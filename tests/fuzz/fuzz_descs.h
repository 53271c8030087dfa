// How the fuzz targets lay out a descriptor in bytes (see fuzz_bytes.h for the
// value encoding), shared with the seed-corpus generator so the committed
// seeds always decode to the descriptors they were written from.
//
// Conv input:    control, seed, rank, layout, weight_layout, padding,
//                activation, act_min, act_max, batch, in_channels,
//                out_channels, groups, then for dim i = 0..7: in_size[i],
//                kernel[i], stride[i], dilation[i], pad_begin[i], pad_end[i].
// Text-CNN input: control, seed, batch, seq_len, embed_dim, branch_count,
//                layout, weight_layout, activation, pooling, act_min,
//                act_max, then for branch b = 0..7: ngram, filters.
// Int8 conv input: qcontrol, seed, input_type, output_type, input_scale,
//                input_zero_point, weight_scale_count, output_scale,
//                output_zero_point, weight_scale, plant_channel, plant_scale,
//                then the conv input's fields from rank on. weight_scales[c] is
//                weight_scale times a seeded factor in [1, 2); plant_channel
//                p > 0 replaces weight_scales[(p - 1) % count] with plant_scale.
// Trailing fields may be absent (they read as 0), so a seed names only the
// dimensions and branches it uses.
#pragma once

#include <cstdint>
#include <cstring>

#include "ndconv/ndconv.h"
#include "tests/fuzz/fuzz_bytes.h"

namespace ndconv {
namespace fuzz {

// The control byte: which available ISA (index modulo their count), and what
// the run looks like.
struct Control {
  unsigned isa_index = 0;     // bits 0-1
  bool with_bias = false;     // bit 2
  bool specials = false;      // bit 3: NaN / Inf / -Inf planted in the input
  bool pool = false;          // bit 4: run on a 2-thread ndconv pool
  bool partial_bias = false;  // bit 5: text-CNN: some branches without bias
};

inline Control decode_control(uint8_t b) {
  Control c;
  c.isa_index = b & 3u;
  c.with_bias = (b >> 2) & 1u;
  c.specials = (b >> 3) & 1u;
  c.pool = (b >> 4) & 1u;
  c.partial_bias = (b >> 5) & 1u;
  return c;
}
inline uint8_t encode_control(const Control& c) {
  return static_cast<uint8_t>((c.isa_index & 3u) | (c.with_bias << 2) | (c.specials << 3) |
                              (c.pool << 4) | (c.partial_bias << 5));
}

// The int8 target's control byte.
struct QControl {
  unsigned isa_index = 0;       // bits 0-1
  bool with_bias = false;       // bit 2
  bool extreme_values = false;  // bit 3: input at its type's maximum, every weight -128
  bool pool = false;            // bit 4: run on a 2-thread ndconv pool
  bool no_int8_dot = false;     // bit 5: ndconv_set_int8_dot_product(0) before create
  bool wide_bias = false;       // bit 6: bias over all of int32 (wrap-around), not small
};

inline QControl decode_qcontrol(uint8_t b) {
  QControl c;
  c.isa_index = b & 3u;
  c.with_bias = (b >> 2) & 1u;
  c.extreme_values = (b >> 3) & 1u;
  c.pool = (b >> 4) & 1u;
  c.no_int8_dot = (b >> 5) & 1u;
  c.wide_bias = (b >> 6) & 1u;
  return c;
}
inline uint8_t encode_qcontrol(const QControl& c) {
  return static_cast<uint8_t>((c.isa_index & 3u) | (c.with_bias << 2) | (c.extreme_values << 3) |
                              (c.pool << 4) | (c.no_int8_dot << 5) | (c.wide_bias << 6));
}

// How the weight scales are made (see the layout above).
struct WeightScaleRule {
  float base = 0.0f;
  int64_t plant_channel = 0;
  float plant_scale = 0.0f;
};

inline void read_conv(ByteReader& r, ndconv_conv_desc* d) {
  std::memset(d, 0, sizeof *d);
  d->rank = r.integer32();
  r.enumeration(&d->layout);
  r.enumeration(&d->weight_layout);
  r.enumeration(&d->padding);
  r.enumeration(&d->activation);
  d->act_min = r.real();
  d->act_max = r.real();
  d->batch = r.integer();
  d->in_channels = r.integer();
  d->out_channels = r.integer();
  d->groups = r.integer();
  for (int i = 0; i < NDCONV_MAX_RANK; ++i) {
    d->in_size[i] = r.integer();
    d->kernel[i] = r.integer();
    d->stride[i] = r.integer();
    d->dilation[i] = r.integer();
    d->pad_begin[i] = r.integer();
    d->pad_end[i] = r.integer();
  }
}

// Enum fields are passed as ints: the generator may write invalid values.
inline void write_conv(ByteWriter& w, const ndconv_conv_desc& d, int dims) {
  int32_t e[4];
  std::memcpy(&e[0], &d.layout, 4);
  std::memcpy(&e[1], &d.weight_layout, 4);
  std::memcpy(&e[2], &d.padding, 4);
  std::memcpy(&e[3], &d.activation, 4);
  w.integer(d.rank);
  for (int32_t v : e) w.integer(v);
  w.real(d.act_min);
  w.real(d.act_max);
  w.integer(d.batch);
  w.integer(d.in_channels);
  w.integer(d.out_channels);
  w.integer(d.groups);
  for (int i = 0; i < dims; ++i) {
    w.integer(d.in_size[i]);
    w.integer(d.kernel[i]);
    w.integer(d.stride[i]);
    w.integer(d.dilation[i]);
    w.integer(d.pad_begin[i]);
    w.integer(d.pad_end[i]);
  }
}

inline void read_textcnn(ByteReader& r, ndconv_textcnn_desc* d) {
  std::memset(d, 0, sizeof *d);
  d->batch = r.integer();
  d->seq_len = r.integer();
  d->embed_dim = r.integer();
  d->branch_count = r.integer32();
  r.enumeration(&d->layout);
  r.enumeration(&d->weight_layout);
  r.enumeration(&d->activation);
  r.enumeration(&d->pooling);
  d->act_min = r.real();
  d->act_max = r.real();
  for (int b = 0; b < NDCONV_TEXTCNN_MAX_BRANCHES; ++b) {
    d->branches[b].ngram = r.integer();
    d->branches[b].filters = r.integer();
  }
}

inline void write_textcnn(ByteWriter& w, const ndconv_textcnn_desc& d, int branches) {
  int32_t e[4];
  std::memcpy(&e[0], &d.layout, 4);
  std::memcpy(&e[1], &d.weight_layout, 4);
  std::memcpy(&e[2], &d.activation, 4);
  std::memcpy(&e[3], &d.pooling, 4);
  w.integer(d.batch);
  w.integer(d.seq_len);
  w.integer(d.embed_dim);
  w.integer(d.branch_count);
  for (int32_t v : e) w.integer(v);
  w.real(d.act_min);
  w.real(d.act_max);
  for (int b = 0; b < branches; ++b) {
    w.integer(d.branches[b].ngram);
    w.integer(d.branches[b].filters);
  }
}

inline void read_qconv(ByteReader& r, ndconv_qconv_desc* d, WeightScaleRule* ws) {
  std::memset(d, 0, sizeof *d);
  r.enumeration(&d->input_type);
  r.enumeration(&d->output_type);
  d->input_scale = r.scale();
  d->input_zero_point = r.integer32();
  d->weight_scale_count = r.integer();
  d->output_scale = r.scale();
  d->output_zero_point = r.integer32();
  ws->base = r.scale();
  ws->plant_channel = r.integer();
  ws->plant_scale = r.scale();
  read_conv(r, &d->conv);
}

inline void write_qconv(ByteWriter& w, const ndconv_qconv_desc& d, const WeightScaleRule& ws, int dims) {
  int32_t e[2];
  std::memcpy(&e[0], &d.input_type, 4);
  std::memcpy(&e[1], &d.output_type, 4);
  for (int32_t v : e) w.integer(v);
  w.scale(d.input_scale);
  w.integer(d.input_zero_point);
  w.integer(d.weight_scale_count);
  w.scale(d.output_scale);
  w.integer(d.output_zero_point);
  w.scale(ws.base);
  w.integer(ws.plant_channel);
  w.scale(ws.plant_scale);
  write_conv(w, d.conv, dims);
}

}  // namespace fuzz
}  // namespace ndconv
