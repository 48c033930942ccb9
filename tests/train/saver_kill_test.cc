// Interrupted saves: a writer process (checkpoint_writer_main.cc) saves a
// 64 MiB checkpoint over and over to one path and is SIGKILLed 6 times at
// random points: while its temporary file is being written (3 times), before
// its first save, right after a save, at a random time. After every kill the
// checkpoint path restores to one complete generation (the first checkpoint A
// or one the writer finished), checked element by element, and the temporary
// files the kills leave behind neither confuse restore nor load as anything but
// a complete generation (a partial one is refused naming it).
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "flowlet/io/npy.h"
#include "flowlet/train/saver.h"
#include "gtest/gtest.h"
#include "tests/train/checkpoint_model.h"
#include "tests/train/train_test_util.h"

extern char** environ;

namespace flowlet {
namespace {

using checkpoint_test::BigModel;
using Clock = std::chrono::steady_clock;

// Elements per variable: 4 variables of 16 Mi floats = 64 MiB. Overridable
// with FLOWLET_KILL_TEST_MIB for experiments.
int64_t Elements() {
  int64_t mib = 64;
  if (const char* e = std::getenv("FLOWLET_KILL_TEST_MIB")) {
    if (!absl::SimpleAtoi(e, &mib) || mib < 1) mib = 64;
  }
  return mib * (int64_t{1} << 20) / 4 / checkpoint_test::kVars;
}

std::string WriterPath() {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* ws = std::getenv("TEST_WORKSPACE");
  return absl::StrCat(srcdir ? srcdir : ".", "/", ws ? ws : "flowlet",
                      "/tests/train/checkpoint_writer");
}

std::vector<std::string> TempFiles(const std::string& dir,
                                   const std::string& name) {
  std::vector<std::string> out;
  const std::string prefix = "." + name + ".tmp.";
  if (DIR* d = ::opendir(dir.c_str())) {
    while (dirent* e = ::readdir(d)) {
      if (std::string(e->d_name).rfind(prefix, 0) == 0) {
        out.push_back(dir + "/" + e->d_name);
      }
    }
    ::closedir(d);
  }
  return out;
}

// The writer process, its stdout on a pipe.
class Writer {
 public:
  Writer(const std::string& path, int64_t first_gen, int64_t elements) {
    int fds[2];
    EXPECT_EQ(::pipe2(fds, O_CLOEXEC), 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    const std::string bin = WriterPath();
    const std::string gen = absl::StrCat(first_gen);
    const std::string n = absl::StrCat(elements);
    std::vector<char*> argv = {
        const_cast<char*>(bin.c_str()), const_cast<char*>(path.c_str()),
        const_cast<char*>(gen.c_str()), const_cast<char*>(n.c_str()), nullptr};
    EXPECT_EQ(posix_spawn(&pid_, bin.c_str(), &actions, nullptr, argv.data(),
                          environ),
              0)
        << bin;
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    out_ = fds[0];
  }
  ~Writer() {
    Kill();
    ::close(out_);
  }

  void Kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        << "the writer ended on its own (status " << status << ")";
    pid_ = -1;
  }

  // Waits up to `timeout_ms` for the next "saved <gen>" line; -1 if none.
  int64_t NextSaved(int timeout_ms) {
    const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
    while (true) {
      const size_t nl = buffer_.find('\n');
      if (nl != std::string::npos) {
        const std::string line = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        int64_t gen = -1;
        EXPECT_TRUE(line.rfind("saved ", 0) == 0 &&
                    absl::SimpleAtoi(line.substr(6), &gen))
            << line;
        return gen;
      }
      const int left = static_cast<int>(
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline -
                                                                Clock::now())
              .count());
      if (left <= 0) return -1;
      pollfd p{out_, POLLIN, 0};
      if (::poll(&p, 1, left) <= 0) return -1;
      char buf[256];
      const ssize_t got = ::read(out_, buf, sizeof(buf));
      if (got <= 0) return -1;  // The writer died.
      buffer_.append(buf, got);
    }
  }

