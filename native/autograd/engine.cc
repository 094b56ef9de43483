// The backward engine.
//
//   1. Seed: each root's gradient goes into the input buffer of the node that made it.
//   2. Count dependencies: how many edges from the graph reach each node (iterative DFS, so
//      a 100,000-node chain never touches the C++ stack deeply).
//   3. Run ready nodes, highest sequence number first (the most recently recorded op first,
//      as PyTorch does): pre-hooks, apply (the derivative), then each output gradient is
//      reduced to the shape its next node expects (sum_to: the one place broadcasting is
//      undone) and summed into that node's input buffer.
//   4. Without keep_graph every node that ran drops its saved tensors.
#include "engine.h"
#include <algorithm>
#include <queue>
#include <unordered_map>
#include <unordered_set>
#include "grad_mode.h"
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
void accumulate_into(std::vector<Tensor>& buf, size_t i, Tensor g) {
  if (buf.size() <= i) buf.resize(i + 1);
  if (!buf[i].defined())
    buf[i] = std::move(g);
  else
    buf[i] = ops::add(buf[i], g);
}

// Brings a gradient to the shape and dtype that its destination recorded.
Tensor validate_grad(Tensor g, const InputMeta& meta, Node* producer) {
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
    TG_CHECK(ok, "Function ", producer->name(), " returned an invalid gradient - got ", shape_str(g.shape()),
             " but expected shape compatible with ", shape_str(meta.shape));
    g = ops::sum_to(g, meta.shape);
  }
  if (g.dtype() != meta.dtype) g = ops::to_dtype(g, meta.dtype);
  return g;
}

void accumulate_grad(AccumulateGrad* acc, Tensor g, bool create_graph) {
  TensorImpl* leaf = acc->variable;
  if (!leaf) return;  // the leaf is gone (AccumulateGrad knows it weakly): nobody can see its grad
  for (auto& hook : leaf->leaf_hooks) {
    Tensor r = hook->call(g);
    if (r.defined()) g = r;
  }
  if (!leaf->grad) {
    // Take the buffer when nobody else holds it and it is a plain dense tensor.
    bool steal = !create_graph && g.impl()->refcount_ == 1 && g.is_contiguous() && g.numel() > 0 &&
                 g.storage()->nbytes == static_cast<size_t>(g.numel()) * g.itemsize() && !g.requires_grad();
    Tensor owned = steal ? g : (create_graph ? g : ops::clone_detached(g));
    leaf->grad = owned.ref();
  } else if (create_graph || GradMode::enabled()) {
    leaf->grad = ops::add(Tensor(leaf->grad), g).ref();
  } else {
    Tensor cur(leaf->grad);
    ops::add_inplace_raw(cur, g);
  }
}

}  // namespace

