// The autograd graph, as PyTorch models it (torch/csrc/autograd/function.h).
//
// A Node is one recorded op seen backwards: it takes the gradients of the op's outputs and
// returns the gradients of its inputs. Its `next_edges` say where each input gradient goes:
// Edge{fn, input_nr} means "input `input_nr` of node `fn`". A leaf tensor that requires grad
// is reached through an AccumulateGrad node that adds into the leaf's `.grad`; the leaf
// points back to it only weakly, so no cycle exists.
//
// Each node records the shape and dtype of every output it produced (`input_meta`, seen
// from backward). The engine reduces every gradient to that shape in one place (sum_to), so
// derivative formulas never undo broadcasting themselves.
//
// Tensors an op needs for its derivative are SavedTensors: they remember the storage
// version at save time, and unpacking after an in-place write raises PyTorch's error.
#pragma once
#include <cstdint>
#include <string>
#include <vector>
#include "../core/small_alloc.h"
#include "../core/tensor.h"

namespace tg {

struct Edge {
  Ref<Node> fn;          // null: this input needs no gradient
  uint32_t input_nr = 0;
  bool valid() const { return bool(fn); }
};

// A JS (or C++) callback run on a gradient: returns a replacement or an undefined Tensor.
// Registered with register_hook() below; the engine runs a tensor's hooks in registration
// order before anything else sees its gradient.
struct TensorHook : RefCounted {
  virtual Tensor call(const Tensor& grad) = 0;
  int64_t id = 0;    // for remove()
  std::string name;  // for PyTorch's "hook 'name' has changed the size of value"
};

struct SavedTensor {
  SavedTensor() = default;
  // is_output: the tensor is an output of the node saving it; it is stored without its
  // grad_fn (that would be a cycle) and re-attached to the node when unpacked.
  SavedTensor(const Tensor& t, bool is_output);
  Tensor unpack(Node* owner) const;
  void reset() {
    data_ = Tensor();
    leaf_acc_.reset();
    released_ = true;
  }
  bool defined() const { return data_.defined() || released_; }

 private:
  Tensor data_;
  uint32_t version_ = 0;
  uint32_t output_nr_ = 0;
  bool is_output_ = false;
  bool is_leaf_or_input_ = false;
  bool released_ = false;
  bool requires_grad_ = false;
  // A saved leaf that requires grad: data_ is an alias of its data and this is its
  // AccumulateGrad, which knows the leaf weakly (see SavedTensor's constructor).
  Ref<Node> leaf_acc_;
};

// A node's incoming or outgoing gradients, one per output or input (buffers from the
// small-block cache: the engine makes several per node it runs).
using GradList = SmallVector<Tensor>;

struct InputMeta {
  Dims shape;
  DType dtype;
};

struct Node : RefCounted {
  Node();
  ~Node() override;

  virtual const char* name() const = 0;
  // grads: one per output (undefined where no gradient flowed). Returns one per next edge.
  virtual GradList apply(GradList&& grads) = 0;
  // Drops saved tensors after backward (unless retain_graph).
  virtual void release_variables() {}

  uint32_t num_outputs() const { return static_cast<uint32_t>(input_meta.size()); }
  bool needs_input_grad(size_t i) const { return i < next_edges.size() && next_edges[i].valid(); }

  SmallVector<Edge> next_edges;
  SmallVector<InputMeta> input_meta;
  // Hooks registered on non-leaf outputs of this node: (output_nr, hook), run before apply.
  std::vector<std::pair<uint32_t, Ref<TensorHook>>> pre_hooks;
  // Tensors that asked retain_grad(): (output_nr, weak impl) — written after pre-hooks.
  std::vector<std::pair<uint32_t, TensorImpl*>> retained;
  uint64_t sequence_nr;
  bool released = false;   // saved tensors were freed by a backward without retain_graph
  // Anomaly mode: the JS stack of the forward call that recorded this node (empty otherwise).
  std::string trace;
};

// Adds into a leaf's .grad. The leaf and its AccumulateGrad know each other only weakly
// (each clears the other's pointer when it dies), so a graph never keeps a leaf alive:
// with create_graph, x.grad's graph reaches x's AccumulateGrad, and a strong link back to x
// would make the cycle x -> grad -> graph -> x that leaks in PyTorch. A gradient for a leaf
// that no longer exists has nowhere to go and is dropped.
struct AccumulateGrad : Node {
  explicit AccumulateGrad(const Ref<TensorImpl>& leaf);
  ~AccumulateGrad() override;
  const char* name() const override { return "AccumulateGrad"; }
  GradList apply(GradList&& grads) override;
  TensorImpl* variable;  // weak; nullptr once the leaf is gone
};

// Where a gradient for `t` should go: its grad_fn, or its leaf's AccumulateGrad, or nowhere.
Edge gradient_edge(const Tensor& t);
// The AccumulateGrad of a leaf that requires grad, created on first use.
Ref<Node> grad_accumulator(const Tensor& leaf);
// Makes `out` the output_nr-th output of `node`, recording its shape for the engine.
void set_history(Tensor& out, const Ref<Node>& node, uint32_t output_nr = 0);
// True when grad mode is on and some input requires grad.
bool any_requires_grad(std::initializer_list<const Tensor*> ts);

// Tensor hooks: on a leaf they run before accumulation into .grad, on a non-leaf before its
// gradient flows on (a pre-hook of its grad_fn). Returns the hook's id.
int64_t register_hook(const Tensor& t, Ref<TensorHook> hook);
// Removes hook `id` from `t` (no-op when it is gone already).
void remove_hook(const Tensor& t, int64_t id);
// retain_grad(): a non-leaf's .grad is filled during backward.
void retain_grad(const Tensor& t);
// The requires_grad setter (`via_method`: requires_grad_(), whose texts differ slightly).
void set_requires_grad(const Tensor& t, bool flag, bool via_method);
// detach_(): t becomes a leaf that does not require grad.
void detach_inplace(const Tensor& t);

}  // namespace tg
