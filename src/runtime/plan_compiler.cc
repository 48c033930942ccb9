#include "src/runtime/plan_compiler.h"

#include <map>
#include <optional>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "src/core/attr_util.h"
#include "src/core/status_macros.h"
#include "src/graph/op_def.h"
#include "src/graph/op_registry.h"
#include "src/graph/shape_inference.h"
#include "src/runtime/plan_folding.h"
#include "src/runtime/plan_rewrites.h"

namespace flowlet {
namespace {

using OutputKey = std::pair<int, int>;  // (node id, output index)

OutputKey KeyOf(const Output& o) { return {o.node()->id(), o.index()}; }

std::string Where(const Node* n) {
  return absl::StrCat("node '", n->name(), "' (", n->op(), "): ");
}

// Nodes needed for the fetches and targets, stopping at fed outputs. Iterative.
std::vector<bool> Prune(const PlanRequest& r, const std::set<OutputKey>& fed) {
  std::vector<bool> needed(r.graph->num_nodes(), false);
  std::vector<Node*> stack;
  auto visit = [&](Node* n) {
    // A fed Placeholder does not run: its only output is the feed.
    if (n->op() == "Placeholder" && fed.count({n->id(), 0}) > 0) return;
    if (!needed[n->id()]) {
      needed[n->id()] = true;
      stack.push_back(n);
    }
  };
  for (const Output& f : r.fetches) {
    if (fed.count(KeyOf(f)) == 0) visit(f.node());
  }
  for (Node* t : r.targets) visit(t);
  while (!stack.empty()) {
    Node* n = stack.back();
    stack.pop_back();
    for (const Output& in : n->inputs()) {
      if (fed.count(KeyOf(in)) == 0) visit(in.node());
    }
    for (Node* c : n->control_inputs()) visit(c);
  }
  return needed;
}

// Kahn's algorithm over the needed nodes, ties broken by node id
// (deterministic).
absl::StatusOr<std::vector<Node*>> TopologicalOrder(
    const Graph& g, const std::vector<bool>& needed,
    const std::set<OutputKey>& fed) {
  std::vector<int> pending(g.num_nodes(), 0);
  std::vector<std::vector<Node*>> consumers(g.num_nodes());
  int total = 0;
  for (int id = 0; id < g.num_nodes(); ++id) {
    if (!needed[id]) continue;
    ++total;
    Node* n = g.node(id);
    for (const Output& in : n->inputs()) {
      if (fed.count(KeyOf(in)) > 0) continue;
      ++pending[id];
      consumers[in.node()->id()].push_back(n);
    }
    for (Node* c : n->control_inputs()) {
      if (!needed[c->id()]) continue;  // A fed Placeholder.
      ++pending[id];
      consumers[c->id()].push_back(n);
    }
  }
  std::set<int> ready;
  for (int id = 0; id < g.num_nodes(); ++id) {
    if (needed[id] && pending[id] == 0) ready.insert(id);
  }
  std::vector<Node*> order;
  order.reserve(total);
  while (!ready.empty()) {
    int id = *ready.begin();
    ready.erase(ready.begin());
    Node* n = g.node(id);
    order.push_back(n);
    for (Node* c : consumers[id]) {
      if (--pending[c->id()] == 0) ready.insert(c->id());
    }
  }
  if (static_cast<int>(order.size()) != total) {
    for (int id = 0; id < g.num_nodes(); ++id) {
      if (needed[id] && pending[id] > 0) {
        return absl::InvalidArgumentError(absl::StrCat(
            "the graph has a cycle involving node '", g.node(id)->name(), "'"));
      }
    }
  }
  return order;
}

// A step may be constant-folded if its op is registered, stateless, and
// neither reads nor produces a variable reference.
bool IsFoldable(const StepSpec& s) {
  const OpDef* def = OpRegistry::Global()->Find(s.op);
  if (def == nullptr || def->is_stateful) return false;
  for (DataType t : s.input_types) {
    if (IsRefType(t)) return false;
  }
  for (DataType t : s.output_types) {
    if (IsRefType(t)) return false;
  }
  return true;
}

// Fills PlanStep::release_after: each slot read by a step, except fetched and
// constant slots, goes to its last reader.
void AssignLastUses(PlanInstance* plan) {
  std::vector<int> last_reader(plan->values.size(), -1);
  for (size_t k = 0; k < plan->steps.size(); ++k) {
    for (int slot : plan->steps[k]->input_slots) {
      last_reader[slot] = static_cast<int>(k);
    }
  }
  for (int slot : plan->fetch_slots) last_reader[slot] = -1;
  for (int slot : plan->constant_slots) last_reader[slot] = -1;
  for (size_t slot = 0; slot < last_reader.size(); ++slot) {
    if (last_reader[slot] >= 0) {
      plan->steps[last_reader[slot]]->release_after.push_back(
          static_cast<int>(slot));
    }
  }
}

std::optional<Tensor> ValueAsTensor(const PartialValue& v, DataType dtype) {
  if (!v.IsFullyKnown() || !v.shape.IsFullyDefined()) return std::nullopt;
  if (dtype != DT_INT32 && dtype != DT_INT64) return std::nullopt;
  Tensor t(dtype, v.shape);
  for (size_t i = 0; i < v.values.size(); ++i) {
    if (dtype == DT_INT32) {
      t.data<int32_t>()[i] = static_cast<int32_t>(v.values[i]);
    } else {
      t.data<int64_t>()[i] = v.values[i];
    }
  }
  return t;
}

}  // namespace

absl::StatusOr<std::unique_ptr<PlanInstance>> CompilePlan(
    const PlanRequest& r, const CompileEnv& env) {
  const Graph& g = *r.graph;
  std::set<OutputKey> fed;
  std::map<OutputKey, int> feed_index;
  for (size_t i = 0; i < r.feeds.size(); ++i) {
    const Output& f = r.feeds[i];
    if (!feed_index.emplace(KeyOf(f), static_cast<int>(i)).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("'", f.tensor_name(), "' is fed more than once"));
    }
    fed.insert(KeyOf(f));
    if (r.feed_types[i] != BaseType(f.dtype())) {
      return absl::InvalidArgumentError(
          absl::StrCat("the feed for '", f.tensor_name(), "' has dtype ",
                       DataTypeString(r.feed_types[i]), ", expected ",
                       DataTypeString(BaseType(f.dtype()))));
    }
    TensorShape declared = f.shape();
    if (f.node()->op() == "Placeholder") {
      TensorShape attr_shape;
      if (GetAttr(f.node()->attrs(), "shape", &attr_shape).ok())
        declared = attr_shape;
    }
    if (!declared.IsCompatibleWith(r.feed_shapes[i])) {
      return absl::InvalidArgumentError(
          absl::StrCat("the feed for '", f.tensor_name(), "' has shape ",
                       r.feed_shapes[i].DebugString(),
                       ", which is not compatible with the declared shape ",
                       declared.DebugString()));
    }
  }

