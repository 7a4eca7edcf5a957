// liv-gguf-load-bench: how fast a published-size LFM2 GGUF loads and how much memory the
// loaded model holds. It writes an LFM2 preset (random weights) as a GGUF of the asked type
// once (kept in --dir), then loads it --loads times, each in a fresh process (this binary
// run with --load-once) so that every figure is that process's own: the first load after
// evicting the file from the page cache (cold), the others warm. Per load: seconds to parse
// the header, seconds to import, resident memory (VmRSS) after loading and after one
// decode step (which touches every weight), against the file's size. The reference is
// reading the file's bytes once in the same run (a warm, single-threaded sequential read):
// `load / read` says how far the load is from just touching the file. --json prints it all.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "liv/formats/gguf_reader.h"
#include "liv/formats/lfm2_gguf_export.h"
#include "liv/formats/lfm2_gguf_import.h"
#include "liv/model/lfm2_presets.h"
#include "liv/runtime/thread_pool.h"
#include "liv/tools/memory_sampler.h"
#include "nlohmann/json.hpp"

extern char** environ;

namespace {

using namespace nas::liv;
using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

int Fail(const std::string& message) {
  std::cerr << "liv-gguf-load-bench: " << message << "\n";
  return 1;
}

// Loads the file once and prints one JSON line of figures.
int LoadOnce(const std::string& path, int threads) {
  const auto start = Clock::now();
  auto reader = GgufReader::Open(path);
  if (!reader.ok()) return Fail(std::string(reader.status().message()));
  const double open_s = Seconds(start);
  Lfm2ImportOptions options;
  options.threads = threads;
  auto model = ImportLfm2Gguf(*reader, options);
  if (!model.ok()) return Fail(std::string(model.status().message()));
  const double load_s = Seconds(start);
  const ProcMemory loaded = ReadProcMemory();
  RuntimeOptions runtime;
  runtime.threads = threads;
  runtime.max_context = 16;
  auto session = Session::Create(*model, runtime);
  if (!session.ok()) return Fail(std::string(session.status().message()));
  if (auto logits = (*session)->Decode(1); !logits.ok()) {
    return Fail(std::string(logits.status().message()));
  }
  const ProcMemory decoded = ReadProcMemory();
  nlohmann::json out = {{"open_s", open_s},
                        {"load_s", load_s},
                        {"rss_after_load", loaded.vm_rss},
                        {"rss_anon_after_load", loaded.rss_anon},
                        {"rss_file_after_load", loaded.rss_file},
                        {"rss_after_decode", decoded.vm_rss},
                        {"rss_anon_after_decode", decoded.rss_anon},
                        {"rss_file_after_decode", decoded.rss_file},
                        {"session_bytes", (*session)->plan().total() - (*session)->plan().weights},
                        {"owned_weight_bytes", (*model)->weights().bytes()},
                        {"borrowed_weight_bytes", (*model)->weights().borrowed_bytes()},
                        {"weight_type", WeightTypeName((*model)->weight_type())}};
  std::cout << out.dump() << "\n";
  return 0;
}

// Runs this binary with --load-once in a fresh process; its JSON line.
absl::StatusOr<nlohmann::json> LoadInChild(const std::string& path, int threads) {
  const std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
  const std::string threads_arg = std::to_string(threads);
  std::vector<const char*> argv = {self.c_str(), "--load-once", path.c_str(), "-t",
                                   threads_arg.c_str(), nullptr};
  int fds[2];
  if (pipe(fds) != 0) return absl::InternalError("pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, self.c_str(), &actions, nullptr,
                             const_cast<char* const*>(argv.data()), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  if (rc != 0) {
    close(fds[0]);
    return absl::InternalError("cannot start " + self);
  }
  std::string text;
  char buffer[4096];
  for (ssize_t n; (n = read(fds[0], buffer, sizeof(buffer))) > 0;) text.append(buffer, n);
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return absl::InternalError("the loading process failed");
  }
  return nlohmann::json::parse(text);
}

// Drops the file's pages from the page cache (clean pages: no privilege needed).
void Evict(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY);
  if (fd < 0) return;
  fdatasync(fd);
  posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
  close(fd);
}

