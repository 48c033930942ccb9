// Session under concurrency: many threads running one session of a
// conv2d_transpose layer (several plan signatures at once) get exactly the
// serial results; concurrent training steps lose no update and readers never
// see a torn variable; a failed Run does not poison the session; sessions are
// created and destroyed cleanly (run under ASan: --config=asan).
#include <atomic>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "flowlet/flowlet.h"
#include "gtest/gtest.h"
#include "tests/core/status_test_util.h"

namespace flowlet {
namespace {

using testing_util::IsError;

constexpr int kThreads = 8;
constexpr int kRunsPerThread = 200;
constexpr int kDistinctFeeds = 10;  // Per thread.

// Deterministic values in [-1, 1).
Tensor Input(int64_t batch, int t, int i) {
  Tensor x(DT_FLOAT, TensorShape({batch, 6, 6, 3}));
  uint32_t s = 2654435761u * static_cast<uint32_t>(t * 1000 + i + 1);
  for (int64_t j = 0; j < x.num_elements(); ++j) {
    s = s * 1664525u + 1013904223u;
    x.data<float>()[j] = static_cast<float>(s >> 8) / (1 << 23) - 1.0f;
  }
  return x;
}

bool SameBits(const Tensor& a, const Tensor& b) {
  return a.dtype() == b.dtype() && a.shape() == b.shape() &&
         std::memcmp(a.raw_data(), b.raw_data(), a.TotalBytes()) == 0;
}

// x [?, 6, 6, 3] -> conv2d_transpose(4 filters, 3x3, stride 2, same, relu),
// seeded so every session initializes the same weights. Also a Reshape of x
// to a fed shape (for errors raised inside a kernel).
struct ConvModel {
  ConvModel() : root(Scope::NewRootScope(&graph)) {
    x = ops::Placeholder(root.WithOpName("x"), DT_FLOAT,
                         TensorShape({-1, 6, 6, 3}));
    layers::Conv2DTransposeOptions o;
    o.strides = 2;
    o.padding = "same";
    o.activation = activations::Relu;
    o.kernel_initializer = initializers::glorot_uniform(7);
    o.bias_initializer = initializers::constant(0.125);
    absl::StatusOr<Output> out = layers::conv2d_transpose(root, x, 4, 3, o);
    EXPECT_TRUE(out.ok()) << out.status();
    y = *out;
    shape =
        ops::Placeholder(root.WithOpName("shape"), DT_INT32, TensorShape({-1}));
    reshaped = ops::Reshape(root.WithOpName("reshaped"), x, shape);
    EXPECT_TRUE(reshaped.ok()) << reshaped.status();
    init = global_variables_initializer(root);
  }
  std::unique_ptr<Session> NewSession() {
    auto s = std::make_unique<Session>(&graph);
    absl::Status st = s->Run({}, {}, {init});
    EXPECT_TRUE(st.ok()) << st;
    return s;
  }
  Graph graph;
  Scope root;
  Output x, y, shape, reshaped;
  Operation init;
};

// Batch sizes 1, 2 and 3: three plan signatures compete.
int64_t BatchOf(int t) { return 1 + t % 3; }

TEST(ConcurrencyTest, ConvTransposeRunsMatchSerialBitwise) {
  ConvModel m;
  std::unique_ptr<Session> session = m.NewSession();
  std::vector<std::vector<Tensor>> feeds(kThreads), serial(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kDistinctFeeds; ++i) {
      feeds[t].push_back(Input(BatchOf(t), t, i));
      std::vector<Tensor> out;
      ASSERT_TRUE(session->Run({{m.x, feeds[t][i]}}, {m.y}, {}, &out).ok());
      ASSERT_EQ(out[0].shape(), TensorShape({BatchOf(t), 12, 12, 4}));
      serial[t].push_back(out[0]);
    }
  }
  std::atomic<int> errors{0}, mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kRunsPerThread; ++i) {
        const int f = (i * 7 + t) % kDistinctFeeds;
        std::vector<Tensor> out;
        absl::Status s = session->Run({{m.x, feeds[t][f]}}, {m.y}, {}, &out);
        if (!s.ok()) {
          errors.fetch_add(1);
        } else if (!SameBits(out[0], serial[t][f])) {
          mismatches.fetch_add(1);
        }
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(mismatches.load(), 0);
  // The feeds were not changed by the runs.
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_TRUE(SameBits(feeds[t][0], Input(BatchOf(t), t, 0)));
  }
}

