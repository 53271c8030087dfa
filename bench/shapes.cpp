#include "shapes.h"

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace ndconv_bench {
namespace {

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::string part;
  std::istringstream in(text);
  while (std::getline(in, part, separator)) parts.push_back(part);
  if (!text.empty() && text.back() == separator) parts.push_back("");
  return parts;
}

bool parse_int(const std::string& text, int64_t min_value, int64_t* value) {
  if (text.empty()) return false;
  errno = 0;
  char* end = nullptr;
  long long v = std::strtoll(text.c_str(), &end, 10);
  if (errno != 0 || *end != '\0' || v < min_value) return false;
  *value = v;
  return true;
}

}  // namespace

ndconv_conv_desc BenchShape::desc(ndconv_layout layout) const {
  ndconv_conv_desc d{};
  d.rank = rank;
  d.layout = layout;
  d.weight_layout = layout == NDCONV_NCX ? NDCONV_OIX : NDCONV_XIO;
  d.batch = batch;
  d.in_channels = in_channels;
  d.out_channels = out_channels;
  d.groups = groups;
  for (int i = 0; i < rank; ++i) {
    d.in_size[i] = in_size[i];
    d.kernel[i] = kernel[i];
    d.stride[i] = stride[i];
    d.dilation[i] = dilation[i];
    d.pad_begin[i] = pad_begin[i];
    d.pad_end[i] = pad_end[i];
  }
  d.padding = NDCONV_PAD_EXPLICIT;
  d.activation = NDCONV_ACT_NONE;
  return d;
}

std::string finish_shape(BenchShape* s) {
  if (s->rank < 1 || s->rank > NDCONV_MAX_RANK) return "rank must be 1.." + std::to_string(NDCONV_MAX_RANK);
  if (s->groups < 1 || s->in_channels % s->groups != 0 || s->out_channels % s->groups != 0)
    return "groups = " + std::to_string(s->groups) + " must divide in_channels and out_channels";
  s->out_size.assign(s->rank, 0);
  s->in_pixels = s->out_pixels = s->taps = 1;
  for (int i = 0; i < s->rank; ++i) {
    int64_t span = s->dilation[i] * (s->kernel[i] - 1) + 1;
    int64_t padded = s->in_size[i] + s->pad_begin[i] + s->pad_end[i];
    if (padded < span)
      return "dim " + std::to_string(i) + ": kernel span " + std::to_string(span) +
             " exceeds padded input extent " + std::to_string(padded);
    s->out_size[i] = (padded - span) / s->stride[i] + 1;
    s->in_pixels *= s->in_size[i];
    s->out_pixels *= s->out_size[i];
    s->taps *= s->kernel[i];
  }
  return "";
}

bool parse_shapes_text(const std::string& text, const std::string& source,
                       std::vector<BenchShape>* shapes, std::string* error) {
  static const char* const kFields[] = {"name", "rank", "batch", "in_channels", "out_channels",
                                        "groups", "in_size", "kernel", "stride", "dilation",
                                        "pad_begin", "pad_end", "note"};
  std::istringstream in(text);
  std::string line;
  int line_number = 0;
  shapes->clear();
  auto fail = [&](const std::string& what) {
    *error = source + ":" + std::to_string(line_number) + ": " + what;
    return false;
  };
  while (std::getline(in, line)) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    if (line.compare(0, 5, "name\t") == 0) continue;  // the column header
    std::vector<std::string> f = split(line, '\t');
    if (f.size() < 12)
      return fail("expected at least 12 tab-separated fields (name .. pad_end), got " +
                  std::to_string(f.size()));
    BenchShape s;
    s.name = f[0];
    if (s.name.empty() || s.name.find_first_of("/ ") != std::string::npos)
      return fail("name '" + s.name + "' must be non-empty without '/' or spaces");
    int64_t v = 0;
    if (!parse_int(f[1], 1, &v) || v > NDCONV_MAX_RANK)
      return fail("rank = '" + f[1] + "' must be an integer in 1.." + std::to_string(NDCONV_MAX_RANK));
    s.rank = int(v);
    int64_t* scalars[] = {&s.batch, &s.in_channels, &s.out_channels, &s.groups};
    for (int i = 0; i < 4; ++i)
      if (!parse_int(f[2 + i], 1, scalars[i]))
        return fail(std::string(kFields[2 + i]) + " = '" + f[2 + i] + "' must be an integer >= 1");
    std::vector<int64_t>* dims[] = {&s.in_size, &s.kernel, &s.stride, &s.dilation, &s.pad_begin, &s.pad_end};
    for (int i = 0; i < 6; ++i) {
      const std::string& field = f[6 + i];
      std::vector<std::string> parts = split(field, 'x');
      if (int(parts.size()) != s.rank)
        return fail(std::string(kFields[6 + i]) + " = '" + field + "' must have rank = " +
                    std::to_string(s.rank) + " 'x'-separated entries");
      int64_t min_value = i >= 4 ? 0 : 1;  // padding may be 0
      for (const std::string& p : parts) {
        if (!parse_int(p, min_value, &v))
          return fail(std::string(kFields[6 + i]) + " = '" + field + "': entry '" + p +
                      "' must be an integer >= " + std::to_string(min_value));
        dims[i]->push_back(v);
      }
    }
    if (f.size() > 12) s.note = f[12];
    std::string problem = finish_shape(&s);
    if (!problem.empty()) return fail(s.name + ": " + problem);
    for (const BenchShape& other : *shapes)
      if (other.name == s.name) return fail("duplicate shape name '" + s.name + "'");
    shapes->push_back(std::move(s));
  }
  if (shapes->empty()) {
    *error = source + ": no shapes";
    return false;
  }
  return true;
}

bool parse_shapes_file(const std::string& path, std::vector<BenchShape>* shapes,
                       std::string* error) {
  std::ifstream file(path);
  if (!file) {
    *error = "cannot open shapes file '" + path + "'";
    return false;
  }
  std::stringstream text;
  text << file.rdbuf();
  return parse_shapes_text(text.str(), path, shapes, error);
}

}  // namespace ndconv_bench