  std::vector<bool> needed = Prune(r, fed);
  FLOWLET_ASSIGN_OR_RETURN(std::vector<Node*> order,
                           TopologicalOrder(g, needed, fed));

  // Shapes and known values for this signature.
  std::map<OutputKey, TensorShape> shapes;
  std::map<OutputKey, std::optional<PartialValue>> values;
  for (size_t i = 0; i < r.feeds.size(); ++i)
    shapes[KeyOf(r.feeds[i])] = r.feed_shapes[i];
  auto shape_of = [&](const Output& o) -> const TensorShape& {
    auto it = shapes.find(KeyOf(o));
    return it != shapes.end() ? it->second : o.node()->output_shape(o.index());
  };
  for (Node* n : order) {
    if (n->op() == "Placeholder") {
      return absl::InvalidArgumentError(absl::StrCat(
          "You must feed a value for placeholder tensor '", n->name(),
          "' with dtype ", DataTypeString(n->output_type(0)), " and shape ",
          n->output_shape(0).DebugString()));
    }
    std::vector<DataType> input_types;
    std::vector<TensorShape> input_shapes;
    std::vector<std::optional<PartialValue>> input_values;
    for (int i = 0; i < n->num_inputs(); ++i) {
      const Output& in = n->input(i);
      input_types.push_back(n->input_type(i));
      input_shapes.push_back(shape_of(in));
      auto vit = values.find(KeyOf(in));
      if (fed.count(KeyOf(in)) > 0) {
        input_values.push_back(std::nullopt);
      } else if (vit != values.end()) {
        input_values.push_back(vit->second);
      } else {
        input_values.push_back(in.node()->output_value(in.index()));
      }
    }
    std::vector<DataType> output_types;
    for (int i = 0; i < n->num_outputs(); ++i)
      output_types.push_back(n->output_type(i));
    InferenceContext ctx(n->name(), n->op_def(), n->attrs(), input_types,
                         input_shapes, input_values, output_types);
    if (n->op_def().shape_fn) {
      FLOWLET_RETURN_IF_ERROR(
          AnnotateStatus(n->op_def().shape_fn(ctx), Where(n)));
    }
    for (int i = 0; i < n->num_outputs(); ++i) {
      OutputKey k{n->id(), i};
      if (fed.count(k) > 0) continue;
      // Keep whatever the static graph knew if the re-run knows less (never
      // happens for well-behaved shape fns, but costs nothing).
      absl::StatusOr<TensorShape> merged =
          ctx.output_shapes()[i].Merge(n->output_shape(i));
      shapes[k] = merged.ok() ? *merged : ctx.output_shapes()[i];
      values[k] = ctx.output_values()[i];
    }
  }