// Elements of the trained variable: large enough that an update takes a while
// (a read overlapping it would see two values).
constexpr int64_t kElements = 1 << 18;
constexpr int kTrainers = 4;
constexpr int kSteps = 100;

// Reads `read` (a [kElements] float) until `done`, checking every read is
// uniform (all elements equal), within [lo, hi], and never above the previous
// read (updates only decrease it). Returns the number of reads.
int ReadWhileTraining(Session* session, const std::vector<Output>& reads,
                      const std::atomic<bool>& done, float lo, float hi,
                      std::atomic<int>* torn, std::atomic<int>* bad) {
  int n = 0;
  float last = hi;
  while (!done.load()) {
    for (const Output& read : reads) {
      std::vector<Tensor> out;
      absl::Status s = session->Run({}, {read}, {}, &out);
      if (!s.ok() || out[0].num_elements() != kElements) {
        bad->fetch_add(1);
        continue;
      }
      const float* d = out[0].data<float>();
      const float first = d[0];
      for (int64_t j = 1; j < kElements; ++j) {
        if (d[j] != first) {
          torn->fetch_add(1);
          break;
        }
      }
      if (first < lo || first > hi || first > last) bad->fetch_add(1);
      last = first;
      ++n;
    }
  }
  return n;
}

// loss = sum(v * c) with c = 0.5 everywhere and learning rate 1: every
// GradientDescent step subtracts exactly 0.5 from every element.
TEST(ConcurrencyTest, ConcurrentGradientDescentStepsLoseNoUpdate) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  GetVariableOptions o;
  o.initializer = initializers::constant(1000.0);
  absl::StatusOr<VariableInfo> v = get_variable(root, "v", {kElements}, o);
  ASSERT_TRUE(v.ok()) << v.status();
  Tensor c(DT_FLOAT, TensorShape({kElements}));
  for (int64_t j = 0; j < kElements; ++j) c.data<float>()[j] = 0.5f;
  Output loss = ops::Sum(root, ops::Mul(root, v->snapshot, ops::Const(root, c)),
                         ops::Const(root, 0));
  absl::StatusOr<VariableInfo> step = train::get_or_create_global_step(root);
  ASSERT_TRUE(step.ok());
  train::GradientDescentOptimizer opt(1.0);
  absl::StatusOr<Operation> train_op =
      opt.minimize(root, loss, std::nullopt, &*step);
  ASSERT_TRUE(train_op.ok()) << train_op.status();
  Session session(&g);
  ASSERT_TRUE(session.Run({}, {}, {global_variables_initializer(root)}).ok());

  std::atomic<bool> done{false};
  std::atomic<int> failed_steps{0}, torn{0}, bad{0}, reads{0};
  std::vector<std::thread> readers;
  // Both the variable itself and its "v/read" snapshot.
  const std::vector<Output> outputs = {Output(v->variable, 0), v->snapshot};
  for (int r = 0; r < 2; ++r) {
    readers.emplace_back([&] {
      reads.fetch_add(ReadWhileTraining(&session, outputs, done,
                                        1000.0f - kTrainers * kSteps * 0.5f,
                                        1000.0f, &torn, &bad));
    });
  }
  std::vector<std::thread> trainers;
  for (int t = 0; t < kTrainers; ++t) {
    trainers.emplace_back([&] {
      for (int i = 0; i < kSteps; ++i) {
        if (!session.Run({}, {}, {*train_op}).ok()) failed_steps.fetch_add(1);
      }
    });
  }
  for (std::thread& th : trainers) th.join();
  done.store(true);
  for (std::thread& th : readers) th.join();
  EXPECT_EQ(failed_steps.load(), 0);
  EXPECT_EQ(torn.load(), 0) << "of " << reads.load() << " reads";
  EXPECT_EQ(bad.load(), 0);
  EXPECT_GT(reads.load(), 0);

  absl::StatusOr<Tensor> final_v = session.VariableValue("v");
  ASSERT_TRUE(final_v.ok());
  const float expected = 1000.0f - kTrainers * kSteps * 0.5f;  // 800.
  int64_t wrong = 0;
  for (int64_t j = 0; j < kElements; ++j) {
    wrong += final_v->data<float>()[j] != expected;
  }
  EXPECT_EQ(wrong, 0) << "v[0] = " << final_v->data<float>()[0];
  absl::StatusOr<Tensor> final_step = session.VariableValue("global_step");
  ASSERT_TRUE(final_step.ok());
  EXPECT_EQ(final_step->data<int64_t>()[0], kTrainers * kSteps);
}

