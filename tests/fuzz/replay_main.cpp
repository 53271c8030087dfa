// Replays a fuzz target's corpus without libFuzzer, so every ordinary build
// (gcc release, the asan preset, each ISA rerun, the AArch64 cross build under
// qemu) checks the committed seeds and regression inputs too:
//   ndconv_fuzz_replay_<target> FILE_OR_DIR...
// Exit 0 after every input passed; a failed check aborts (see fuzz_oracle.h).
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

bool replay_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", path.c_str());
    return false;
  }
  const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  size_t replayed = 0;
  bool ok = argc > 1;
  for (int i = 1; i < argc; ++i) {
    const std::filesystem::path arg(argv[i]);
    if (std::filesystem::is_directory(arg)) {
      for (const auto& entry : std::filesystem::directory_iterator(arg))
        if (entry.is_regular_file()) ok &= replay_file(entry.path()), ++replayed;
    } else {
      ok &= replay_file(arg);
      ++replayed;
    }
  }
  std::printf("replayed %zu inputs: %s\n", replayed, ok && replayed > 0 ? "all passed" : "FAILED");
  return ok && replayed > 0 ? 0 : 1;
}
