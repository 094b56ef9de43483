// The backward engine.
//
//   1. Seed: each root's gradient goes into the input buffer of the node that made it.
//   2. Count dependencies: how many edges from the graph reach each node (iterative DFS, so
//      a 100,000-node chain never touches the C++ stack deeply).
//   3. Run ready nodes, highest sequence number first (the most recently recorded op first,
//      as PyTorch does): tensor hooks, retain_grad, captures for autograd.grad, then apply
//      (the derivative); each output gradient is reduced to the shape its next node expects
//      (sum_to: the one place broadcasting is undone) and summed into that node's buffer.
//   4. Without keep_graph every node that ran drops its saved tensors.
//
// Hook semantics follow current PyTorch (2.x), which differ from 1.13 in two observable
// ways: retain_grad() always sees the gradient after every tensor hook, and autograd.grad()
// returns an input's gradient after that input's hooks ran when nothing below the input is
// needed (always the case for a leaf).
//
// A hook or a custom Function may be JavaScript (binding/js_callbacks.cc). If it throws, the
// exception unwinds through here: every piece of engine state is local to run_backward, so
// the graph stays usable (nodes that already ran may have freed their saved tensors, as in
// PyTorch).
#include "engine.h"
#include <algorithm>
#include <queue>
#include <unordered_map>
#include <unordered_set>
#include "backward_profile.h"
#include "grad_mode.h"
#include "node_map.h"
#include "../core/error.h"
#include "../core/shape.h"
#include "../ops/ops.h"