// Adam with a constant gradient keeps every element of v (and of its slots)
// equal: concurrent steps and reads must never see a mix.
TEST(ConcurrencyTest, ConcurrentAdamStepsAreNotTorn) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  GetVariableOptions o;
  o.initializer = initializers::constant(10.0);
  absl::StatusOr<VariableInfo> v = get_variable(root, "v", {kElements}, o);
  ASSERT_TRUE(v.ok()) << v.status();
  Tensor c(DT_FLOAT, TensorShape({kElements}));
  for (int64_t j = 0; j < kElements; ++j) c.data<float>()[j] = 0.5f;
  Output loss = ops::Sum(root, ops::Mul(root, v->snapshot, ops::Const(root, c)),
                         ops::Const(root, 0));
  absl::StatusOr<VariableInfo> step = train::get_or_create_global_step(root);
  ASSERT_TRUE(step.ok());
  train::AdamOptimizer opt(0.01);
  absl::StatusOr<Operation> train_op =
      opt.minimize(root, loss, std::nullopt, &*step);
  ASSERT_TRUE(train_op.ok()) << train_op.status();
  Session session(&g);
  ASSERT_TRUE(session.Run({}, {}, {global_variables_initializer(root)}).ok());

  std::atomic<bool> done{false};
  std::atomic<int> failed_steps{0}, torn{0}, bad{0}, reads{0};
  std::thread reader([&] {
    // Adam moves v down by about lr per step: 400 steps stay above 10 - 5.
    reads.fetch_add(ReadWhileTraining(&session, {v->snapshot}, done, 5.0f,
                                      10.0f, &torn, &bad));
  });
  std::vector<std::thread> trainers;
  for (int t = 0; t < kTrainers; ++t) {
    trainers.emplace_back([&] {
      for (int i = 0; i < kSteps; ++i) {
        if (!session.Run({}, {}, {*train_op}).ok()) failed_steps.fetch_add(1);
      }
    });
  }
  for (std::thread& th : trainers) th.join();
  done.store(true);
  reader.join();
  EXPECT_EQ(failed_steps.load(), 0);
  EXPECT_EQ(torn.load(), 0) << "of " << reads.load() << " reads";
  EXPECT_EQ(bad.load(), 0);
  for (const char* name : {"v", "v/Adam", "v/Adam_1"}) {
    absl::StatusOr<Tensor> t = session.VariableValue(name);
    ASSERT_TRUE(t.ok()) << name << ": " << t.status();
    const float* d = t->data<float>();
    int64_t differ = 0;
    for (int64_t j = 1; j < kElements; ++j) differ += d[j] != d[0];
    EXPECT_EQ(differ, 0) << name;
  }
  absl::StatusOr<Tensor> final_step = session.VariableValue("global_step");
  ASSERT_TRUE(final_step.ok());
  EXPECT_EQ(final_step->data<int64_t>()[0], kTrainers * kSteps);
}