  auto plan = std::make_unique<PlanInstance>();
  plan->stream = dnnl::stream(*env.engine);
  plan->resources.engine = env.engine;
  plan->resources.stream = &plan->stream;
  plan->resources.limits = env.options->limits;
  VariableStore* store = env.variables;
  plan->resources.variable = [store](const std::string& name) {
    return store->GetOrCreate(name);
  };

  // Slots: one per fed output, then one per produced output.
  std::map<OutputKey, int> slot_of;
  int num_slots = 0;
  for (const Output& f : r.feeds) {
    slot_of[KeyOf(f)] = num_slots;
    plan->feed_slots.push_back(num_slots++);
  }
  // A node that runs writes its own slots, even for a fed output: consumers of
  // a fed output read the feed's slot, never what its producer computes.
  std::map<OutputKey, int> produced_slot;
  for (Node* n : order) {
    for (int i = 0; i < n->num_outputs(); ++i) {
      OutputKey k{n->id(), i};
      produced_slot[k] = num_slots++;
      if (slot_of.count(k) == 0) slot_of[k] = produced_slot[k];
    }
  }

  std::vector<StepSpec> specs;
  specs.reserve(order.size());
  for (Node* n : order) {
    StepSpec s;
    s.node = n;
    s.op = n->op();
    s.attrs = n->attrs();
    for (int i = 0; i < n->num_inputs(); ++i) {
      const Output& in = n->input(i);
      s.inputs.push_back(in);
      s.input_slots.push_back(slot_of.at(KeyOf(in)));
      bool from_ref = fed.count(KeyOf(in)) == 0 && IsRefType(in.dtype());
      s.input_deref.push_back(from_ref && !IsRefType(n->input_type(i)));
      s.input_types.push_back(n->input_type(i));
      s.input_shapes.push_back(shape_of(in));
    }
    for (int i = 0; i < n->num_outputs(); ++i) {
      s.output_slots.push_back(produced_slot.at({n->id(), i}));
      s.output_types.push_back(n->output_type(i));
      s.output_shapes.push_back(shapes.count({n->id(), i})
                                    ? shapes[{n->id(), i}]
                                    : n->output_shape(i));
    }
    specs.push_back(std::move(s));
  }
  std::vector<int> fetch_slots;
  for (const Output& f : r.fetches) fetch_slots.push_back(slot_of.at(KeyOf(f)));
  // In-place forwarding (KernelContext::input_forwardable) stays off: a
  // forwarded buffer ends up in two slots, so the producer would allocate a
  // new one on every run. Buffer sharing by liveness belongs to a memory
  // planner that assigns buffers once per plan.
  if (env.options->fuse_bias_activation) {
    plan->fused_bias_activations = FuseBiasActivation(&specs, fetch_slots);
  }

