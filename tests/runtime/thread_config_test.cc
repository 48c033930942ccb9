// SessionOptions::intra_op_threads reaches OpenMP, which oneDNN runs on.
#include <omp.h>

#include "flowlet/graph.h"
#include "flowlet/session.h"
#include "gtest/gtest.h"

namespace flowlet {
namespace {

TEST(ThreadConfigTest, IntraOpThreadsSetsOpenMpThreads) {
  Graph g;
  SessionOptions one;
  one.intra_op_threads = 1;
  Session a(&g, one);
  EXPECT_EQ(omp_get_max_threads(), 1);
  SessionOptions two;
  two.intra_op_threads = 3;
  Session b(&g, two);
  EXPECT_EQ(omp_get_max_threads(), 3);
  // 0 keeps what is set.
  Session c(&g);
  EXPECT_EQ(omp_get_max_threads(), 3);
}

}  // namespace
}  // namespace flowlet
