#include "node.h"
#include "grad_mode.h"
#include "op_node.h"
#include "../core/error.h"
#include "../core/shape.h"

namespace tg {

namespace {
thread_local uint64_t g_next_sequence_nr = 0;
}

Node::Node() : sequence_nr(g_next_sequence_nr++) {}
Node::~Node() = default;

// ---------------------------------------------------------------- SavedTensor

SavedTensor::SavedTensor(const Tensor& t, bool is_output) {
  if (!t.defined()) return;
  version_ = t.storage()->version;
  is_output_ = is_output;
  // An output of the node saving it requires grad even when set_history has not run yet
  // (ops often save first): unpacking must re-attach the node, or create_graph would lose
  // the path through it (the third derivative of exp, say).
  requires_grad_ = is_output || t.requires_grad();
  if (is_output) {
    // Keep the data but not the grad_fn (the node itself): saving it would make a cycle.
    data_ = t.alias(t.shape(), t.strides(), t.offset());
    output_nr_ = t.impl()->output_nr;
  } else if (t.is_leaf() && t.requires_grad()) {
    // Keep the data, and the leaf itself only weakly through its AccumulateGrad: with
    // create_graph the graph of x.grad saves x, and a strong reference would make the cycle
    // x -> x.grad -> graph -> x (PyTorch's documented create_graph leak).
    data_ = t.alias(t.shape(), t.strides(), t.offset());
    leaf_acc_ = grad_accumulator(t);
  } else {
    data_ = t;
  }
}

Tensor SavedTensor::unpack(Node* owner) const {
  if (released_) {
    fail(ErrorKind::Error,
         "Trying to backward through the graph a second time (or directly access saved tensors after they "
         "have already been freed). Saved intermediate values of the graph are freed when you call "
         ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
         "graph a second time or if you need to access saved tensors after calling backward.");
  }
  if (!data_.defined()) return Tensor();
  uint32_t now = data_.storage()->version;
  if (now != version_) {
    std::string which;  // PyTorch names the producing node, or nothing for a leaf
    if (is_output_)
      which = str(", which is output ", output_nr_, " of ", owner->name(), ",");
    else if (data_.grad_fn())
      which = str(", which is output ", data_.impl()->output_nr, " of ", data_.grad_fn()->name(), ",");
    fail(ErrorKind::Error,
         str("one of the variables needed for gradient computation has been modified by an inplace operation: "
             "[torch.", dtype_legacy_name(data_.dtype()), " ", shape_str(data_.shape()), "]", which,
             " is at version ", now, "; expected version ", version_,
             " instead. ",
             AnomalyMode::enabled()
                 ? "Hint: the backtrace further above shows the operation that failed to compute its gradient. "
                   "The variable in question was changed in there or anywhere later. Good luck!"
                 : "Hint: enable anomaly detection to find the operation that failed to compute its "
                   "gradient, with torch.autograd.set_detect_anomaly(True)."));
  }
  if (leaf_acc_) {
    // The leaf itself while it lives (so double backward reaches its AccumulateGrad);
    // once it is gone, its data as a constant.
    TensorImpl* leaf = static_cast<AccumulateGrad*>(leaf_acc_.get())->variable;
    return leaf ? Tensor(Ref<TensorImpl>(leaf)) : data_;
  }
  if (is_output_ && requires_grad_) {
    Tensor t = data_.alias(data_.shape(), data_.strides(), data_.offset());
    t.impl()->grad_fn = Ref<Node>(owner);
    t.impl()->output_nr = output_nr_;
    return t;
  }
  return data_;
}

// ---------------------------------------------------------------- AccumulateGrad

AccumulateGrad::AccumulateGrad(const Ref<TensorImpl>& leaf) : variable(leaf.get()) {
  input_meta.push_back({variable->shape, variable->dtype});
  sequence_nr = UINT64_MAX;  // run as soon as ready, as PyTorch does
}

// The engine accumulates into the leaf itself (engine.cc: accumulate_grad), because it
// needs the backward options; this node only marks where a leaf's gradient goes.
GradList AccumulateGrad::apply(GradList&&) { return {}; }

AccumulateGrad::~AccumulateGrad() {
  if (variable && variable->grad_accumulator == this) variable->grad_accumulator = nullptr;
}

Ref<Node> grad_accumulator(const Tensor& leaf) {
  TensorImpl* impl = leaf.impl();
  if (!impl->requires_grad) return nullptr;
  if (impl->grad_accumulator) return Ref<Node>(impl->grad_accumulator);
  Ref<AccumulateGrad> acc = make_ref<AccumulateGrad>(leaf.ref());
  impl->grad_accumulator = acc.get();
  return Ref<Node>(acc.get());
}

Edge gradient_edge(const Tensor& t) {
  if (!t.defined()) return Edge{};
  if (t.grad_fn()) return Edge{t.impl()->grad_fn, t.impl()->output_nr};  // grad_fn(): refreshes a stale view
  return Edge{grad_accumulator(t), 0};
}

void set_history(Tensor& out, const Ref<Node>& node, uint32_t output_nr) {
  out.impl()->grad_fn = node;
  out.impl()->output_nr = output_nr;
  if (node->input_meta.size() <= output_nr) node->input_meta.resize(output_nr + 1);
  node->input_meta[output_nr] = InputMeta{out.shape(), out.dtype()};
}

bool any_requires_grad(std::initializer_list<const Tensor*> ts) {
  if (!GradMode::enabled()) return false;
  for (const Tensor* t : ts)
    if (t && t->defined() && t->requires_grad()) return true;
  return false;
}

// ---------------------------------------------------------------- tensor-level autograd API

namespace {
thread_local int64_t g_next_hook_id = 1;
}

int64_t register_hook(const Tensor& t, Ref<TensorHook> hook) {
  TG_CHECK(t.requires_grad(), "cannot register a hook on a tensor that doesn't require gradient");
  hook->id = g_next_hook_id++;
  if (t.is_leaf())
    t.impl()->leaf_hooks.push_back(hook);
  else
    t.grad_fn()->pre_hooks.push_back({t.impl()->output_nr, hook});
  return hook->id;
}

void remove_hook(const Tensor& t, int64_t id) {
  auto& lh = t.impl()->leaf_hooks;
  for (size_t i = 0; i < lh.size(); i++)
    if (lh[i]->id == id) {
      lh.erase(lh.begin() + static_cast<long>(i));
      return;
    }
  if (Node* fn = t.grad_fn()) {
    auto& ph = fn->pre_hooks;
    for (size_t i = 0; i < ph.size(); i++)
      if (ph[i].second->id == id) {
        ph.erase(ph.begin() + static_cast<long>(i));
        return;
      }
  }
}

void retain_grad(const Tensor& t) {
  TG_CHECK(t.requires_grad(), "can't retain_grad on Tensor that has requires_grad=False");
  if (t.is_leaf() || t.impl()->retains_grad) return;  // a leaf keeps its .grad anyway
  t.impl()->retains_grad = true;
  t.grad_fn()->retained.push_back({t.impl()->output_nr, t.impl()});
}

void set_requires_grad(const Tensor& t, bool flag, bool via_method) {
  if (!t.is_leaf()) {
    // requires_grad_(True) on a non-leaf is allowed (it already requires grad); the setter is not.
    if (via_method && flag) return;
    fail(ErrorKind::Error, flag ? "you can only change requires_grad flags of leaf variables."
                                : "you can only change requires_grad flags of leaf variables. If you want to use a "
                                  "computed variable in a subgraph that doesn't require differentiation use "
                                  "var_no_grad = var.detach().");
  }
  if (flag && !is_floating(t.dtype()))
    fail(ErrorKind::Error, via_method ? "only Tensors of floating point dtype can require gradients"
                                      : "only Tensors of floating point and complex dtype can require gradients");
  t.impl()->requires_grad = flag;
}

void detach_inplace(const Tensor& t) {
  TG_CHECK(!t.impl()->view_base,
           "Can't detach views in-place. Use detach() instead. If you are using DistributedDataParallel (DDP) for "
           "training, and gradient_as_bucket_view is set as True, gradients are views of DDP buckets, and hence "
           "detach_() cannot be called on these gradients. To fix this error, please refer to the "
           "Optimizer.zero_grad() function in torch/optim/optimizer.py as the solution.");
  TensorImpl* impl = t.impl();
  if (impl->retains_grad && impl->grad_fn) {
    auto& r = impl->grad_fn->retained;
    for (size_t i = 0; i < r.size(); i++)
      if (r[i].second == impl) {
        r.erase(r.begin() + static_cast<long>(i));
        break;
      }
  }
  impl->retains_grad = false;
  impl->grad_fn.reset();
  impl->output_nr = 0;
  impl->requires_grad = false;
}

// ---------------------------------------------------------------- OpNode recording

void OpNode::add_inputs(std::initializer_list<const Tensor*> inputs) {
  next_edges.reserve(next_edges.size() + inputs.size());  // one allocation, not one per doubling
  for (const Tensor* t : inputs) {
    if (t && t->defined() && t->requires_grad())
      next_edges.push_back(gradient_edge(*t));
    else
      next_edges.push_back(Edge{});
  }
}

Ref<OpNode> record(OpKind kind, const char* name, std::initializer_list<const Tensor*> inputs) {
  if (!any_requires_grad(inputs)) return nullptr;
  Ref<OpNode> n = make_ref<OpNode>(kind, name);
  n->add_inputs(inputs);
  return n;
}

Ref<OpNode> record(OpKind kind, const char* name, const std::vector<Tensor>& inputs) {
  if (!GradMode::enabled()) return nullptr;
  bool any = false;
  for (const Tensor& t : inputs) any = any || (t.defined() && t.requires_grad());
  if (!any) return nullptr;
  Ref<OpNode> n = make_ref<OpNode>(kind, name);
  n->next_edges.reserve(inputs.size());
  for (const Tensor& t : inputs) n->next_edges.push_back(t.requires_grad() ? gradient_edge(t) : Edge{});
  return n;
}

}  // namespace tg
