// The process-wide execution mode switch.
#include "flowlet/execution_mode.h"

#include <thread>

#include "gtest/gtest.h"

namespace flowlet {
namespace {

TEST(ExecutionModeTest, GraphModeByDefault) {
  EXPECT_FALSE(executing_eagerly());
}

TEST(ExecutionModeTest, EnableAndDisable) {
  enable_eager_execution();
  EXPECT_TRUE(executing_eagerly());
  enable_eager_execution();  // idempotent
  EXPECT_TRUE(executing_eagerly());
  disable_eager_execution();
  EXPECT_FALSE(executing_eagerly());
  disable_eager_execution();
  EXPECT_FALSE(executing_eagerly());
}

TEST(ExecutionModeTest, IsProcessWide) {
  std::thread([] { enable_eager_execution(); }).join();
  EXPECT_TRUE(executing_eagerly());
  bool seen_in_other_thread = false;
  std::thread([&] { seen_in_other_thread = executing_eagerly(); }).join();
  EXPECT_TRUE(seen_in_other_thread);
  disable_eager_execution();
  std::thread([&] { seen_in_other_thread = executing_eagerly(); }).join();
  EXPECT_FALSE(seen_in_other_thread);
}

}  // namespace
}  // namespace flowlet