// Bad feeds (rejected before running) and kernel errors (a Reshape to a wrong
// element count, raised mid-plan) from several threads, each followed by good
// runs of the same plans: the good runs still give the serial results.
TEST(ConcurrencyTest, ErrorsDoNotPoisonTheSession) {
  ConvModel m;
  std::unique_ptr<Session> session = m.NewSession();
  std::vector<Tensor> inputs, serial;
  for (int t = 0; t < 4; ++t) {
    inputs.push_back(Input(BatchOf(t), t, 0));
    std::vector<Tensor> out;
    ASSERT_TRUE(session->Run({{m.x, inputs[t]}}, {m.y}, {}, &out).ok());
    serial.push_back(out[0]);
  }
  const Tensor bad_shape_input(DT_FLOAT, TensorShape({2, 5, 6, 3}));
  std::atomic<int> unexpected{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      const int64_t n = inputs[t].num_elements();
      for (int i = 0; i < 50; ++i) {
        std::vector<Tensor> out;
        // A feed of the wrong shape.
        absl::Status s =
            session->Run({{m.x, bad_shape_input}}, {m.y}, {}, &out);
        if (!IsError(s, absl::StatusCode::kInvalidArgument, {"x"})) {
          unexpected.fetch_add(1);
        }
        // A kernel error: Reshape to one element too many.
        s = session->Run(
            {{m.x, inputs[t]},
             {m.shape, Tensor::Vector<int32_t>({static_cast<int32_t>(n + 1)})}},
            {m.reshaped}, {}, &out);
        if (!IsError(s, absl::StatusCode::kInvalidArgument, {"reshaped"})) {
          unexpected.fetch_add(1);
        }
        // The same Reshape plan with a good shape.
        s = session->Run(
            {{m.x, inputs[t]},
             {m.shape, Tensor::Vector<int32_t>({static_cast<int32_t>(n)})}},
            {m.reshaped}, {}, &out);
        if (!s.ok() || out[0].num_elements() != n ||
            std::memcmp(out[0].raw_data(), inputs[t].raw_data(),
                        inputs[t].TotalBytes()) != 0) {
          unexpected.fetch_add(1);
        }
        // And the layer.
        out.clear();
        s = session->Run({{m.x, inputs[t]}}, {m.y}, {}, &out);
        if (!s.ok() || !SameBits(out[0], serial[t])) unexpected.fetch_add(1);
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(unexpected.load(), 0);
}

// 100 sessions on one graph, created and destroyed: without any run, after
// initialization only, after runs (including failed ones), several alive at
// once in different threads. Every session that runs gives the same result.
TEST(ConcurrencyTest, CreatingAndDestroyingSessionsIsClean) {
  ConvModel m;
  const Tensor input = Input(2, 0, 0);
  std::vector<Tensor> expected;
  {
    std::unique_ptr<Session> s = m.NewSession();
    ASSERT_TRUE(s->Run({{m.x, input}}, {m.y}, {}, &expected).ok());
  }
  std::atomic<int> unexpected{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        switch ((i + t) % 4) {
          case 0: {  // Never runs.
            Session s(&m.graph);
            break;
          }
          case 1: {  // Initialized only.
            m.NewSession();
            break;
          }
          case 2: {  // A failed run last.
            std::unique_ptr<Session> s = m.NewSession();
            std::vector<Tensor> out;
            if (!s->Run({{m.x, input}}, {m.y}, {}, &out).ok() ||
                !SameBits(out[0], expected[0])) {
              unexpected.fetch_add(1);
            }
            if (s->Run({}, {m.y}, {}, &out).ok()) unexpected.fetch_add(1);
            break;
          }
          default: {  // Runs of two signatures; the outputs outlive it.
            std::vector<Tensor> out, other;
            {
              std::unique_ptr<Session> s = m.NewSession();
              if (!s->Run({{m.x, input}}, {m.y}, {}, &out).ok() ||
                  !s->Run({{m.x, Input(1, t, i)}}, {m.y}, {}, &other).ok()) {
                unexpected.fetch_add(1);
              }
            }
            if (out.size() != 1 || !SameBits(out[0], expected[0]) ||
                other.size() != 1 ||
                other[0].shape() != TensorShape({1, 12, 12, 4})) {
              unexpected.fetch_add(1);
            }
            break;
          }
        }
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(unexpected.load(), 0);
}

}  // namespace
}  // namespace flowlet