  plan->values.resize(num_slots);
  plan->steps.reserve(specs.size());
  for (StepSpec& s : specs) {
    if (s.removed) continue;
    const std::string where =
        absl::StrCat("node '", s.node->name(), "' (", s.op, "): ");
    const KernelFactory* factory = KernelRegistry::Global()->Find(s.op);
    if (factory == nullptr) {
      return absl::UnimplementedError(
          absl::StrCat(where, "no kernel registered for op ", s.op));
    }
    plan->steps.push_back(std::make_unique<PlanStep>());
    PlanStep& st = *plan->steps.back();
    st.node_name = s.node->name();
    st.op = s.op;
    st.attrs = std::move(s.attrs);
    st.input_slots = s.input_slots;
    st.input_deref = s.input_deref;
    for (size_t i = 0; i < s.input_deref.size(); ++i) {
      if (s.input_deref[i]) st.deref_inputs.push_back(static_cast<int>(i));
    }
    st.output_slots = s.output_slots;
    st.foldable = IsFoldable(s);
    if (st.foldable && !s.output_slots.empty()) {
      for (size_t i = 0; i < s.output_types.size(); ++i) {
        auto vit = values.find({s.node->id(), static_cast<int>(i)});
        std::optional<Tensor> known;
        if (vit != values.end() && vit->second.has_value()) {
          known = ValueAsTensor(*vit->second, BaseType(s.output_types[i]));
        }
        if (!known.has_value()) {
          st.known_outputs.clear();
          break;
        }
        st.known_outputs.push_back(*std::move(known));
      }
    }
    st.kernel = (*factory)();

    KernelConstruction c;
    c.node_name = st.node_name;
    c.op = st.op;
    c.attrs = &st.attrs;
    std::vector<Tensor> constants;
    constants.reserve(s.inputs.size());
    for (size_t i = 0; i < s.inputs.size(); ++i) {
      c.input_types.push_back(BaseType(s.input_types[i]));
      c.input_is_ref.push_back(IsRefType(s.input_types[i]));
      c.input_shapes.push_back(s.input_shapes[i]);
      const Output& in = s.inputs[i];
      std::optional<Tensor> constant;
      if (fed.count(KeyOf(in)) == 0) {
        auto vit = values.find(KeyOf(in));
        if (vit != values.end() && vit->second.has_value()) {
          constant = ValueAsTensor(*vit->second, BaseType(in.dtype()));
        }
      }
      if (constant.has_value()) {
        constants.push_back(*constant);
        c.constant_inputs.push_back(&constants.back());
      } else {
        c.constant_inputs.push_back(nullptr);
      }
    }
    for (size_t i = 0; i < s.output_types.size(); ++i) {
      c.output_types.push_back(BaseType(s.output_types[i]));
      c.output_shapes.push_back(s.output_shapes[i]);
    }
    c.resources = &plan->resources;
    c.deconv_bf16 = env.options->deconv_bf16;
    FLOWLET_RETURN_IF_ERROR(AnnotateStatus(st.kernel->Init(c), where));

    st.deref_values.resize(st.input_slots.size());
    std::vector<Value*> ins, outs;
    for (size_t i = 0; i < st.input_slots.size(); ++i) {
      ins.push_back(st.input_deref[i] ? &st.deref_values[i]
                                      : &plan->values[st.input_slots[i]]);
    }
    for (int slot : st.output_slots) outs.push_back(&plan->values[slot]);
    st.context = std::make_unique<KernelContext>(
        st.node_name, &plan->resources, std::move(ins), std::move(outs));
  }
  for (size_t i = 0; i < r.fetches.size(); ++i) {
    const Output& f = r.fetches[i];
    plan->fetch_slots.push_back(fetch_slots[i]);
    plan->fetch_deref.push_back(fed.count(KeyOf(f)) == 0 &&
                                IsRefType(f.dtype()));
    int first = static_cast<int>(i);
    for (size_t j = 0; j < i; ++j) {
      if (fetch_slots[j] == fetch_slots[i] &&
          plan->fetch_deref[j] == plan->fetch_deref[i]) {
        first = static_cast<int>(j);
        break;
      }
    }
    plan->fetch_first.push_back(first);
  }
  FoldConstants(plan.get());
  AssignLastUses(plan.get());
  return plan;
}

}  // namespace flowlet