// Best seconds of three sequential reads of the whole file into a 4 MiB buffer.
double ReadSeconds(const std::string& path) {
  double best = 1e9;
  std::vector<char> buffer(4 << 20);
  for (int pass = 0; pass < 3; ++pass) {
    std::ifstream in(path, std::ios::binary);
    const auto start = Clock::now();
    while (in.read(buffer.data(), buffer.size()) || in.gcount() > 0) {
    }
    best = std::min(best, Seconds(start));
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "liv-gguf-load-bench: write an LFM2 preset as GGUF once, then time loading it in fresh "
      "processes (first cold, then warm) and compare resident memory with the file size."};
  std::string preset = "LFM2-350M", type_name = "q4_0", dir = "build/bench-gguf", load_once;
  int loads = 5, threads = 0;
  bool json = false;
  app.add_option("--preset", preset, "The LFM2 preset whose shape the file has")
      ->capture_default_str();
  app.add_option("--type", type_name, "Matrix type in the file: f32, f16, q8_0, q4_0")
      ->capture_default_str();
  app.add_option("--dir", dir, "Where the file is written (and reused)")->capture_default_str();
  app.add_option("--loads", loads, "Loads to time; the first is cold")->capture_default_str();
  app.add_option("-t,--threads", threads, "Threads for repacking (0 = all cores)")
      ->capture_default_str();
  app.add_flag("--json", json, "Print the figures as JSON");
  app.add_option("--load-once", load_once, "(internal) load this file and print figures");
  CLI11_PARSE(app, argc, argv);
  if (threads == 0) threads = std::max(1, PhysicalCoreCount());
  if (!load_once.empty()) return LoadOnce(load_once, threads);
  if (loads < 1) return Fail("--loads: must be >= 1");

  const auto matrix_type = ParseLfm2MatrixType(type_name);
  if (!matrix_type.ok()) return Fail("--type: " + std::string(matrix_type.status().message()));
  auto spec = PresetArchSpec(preset);
  if (!spec.ok()) return Fail("--preset: " + std::string(spec.status().message()));
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/" + preset + "-" + type_name + ".gguf";
  if (!std::filesystem::exists(path)) {
    std::cerr << "writing " << path << " (random weights)...\n";
    auto model = Model::CreateRandom(*spec, WeightType::kF32, /*seed=*/1, threads);
    if (!model.ok()) return Fail(std::string(model.status().message()));
    Lfm2GgufExportOptions options;
    options.matrix_type = *matrix_type;
    if (auto s = ExportLfm2Gguf(*spec, (*model)->weights(), path, options); !s.ok()) {
      return Fail(std::string(s.message()));
    }
  }
  const uint64_t file_bytes = std::filesystem::file_size(path);
  nlohmann::json runs = nlohmann::json::array();
  for (int i = 0; i < loads; ++i) {
    if (i == 0) Evict(path);
    auto run = LoadInChild(path, threads);
    if (!run.ok()) return Fail(std::string(run.status().message()));
    (*run)["cold"] = i == 0;
    runs.push_back(*run);
    if (!json) {
      std::printf("load %d (%s): %.3f s (header %.4f s), RSS %.1f MiB after load, %.1f MiB "
                  "after a decode step\n",
                  i + 1, i == 0 ? "cold" : "warm", (*run)["load_s"].get<double>(),
                  (*run)["open_s"].get<double>(), (*run)["rss_after_load"].get<double>() / 1048576,
                  (*run)["rss_after_decode"].get<double>() / 1048576);
    }
  }
  const double read_s = ReadSeconds(path);
  double best_warm = 1e9;
  for (size_t i = 1; i < runs.size(); ++i) best_warm = std::min(best_warm, runs[i]["load_s"].get<double>());
  if (runs.size() == 1) best_warm = runs[0]["load_s"].get<double>();
  const double rss_ratio = runs.back()["rss_after_load"].get<double>() / file_bytes;
  const double decoded_ratio =
      (runs.back()["rss_after_decode"].get<double>() - runs.back()["session_bytes"].get<double>()) /
      file_bytes;
  nlohmann::json out = {{"preset", preset},
                        {"file", path},
                        {"file_bytes", file_bytes},
                        {"threads", threads},
                        {"read_file_s", read_s},
                        {"best_warm_load_s", best_warm},
                        {"warm_load_over_read", best_warm / read_s},
                        {"rss_after_load_over_file", rss_ratio},
                        {"rss_after_decode_minus_session_over_file", decoded_ratio},
                        {"loads", runs}};
  if (json) {
    std::cout << out.dump(2) << "\n";
  } else {
    std::printf("file %.1f MiB; reading it once takes %.3f s; best warm load %.3f s (%.2fx the "
                "read); RSS after load / file = %.2f; (RSS after decode - session) / file = %.2f\n",
                file_bytes / 1048576.0, read_s, best_warm, best_warm / read_s, rss_ratio,
                decoded_ratio);
  }
  return 0;
}
