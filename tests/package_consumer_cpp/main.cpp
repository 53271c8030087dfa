// Uses ndconv's C++ layer (ndconv/ndconv.hpp) through the installed package
// only (see CMakeLists.txt here). Each CHECK has a known answer.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <ndconv/ndconv.hpp>

static int failures = 0;

#define CHECK(cond)                                                         \
  do {                                                                      \
    if (!(cond)) {                                                          \
      std::fprintf(stderr, "package_consumer_cpp: %s:%d: CHECK(%s) failed\n", \
                   __FILE__, __LINE__, #cond);                              \
      ++failures;                                                           \
    }                                                                       \
  } while (0)

// A 3x3 'same' convolution over a 4x4 NHWC image, one channel in and out,
// all-ones weights, no bias: each output is the sum of its in-image 3x3
// neighbours, i.e. the neighbour count for an all-ones input (4, 6 or 9).
static void check_conv() {
  auto builder = ndconv::ConvBuilder::conv2d(1, 1, {3, 3}).input_size({4, 4}).padding_same().channels_last();
  const ndconv::TensorSizes sizes = builder.sizes();
  CHECK(sizes.input == 16 && sizes.output == 16 && sizes.weights == 9);
  const std::vector<float> weights(9, 1.0f), input(16, 1.0f);
  std::vector<float> output(16, -1.0f);
  ndconv::Conv conv = builder.build(weights.data());
  ndconv::ThreadPool pool(2);
  conv.run(input.data(), output.data(), pool);
  for (int y = 0; y < 4; ++y)
    for (int x = 0; x < 4; ++x) {
      const int rows = (y == 0 || y == 3) ? 2 : 3, cols = (x == 0 || x == 3) ? 2 : 3;
      CHECK(output[y * 4 + x] == float(rows * cols));
    }
  std::printf("package_consumer_cpp: kernel %s\n", conv.kernel_name());
}

// Errors are exceptions carrying the status and the message.
static void check_errors() {
  bool thrown = false;
  try {
    ndconv::ConvBuilder::conv2d(1, 1, {5, 5}).input_size({4, 4}).build(nullptr);
  } catch (const ndconv::Error& e) {
    thrown = true;
    CHECK(e.status() == NDCONV_INVALID_ARGUMENT);
    CHECK(e.detail().find("kernel[0]") != std::string::npos);
  }
  CHECK(thrown);
}

// The fused text-CNN block: 1 sentence of 3 words x 2 floats, one 2-gram
// branch with one filter summing its window; max over the 2 windows.
static void check_textcnn() {
  const std::vector<float> w(2 * 2, 1.0f);
  const std::vector<float> sentence = {1, 2, 3, 4, -5, -6};  // words: 3, 7, -11
  float feature = 0;
  ndconv::TextCnn block = ndconv::TextCnnBuilder(1, 3, 2).branch(2, 1).build({w.data()});
  block.run(sentence.data(), &feature);
  CHECK(block.features() == 1);
  CHECK(feature == 10.0f);  // max(3 + 7, 7 - 11)
}

int main() {
  try {
    check_conv();
    check_errors();
    check_textcnn();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "package_consumer_cpp: unexpected exception: %s\n", e.what());
    return 1;
  }
  if (failures) {
    std::fprintf(stderr, "package_consumer_cpp: %d check(s) failed\n", failures);
    return 1;
  }
  std::printf("package_consumer_cpp: OK\n");
  return 0;
}
