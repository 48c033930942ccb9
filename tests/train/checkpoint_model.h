// The large model of the checkpoint kill test, shared by the test and its
// writer process (checkpoint_writer_main.cc): kVars float variables "big/v<k>"
// of `elements` each and an int64 "gen"; every value is a function of the
// generation `gen`, so a restored checkpoint is checked element by element
// against the generation it claims.
#ifndef FLOWLET_TESTS_TRAIN_CHECKPOINT_MODEL_H_
#define FLOWLET_TESTS_TRAIN_CHECKPOINT_MODEL_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "flowlet/flowlet.h"

namespace flowlet {
namespace checkpoint_test {

constexpr int kVars = 4;

inline std::string VarName(int k) { return absl::StrCat("big/v", k); }

// Exact in float: an integer below 2^24.
inline float Value(int64_t gen, int k, int64_t j) {
  return static_cast<float>((gen * 7919 + k * 104729 + j) % 16777213);
}

class BigModel {
 public:
  explicit BigModel(int64_t elements)
      : elements_(elements), root_(Scope::NewRootScope(&graph_)) {
    GetVariableOptions o;
    o.initializer = initializers::zeros();
    Scope big = root_.WithVariableScope("big");
    for (int k = 0; k < kVars; ++k) {
      status_.Update(
          get_variable(big, absl::StrCat("v", k), {elements}, o).status());
    }
    o.dtype = DT_INT64;
    status_.Update(get_variable(root_, "gen", {}, o).status());
    session_ = std::make_unique<Session>(&graph_);
  }

  const absl::Status& status() const { return status_; }
  const Graph& graph() const { return graph_; }
  Session& session() { return *session_; }

  // Sets every variable to generation `gen`.
  absl::Status Fill(int64_t gen) {
    for (int k = 0; k < kVars; ++k) {
      Tensor t(DT_FLOAT, TensorShape({elements_}));
      float* d = t.data<float>();
      for (int64_t j = 0; j < elements_; ++j) d[j] = Value(gen, k, j);
      absl::Status s = session_->SetVariableValue(VarName(k), t);
      if (!s.ok()) return s;
    }
    return session_->SetVariableValue("gen", Tensor::Scalar<int64_t>(gen));
  }

  // The generation the variables hold, or an error naming the first element
  // that does not belong to it.
  absl::StatusOr<int64_t> Generation() const {
    absl::StatusOr<Tensor> g = session_->VariableValue("gen");
    if (!g.ok()) return g.status();
    const int64_t gen = g->data<int64_t>()[0];
    for (int k = 0; k < kVars; ++k) {
      absl::StatusOr<Tensor> t = session_->VariableValue(VarName(k));
      if (!t.ok()) return t.status();
      if (t->num_elements() != elements_) {
        return absl::InternalError(
            absl::StrCat(VarName(k), " has ", t->num_elements(), " elements"));
      }
      const float* d = t->data<float>();
      for (int64_t j = 0; j < elements_; ++j) {
        if (d[j] != Value(gen, k, j)) {
          return absl::InternalError(
              absl::StrCat(VarName(k), "[", j, "] = ", d[j], " but generation ",
                           gen, " has ", Value(gen, k, j)));
        }
      }
    }
    return gen;
  }

 private:
  int64_t elements_;
  Graph graph_;
  Scope root_;
  std::unique_ptr<Session> session_;
  absl::Status status_;
};

}  // namespace checkpoint_test
}  // namespace flowlet

#endif  // FLOWLET_TESTS_TRAIN_CHECKPOINT_MODEL_H_