 private:
  pid_t pid_ = -1;
  int out_ = -1;
  std::string buffer_;
};

TEST(SaverKill, InterruptedSavesLeaveACompleteCheckpoint) {
  const auto test_start = Clock::now();
  const int64_t elements = Elements();
  const std::string dir = train_test::TempDir();
  const std::string name = "ckpt.npz";
  const std::string path = dir + "/" + name;

  // Checkpoint A: generation 0, written by this process.
  BigModel model(elements);
  ASSERT_TRUE(model.status().ok()) << model.status();
  train::Saver saver(&model.graph());
  ASSERT_TRUE(model.Fill(0).ok());
  ASSERT_TRUE(saver.save(model.session(), path).ok());

  std::mt19937 rng(20261125);
  // Every generation a writer finished (plus A): what the path may hold.
  std::set<int64_t> finished = {0};
  int64_t newest_confirmed = 0;
  int partial_temps = 0, mid_write_kills = 0;
  double write_ms = 200;  // Refined by measurement below.

  enum Kind { kEarly, kMidWrite, kAfterSave, kRandom };
  const std::vector<Kind> plan = {kMidWrite,  kEarly,  kMidWrite,
                                  kAfterSave, kRandom, kMidWrite};
  for (size_t round = 0; round < plan.size(); ++round) {
    SCOPED_TRACE(absl::StrCat("round ", round, " kind ", plan[round]));
    const int64_t first_gen = 1000 * static_cast<int64_t>(round + 1);
    const auto round_start = Clock::now();
    Writer writer(path, first_gen, elements);
    int64_t confirmed = -1;  // The newest "saved" this writer reported.
    switch (plan[round]) {
      case kEarly:
        std::this_thread::sleep_for(std::chrono::milliseconds(
            std::uniform_int_distribution<int>(0, 150)(rng)));
        break;
      case kRandom:
        std::this_thread::sleep_for(std::chrono::milliseconds(
            std::uniform_int_distribution<int>(0, 1500)(rng)));
        break;
      case kAfterSave:
        confirmed = writer.NextSaved(15000);
        ASSERT_GE(confirmed, first_gen);
        break;
      case kMidWrite: {
        // Wait for the writer's temporary file (after its first save in some
        // rounds, so the kill interrupts an overwrite of its own checkpoint),
        // then let it write for a random part of a save's write time.
        if (round % 4 == 2) {
          confirmed = writer.NextSaved(15000);
          ASSERT_GE(confirmed, first_gen);
        }
        const std::set<std::string> before = [&] {
          std::vector<std::string> v = TempFiles(dir, name);
          return std::set<std::string>(v.begin(), v.end());
        }();
        const auto start = Clock::now();
        bool appeared = false;
        while (!appeared && Clock::now() - start < std::chrono::seconds(15)) {
          for (const std::string& t : TempFiles(dir, name)) {
            appeared |= before.count(t) == 0;
          }
          if (!appeared)
            std::this_thread::sleep_for(std::chrono::microseconds(200));
        }
        ASSERT_TRUE(appeared) << "the writer never started writing";
        const auto appeared_at = Clock::now();
        if (round == 0) {
          // Measures one write (temporary file to "saved") to place the later
          // kills inside the write.
          const int64_t saved = writer.NextSaved(15000);
          ASSERT_GE(saved, first_gen);
          confirmed = saved;
          write_ms = std::chrono::duration<double, std::milli>(Clock::now() -
                                                               appeared_at)
                         .count();
          // Then the next write, killed at once.
          std::set<std::string> seen;
          for (const std::string& t : TempFiles(dir, name)) seen.insert(t);
          bool next = false;
          while (!next && Clock::now() - start < std::chrono::seconds(15)) {
            for (const std::string& t : TempFiles(dir, name)) {
              next |= seen.count(t) == 0;
            }
            if (!next) {
              std::this_thread::sleep_for(std::chrono::microseconds(200));
            }
          }
          ASSERT_TRUE(next);
        } else {
          std::this_thread::sleep_for(
              std::chrono::microseconds(std::uniform_int_distribution<int64_t>(
                  0, static_cast<int64_t>(write_ms * 900))(rng)));
        }
        ++mid_write_kills;
        break;
      }
    }
    writer.Kill();
    const auto killed = Clock::now();
    // Lines the writer printed before it died are finished generations.
    for (int64_t g; (g = writer.NextSaved(0)) >= 0;) confirmed = g;
    if (confirmed >= 0) {
      for (int64_t g = first_gen; g <= confirmed; ++g) finished.insert(g);
      newest_confirmed = confirmed;
    }
    // A save may complete (rename done) just before the kill without its line
    // being printed: the next generation is allowed too.
    const int64_t unreported = confirmed >= 0 ? confirmed + 1 : first_gen;

    // The checkpoint: one complete generation, the newest confirmed or (if the
    // kill came right after a rename) the one after it.
    ASSERT_TRUE(model.Fill(-1).ok());  // Restore must overwrite everything.
    absl::Status restored = saver.restore(model.session(), path);
    ASSERT_TRUE(restored.ok()) << restored;
    absl::StatusOr<int64_t> gen = model.Generation();
    ASSERT_TRUE(gen.ok()) << gen.status();
    EXPECT_TRUE(*gen == newest_confirmed || *gen == unreported)
        << "restored generation " << *gen << ", newest confirmed "
        << newest_confirmed;
    if (*gen == unreported) finished.insert(unreported);
    if (*gen > newest_confirmed) newest_confirmed = *gen;

    const auto checked = Clock::now();
    std::printf(
        "round %zu: killed after %.0f ms, restore and check %.0f ms\n", round,
        std::chrono::duration<double, std::milli>(killed - round_start).count(),
        std::chrono::duration<double, std::milli>(checked - killed).count());
    // Temporary files left by kills: complete ones hold a finished-or-next
    // generation, partial ones are refused naming themselves.
    for (const std::string& t : TempFiles(dir, name)) {
      absl::StatusOr<std::vector<std::pair<std::string, Tensor>>> read =
          io::ReadNpz(t);
      ::unlink(t.c_str());
      if (read.ok()) {  // Killed between fsync and rename: complete.
        ASSERT_EQ(read->size(), checkpoint_test::kVars + 1u);
        const int64_t g = read->back().second.data<int64_t>()[0];
        EXPECT_TRUE(g >= first_gen && g <= unreported) << t << ": " << g;
        continue;
      }
      EXPECT_NE(read.status().message().find(t), std::string::npos)
          << read.status();
      EXPECT_TRUE(read.status().code() == absl::StatusCode::kDataLoss ||
                  read.status().code() == absl::StatusCode::kInvalidArgument)
          << read.status();
      ++partial_temps;
    }
  }
  // Some kills really came mid-write and left a partial temporary file.
  EXPECT_GT(mid_write_kills, 0);
  EXPECT_GT(partial_temps, 0);
  std::printf(
      "one save writes for %.0f ms; %d partial temporary files; %.1f s\n",
      write_ms, partial_temps,
      std::chrono::duration<double>(Clock::now() - test_start).count());

  // Saving again works with leftovers around, and restores exactly.
  ASSERT_TRUE(model.Fill(7).ok());
  ASSERT_TRUE(saver.save(model.session(), path).ok());
  ASSERT_TRUE(model.Fill(-1).ok());
  ASSERT_TRUE(saver.restore(model.session(), path).ok());
  absl::StatusOr<int64_t> gen = model.Generation();
  ASSERT_TRUE(gen.ok()) << gen.status();
  EXPECT_EQ(*gen, 7);
}

}  // namespace
}  // namespace flowlet
