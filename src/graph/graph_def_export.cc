// Graph -> tensorflow.GraphDef.
#include <string>

#include "absl/strings/str_cat.h"
#include "flowlet/serialization.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"

namespace flowlet {

std::string SerializeDeterministic(
    const google::protobuf::MessageLite& message) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream out(&stream);
    out.SetSerializationDeterministic(true);
    if (!message.SerializeToCodedStream(&out)) return std::string();
  }  // `out` flushes into `bytes` when destroyed.
  return bytes;
}

absl::Status ExportGraphDef(const Graph& graph,
                            tensorflow::GraphDef* graph_def) {
  graph_def->Clear();
  graph_def->mutable_node()->Reserve(graph.num_nodes());
  for (int id = 0; id < graph.num_nodes(); ++id) {
    const Node* node = graph.node(id);
    tensorflow::NodeDef* def = graph_def->add_node();
    def->set_name(node->name());
    def->set_op(node->op());
    for (int i = 0; i < node->num_inputs(); ++i) {
      const Output& in = node->input(i);
      if (in.node() == nullptr || in.node()->graph() != &graph) {
        return absl::InternalError(
            absl::StrCat("node '", node->name(), "': input ", i,
                         " is not a node of this graph"));
      }
      def->add_input(in.name());
    }
    for (const Node* c : node->control_inputs()) {
      if (c == nullptr || c->graph() != &graph) {
        return absl::InternalError(
            absl::StrCat("node '", node->name(),
                         "': a control input is not a node of this graph"));
      }
      def->add_input(absl::StrCat("^", c->name()));
    }
    if (!node->device().empty()) def->set_device(node->device());
    auto* attrs = def->mutable_attr();
    for (const auto& [name, value] : node->attrs()) (*attrs)[name] = value;
  }
  graph_def->mutable_versions()->set_producer(kGraphDefProducer);
  graph_def->mutable_versions()->set_min_consumer(0);
  return absl::OkStatus();
}

}  // namespace flowlet