std::vector<Tensor> run_backward(const std::vector<Tensor>& roots, const std::vector<Tensor>& grads,
                                 const std::vector<Tensor>& inputs, const BackwardOptions& opts) {
  GradModeGuard mode(opts.create_graph);

  // Root edges and their seeds.
  std::vector<Edge> root_edges;
  for (size_t i = 0; i < roots.size(); i++) {
    const Tensor& r = roots[i];
    TG_CHECK(r.requires_grad(), "element ", i, " of tensors does not require grad and does not have a grad_fn");
    root_edges.push_back(gradient_edge(r));
  }

  // Capture targets (autograd.grad, or backward(inputs=...)).
  // For a leaf: its AccumulateGrad node. For a non-leaf: (grad_fn, output_nr).
  struct Target {
    Node* node;
    uint32_t output_nr;
    bool is_leaf;
  };
  std::vector<Target> targets;
  std::vector<Ref<Node>> target_refs;  // keep accumulators alive during the run
  for (size_t i = 0; i < inputs.size(); i++) {
    const Tensor& t = inputs[i];
    TG_CHECK(t.requires_grad(), opts.accumulate ? "One of the differentiated Tensors does not require grad"
                                                : "One of the differentiated Tensors does not require grad");
    Edge e = gradient_edge(t);
    target_refs.push_back(e.fn);
    targets.push_back({e.fn.get(), e.input_nr, t.is_leaf()});
  }
  std::vector<Tensor> captured(inputs.size());

  // Discover the graph: dependencies and which nodes lead to a target.
  std::unordered_map<Node*, int> deps;
  std::vector<Node*> order;  // discovery order
  {
    std::unordered_set<Node*> seen;
    std::vector<Node*> stack;
    for (auto& e : root_edges)
      if (e.fn && seen.insert(e.fn.get()).second) stack.push_back(e.fn.get());
    while (!stack.empty()) {
      Node* n = stack.back();
      stack.pop_back();
      order.push_back(n);
      for (auto& e : n->next_edges) {
        if (!e.fn) continue;
        deps[e.fn.get()]++;
        if (seen.insert(e.fn.get()).second) stack.push_back(e.fn.get());
      }
    }
  }
  std::unordered_set<Node*> target_nodes;
  for (auto& t : targets) target_nodes.insert(t.node);
  // needed: runs because a target lies at or below it. Without targets, every node runs.
  std::unordered_set<Node*> needed;
  if (!targets.empty()) {
    // Reverse discovery order is not topological in general; iterate to a fixed point
    // over a post-order computed iteratively.
    std::unordered_map<Node*, size_t> idx;
    std::vector<Node*> post;
    std::unordered_set<Node*> done;
    for (auto& re : root_edges) {
      if (!re.fn || done.count(re.fn.get())) continue;
      std::vector<std::pair<Node*, size_t>> st{{re.fn.get(), 0}};
      done.insert(re.fn.get());
      while (!st.empty()) {
        auto& [n, k] = st.back();
        if (k < n->next_edges.size()) {
          Node* c = n->next_edges[k++].fn.get();
          if (c && done.insert(c).second) st.push_back({c, 0});
        } else {
          post.push_back(n);
          st.pop_back();
        }
      }
    }
    for (Node* n : post) {
      bool need = false;
      for (auto& e : n->next_edges)
        if (e.fn && (needed.count(e.fn.get()) || target_nodes.count(e.fn.get()))) need = true;
      if (need) needed.insert(n);
    }
  }
  auto should_run = [&](Node* n) { return targets.empty() || needed.count(n); };

  // Seed the buffers.
  std::unordered_map<Node*, std::vector<Tensor>> buffers;
  for (size_t i = 0; i < roots.size(); i++) {
    Edge& e = root_edges[i];
    Tensor g = grads[i];
    if (!g.defined()) {
      TG_CHECK(roots[i].numel() == 1, "grad can be implicitly created only for scalar outputs");
      g = ops::ones_like(roots[i]);
    } else {
      TG_CHECK(g.shape() == roots[i].shape(), "Mismatch in shape: grad_output[", i, "] has a shape of ",
               shape_str(g.shape()), " and output[", i, "] has a shape of ", shape_str(roots[i].shape()), ".");
    }
    accumulate_into(buffers[e.fn.get()], e.input_nr, g);
  }

  std::priority_queue<NodeTask> ready;
  {
    std::unordered_set<Node*> pushed;
    for (auto& e : root_edges)
      if (deps[e.fn.get()] == 0 && pushed.insert(e.fn.get()).second) ready.push({e.fn.get()});
  }

  while (!ready.empty()) {
    Node* n = ready.top().node;
    ready.pop();
    std::vector<Tensor> in = std::move(buffers[n]);
    buffers.erase(n);
    in.resize(std::max<size_t>(in.size(), n->num_outputs()));

    // Tensor hooks on this node's outputs, then retain_grad, then captures.
    for (auto& [nr, hook] : n->pre_hooks) {
      if (nr < in.size() && in[nr].defined()) {
        Tensor r = hook->call(in[nr]);
        if (r.defined()) in[nr] = r;
      }
    }
    if (opts.accumulate) {
      for (auto& [nr, impl] : n->retained) {
        if (nr >= in.size() || !in[nr].defined()) continue;
        if (!inputs.empty()) {
          bool listed = false;
          for (auto& t : inputs) listed = listed || t.impl() == impl;
          if (!listed) continue;
        }
        if (!impl->grad)
          impl->grad = ops::clone_detached(in[nr]).ref();
        else
          impl->grad = ops::add(Tensor(impl->grad), in[nr]).ref();
      }
    }
    bool is_acc = dynamic_cast<AccumulateGrad*>(n) != nullptr;
    for (size_t i = 0; i < targets.size(); i++) {
      if (targets[i].node != n) continue;
      const Tensor& g = targets[i].output_nr < in.size() ? in[targets[i].output_nr] : Tensor();
      if (!opts.accumulate) {
        if (g.defined()) captured[i] = opts.create_graph ? g : ops::detach(g);
      } else if (!targets[i].is_leaf && g.defined()) {
        // backward(inputs=[non-leaf]): accumulate into its .grad.
        TensorImpl* impl = inputs[i].impl();
        if (!impl->retains_grad) {
          if (!impl->grad) impl->grad = ops::clone_detached(g).ref();
          else impl->grad = ops::add(Tensor(impl->grad), g).ref();
        }
      }
    }

    std::vector<Tensor> out;
    if (is_acc) {
      bool run_acc = opts.accumulate && (targets.empty() || target_nodes.count(n));
      if (run_acc && in[0].defined()) accumulate_grad(static_cast<AccumulateGrad*>(n), in[0], opts.create_graph);
    } else if (should_run(n)) {
      bool any = false;
      for (auto& g : in) any = any || g.defined();
      if (any) out = n->apply(std::move(in));
      if (!opts.keep_graph) {
        n->release_variables();
        n->released = true;
      }
    }

    for (size_t i = 0; i < n->next_edges.size(); i++) {
      Edge& e = n->next_edges[i];
      if (!e.fn) continue;
      Node* next = e.fn.get();
      if (i < out.size() && out[i].defined())
        accumulate_into(buffers[next], e.input_nr, validate_grad(out[i], next->input_meta[e.input_nr], n));
      if (--deps[next] == 0 && (should_run(next) || target_nodes.count(next))) ready.push({next});
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