namespace tg {

namespace {

struct NodeTask {
  Node* node;
  bool operator<(const NodeTask& o) const { return node->sequence_nr < o.node->sequence_nr; }
};

// Sums gradient `g` into slot `i` of `buf`.
void accumulate_into(GradList& buf, size_t i, Tensor g) {
  if (buf.size() <= i) buf.resize(i + 1);
  if (!buf[i].defined())
    buf[i] = std::move(g);
  else
    buf[i] = ops::add(buf[i], g);
}

// Brings a gradient to the shape and dtype that its destination recorded.
Tensor validate_grad(Tensor g, const InputMeta& meta, Node* producer, size_t index) {
  if (g.shape() != meta.shape) {
    // A gradient that is broadcast relative to the input is summed back to it.
    bool ok = g.dim() >= static_cast<int64_t>(meta.shape.size());
    if (ok) {
      try {
        ok = broadcast_shapes(meta.shape, g.shape()) == g.shape();
      } catch (const Error&) {
        ok = false;
      }
    }
    TG_CHECK(ok, "Function ", producer->name(), " returned an invalid gradient at index ", index, " - got ",
             shape_str(g.shape()), " but expected shape compatible with ", shape_str(meta.shape));
    g = ops::sum_to(g, meta.shape);
  }
  if (g.dtype() != meta.dtype) g = ops::to_dtype(g, meta.dtype);
  return g;
}

// Anomaly mode: PyTorch's "Error detected in X. Traceback of forward call ..." text, which
// PyTorch prints as a warning just before the error; here it is appended to the error itself.
std::string anomaly_note(Node* n) {
  std::string t = n->trace.empty() ? std::string("  (no forward trace was recorded for this node)") : n->trace;
  return str("\n\nError detected in ", n->name(), ". Traceback of forward call that caused the error:\n", t);
}

// Whether a floating-point gradient holds a NaN (anomaly mode's check of each node's output).
bool has_nan(const Tensor& g) {
  if (!is_floating(g.dtype()) || g.numel() == 0) return false;
  Tensor c = ops::contiguous(ops::to_dtype(ops::detach(g), DType::Float64));
  const double* p = c.data<double>();
  for (int64_t i = 0; i < c.numel(); i++)
    if (p[i] != p[i]) return true;
  return false;
}

// Anomaly mode with createGraph: a node recorded while running n's derivative (or summing
// its result into a buffer) points back to n's forward call, as PyTorch's "Traceback of
// forward call that induced the previous calculation".
void inherit_trace(const Tensor& g, Node* n) {
  Node* made = g.defined() ? g.grad_fn() : nullptr;
  if (made && made != n && made->trace.empty() && !n->trace.empty())
    made->trace = str("  (recorded by the backward of ", n->name(),
                      ")\nTraceback of forward call that induced the previous calculation:\n", n->trace);
}

// Runs a node's derivative; in anomaly mode, an error it raises gets the node's forward
// trace, and NaN in any output gradient is an error (PyTorch's engine does the same).
GradList apply_node(Node* n, GradList&& in) {
  if (!AnomalyMode::enabled()) return n->apply(std::move(in));
  GradList out;
  try {
    out = n->apply(std::move(in));
  } catch (const Error& e) {
    throw Error(e.kind, e.what() + anomaly_note(n));
  }
  for (size_t i = 0; i < out.size(); i++)
    if (out[i].defined() && has_nan(out[i]))
      fail(ErrorKind::Error, str("Function '", n->name(), "' returned nan values in its ", i, "th output.", anomaly_note(n)));
  return out;
}

// Runs a tensor hook; checks that a replacement keeps the gradient's size and type.
Tensor run_hook(TensorHook& hook, const Tensor& g) {
  Tensor r = hook.call(g);
  if (!r.defined()) return g;
  TG_CHECK(r.shape() == g.shape(), "hook '", hook.name, "' has changed the size of value");
  TG_CHECK(r.dtype() == g.dtype(), "hook '", hook.name, "' has changed the type of value (was torch.",
           dtype_legacy_name(g.dtype()), " got torch.", dtype_legacy_name(r.dtype()), ")");
  return r;
}

// Adds a gradient into a leaf's .grad (PyTorch's AccumulateGrad::accumulateGrad).
void accumulate_grad(AccumulateGrad* acc, Tensor g, bool create_graph) {
  TensorImpl* leaf = acc->variable;
  if (!leaf) return;  // the leaf is gone (AccumulateGrad knows it weakly): nobody can see its grad
  // (Leaf hooks have already run, in the engine loop, before this is called.)
  if (!leaf->grad) {
    if (create_graph) {
      // A differentiable copy, as PyTorch's clone_obey_contract (grad_fn=<CopyBackwards>).
      Tensor owned = Tensor::empty(g.shape(), g.dtype());
      ops::copy_(owned, g);
      leaf->grad = owned.ref();
      return;
    }
    // Take the buffer when nobody else holds it and it is a plain dense tensor. A contiguous
    // view whose base is held by nothing but the view (e.g. W.T's gradient transposed back)
    // is taken too, as a fresh alias of the storage, no longer a view.
    const TensorImpl* base = g.impl()->view_base.get();
    const bool private_view = base && base->refcount_ == 1 && !base->view_base && g.storage()->refcount_ == 2;
    bool steal = g.impl()->refcount_ == 1 && g.is_contiguous() && g.numel() > 0 && g.offset() == 0 &&
                 (g.storage()->refcount_ == 1 || private_view) &&
                 g.storage()->nbytes == static_cast<size_t>(g.numel()) * g.itemsize() && !g.requires_grad();
    if (steal && private_view) g = g.alias(g.shape(), g.strides(), 0);
    leaf->grad = steal ? g.ref() : ops::clone_detached(g).ref();
  } else if (create_graph || GradMode::enabled()) {
    leaf->grad = ops::add(Tensor(leaf->grad), g).ref();
  } else {
    Tensor cur(leaf->grad);
    ops::add_inplace_raw(cur, g);
  }
}

// .grad += g for a non-leaf (retain_grad, or backward(inputs=[non-leaf])).
void accumulate_nonleaf(TensorImpl* impl, const Tensor& g) {
  if (!impl->grad)
    impl->grad = ops::clone_detached(g).ref();
  else
    impl->grad = ops::add(Tensor(impl->grad), ops::detach(g)).ref();
}

}  // namespace

std::vector<Tensor> run_backward(const std::vector<Tensor>& roots, const std::vector<Tensor>& grads,
                                 const std::vector<Tensor>& inputs, const BackwardOptions& opts) {
  // ---- 1. Root gradients (PyTorch's _make_grads, then the engine's requires-grad check).
  GradList seeds(roots.size());
  for (size_t i = 0; i < roots.size(); i++) {
    const Tensor& r = roots[i];
    Tensor g = i < grads.size() ? grads[i] : Tensor();
    if (g.defined()) {
      TG_CHECK(g.shape() == r.shape(), "Mismatch in shape: grad_output[", i, "] has a shape of torch.Size(",
               shape_str(g.shape()), ") and output[", i, "] has a shape of torch.Size(", shape_str(r.shape()), ").");
      if (g.dtype() != r.dtype() && is_floating(r.dtype())) g = ops::to_dtype(ops::detach(g), r.dtype());
    } else if (r.requires_grad()) {
      TG_CHECK(r.numel() == 1, "grad can be implicitly created only for scalar outputs");
      g = ops::ones_like(r);
    }
    seeds[i] = g;
  }
  SmallVector<Edge> root_edges;
  for (size_t i = 0; i < roots.size(); i++) {
    TG_CHECK(roots[i].requires_grad(), "element ", i, " of tensors does not require grad and does not have a grad_fn");
    root_edges.push_back(gradient_edge(roots[i]));
    // A view that requires grad only through its base (made under no_grad) has no edge.
    TG_CHECK(root_edges.back().fn, "element ", i, " of tensors does not require grad and does not have a grad_fn");
  }

  // ---- 2. Targets: the inputs of autograd.grad, or backward(inputs=...).
  // A leaf is reached through its AccumulateGrad node, a non-leaf through (grad_fn, output_nr).
  struct Target {
    Ref<Node> node;  // keeps a leaf's accumulator alive for the run
    uint32_t output_nr;
    bool is_leaf;
  };
  std::vector<Target> targets;
  for (const Tensor& t : inputs) {
    if (opts.accumulate) {
      // PyTorch 1.13 calls retain_grad() on each non-leaf input, hence its message here.
      TG_CHECK(t.requires_grad(), "can't retain_grad on Tensor that has requires_grad=False");
    } else {
      TG_CHECK(t.requires_grad(), "One of the differentiated Tensors does not require grad");
    }
    Edge e = gradient_edge(t);
    targets.push_back({e.fn, e.input_nr, t.is_leaf()});
  }
  std::vector<Tensor> captured(inputs.size());

  GradModeGuard mode(opts.create_graph);

  // ---- 3. Discover the graph: dependency counts (iterative, no recursion).
  NodeMap<int> deps;
  {
    NodeMap<char> seen;
    SmallVector<Node*> stack;
    for (auto& e : root_edges)
      if (e.fn && seen.insert(e.fn.get())) stack.push_back(e.fn.get());
    while (!stack.empty()) {
      Node* n = stack.back();
      stack.pop_back();
      for (auto& e : n->next_edges) {
        if (!e.fn) continue;
        deps[e.fn.get()]++;
        if (seen.insert(e.fn.get())) stack.push_back(e.fn.get());
      }
    }
  }

  // With targets, only nodes with a path to a target run (PyTorch's exec_info): computed
  // on an iterative post-order, so each node is decided after everything below it.
  std::unordered_set<Node*> target_nodes;
  for (auto& t : targets) target_nodes.insert(t.node.get());
  std::unordered_set<Node*> needed;
  if (!targets.empty()) {
    std::vector<Node*> post;
    std::unordered_set<Node*> done;
    for (auto& re : root_edges) {
      if (!re.fn || !done.insert(re.fn.get()).second) continue;
      std::vector<std::pair<Node*, size_t>> st{{re.fn.get(), 0}};
      while (!st.empty()) {
        auto& top = st.back();
        if (top.second < top.first->next_edges.size()) {
          Node* c = top.first->next_edges[top.second++].fn.get();
          if (c && done.insert(c).second) st.push_back({c, 0});
        } else {
          post.push_back(top.first);
          st.pop_back();
        }
      }
    }
    for (Node* n : post) {
      for (auto& e : n->next_edges)
        if (e.fn && (needed.count(e.fn.get()) || target_nodes.count(e.fn.get()))) {
          needed.insert(n);
          break;
        }
    }
  }
  // apply() runs for needed nodes; a target that is not needed only has its input captured.
  auto should_apply = [&](Node* n) { return targets.empty() || needed.count(n) > 0; };
  auto should_visit = [&](Node* n) { return targets.empty() || needed.count(n) || target_nodes.count(n); };

  // ---- 4. Seed the input buffers.
  NodeMap<GradList> buffers;
  buffers.reserve(deps.size() + root_edges.size());
  for (size_t i = 0; i < roots.size(); i++) {
    Edge& e = root_edges[i];
    if (seeds[i].defined()) accumulate_into(buffers[e.fn.get()], e.input_nr, seeds[i]);
  }

  std::priority_queue<NodeTask, SmallVector<NodeTask>> ready;
  {
    NodeMap<char> pushed;
    for (auto& e : root_edges)
      if (deps[e.fn.get()] == 0 && should_visit(e.fn.get()) && pushed.insert(e.fn.get()))
        ready.push({e.fn.get()});
  }

  // ---- 5. Run.
  while (!ready.empty()) {
    Node* n = ready.top().node;
    ready.pop();
    GradList in;
    if (GradList* b = buffers.find(n)) in = std::move(*b);  // each node runs once
    in.resize(std::max<size_t>(in.size(), n->num_outputs()));
    auto* acc = dynamic_cast<AccumulateGrad*>(n);

    // Captures: autograd.grad's results, or backward(inputs=[non-leaf]) into .grad.
    auto capture = [&] {
      for (size_t i = 0; i < targets.size(); i++) {
        if (targets[i].node.get() != n) continue;
        uint32_t nr = targets[i].is_leaf ? 0 : targets[i].output_nr;
        const Tensor& g = nr < in.size() ? in[nr] : Tensor();
        if (!g.defined()) continue;
        if (!opts.accumulate)
          captured[i] = opts.create_graph ? g : ops::detach(g);
        else if (!targets[i].is_leaf && !inputs[i].impl()->retains_grad)
          accumulate_nonleaf(inputs[i].impl(), g);
      }
    };
    // As in PyTorch's evaluate_function: a node that will run captures its input before its
    // tensor hooks (they run as part of running it); a node visited only to be captured runs
    // the hooks first. So autograd.grad(y, [x]) returns x's gradient after x's hooks.
    bool applies = !acc && should_apply(n);
    if (applies) capture();

    // Tensor hooks, in registration order: a leaf's live on its TensorImpl, a non-leaf's on
    // the node that made it. Then retain_grad sees the hooked gradient.
    if (acc) {
      if (in[0].defined() && acc->variable)
        for (size_t k = 0; k < acc->variable->leaf_hooks.size(); k++) {
          Ref<TensorHook> h = acc->variable->leaf_hooks[k];  // a hook may remove hooks
          in[0] = run_hook(*h, in[0]);
        }
    } else {
      for (size_t k = 0; k < n->pre_hooks.size(); k++) {
        auto [nr, hook] = n->pre_hooks[k];
        if (nr < in.size() && in[nr].defined()) in[nr] = run_hook(*hook, in[nr]);
      }
      for (size_t k = 0; k < n->retained.size(); k++) {
        auto [nr, impl] = n->retained[k];
        if (nr < in.size() && in[nr].defined()) accumulate_nonleaf(impl, in[nr]);
      }
    }
    if (!applies) capture();

    // torch.profile's row for this node: its derivative, the sum_to of what it returns, and
    // for a leaf the accumulation into .grad (not the hooks: JS time is not native time).
    BackwardProfileScope timed(n->name());
    GradList out;
    if (acc) {
      if (opts.accumulate && in[0].defined()) accumulate_grad(acc, std::move(in[0]), opts.create_graph);
    } else if (applies) {
      bool any = false;
      for (auto& g : in) any = any || g.defined();
      if (any) out = apply_node(n, std::move(in));
      if (!opts.keep_graph) {
        n->release_variables();
        n->released = true;
      }
    }

    for (size_t i = 0; i < n->next_edges.size(); i++) {
      Edge& e = n->next_edges[i];
      if (!e.fn) continue;
      Node* next = e.fn.get();
      if (i < out.size() && out[i].defined()) {
        GradList& buf = buffers[next];
        accumulate_into(buf, e.input_nr, validate_grad(out[i], next->input_meta[e.input_nr], n, i));
        if (AnomalyMode::enabled()) inherit_trace(buf[e.input_nr], n);
      }
      if (--deps[next] == 0 && should_visit(next)) ready.push({next});
    }
  }

  if (!opts.accumulate) {
    for (size_t i = 0; i < captured.size(); i++)
      TG_CHECK(captured[i].defined() || opts.allow_unused,
               "One of the differentiated Tensors appears to not have been used in the graph. Set "
               "allow_unused=True if this is the desired behavior.");
  }
  return captured;
}

}  // namespace tg
