// The backward engine (PyTorch's engine.cpp, single-threaded).
#pragma once
#include <vector>
#include "node.h"

namespace tg {

struct BackwardOptions {
  bool keep_graph = false;    // retain_graph: keep saved tensors for another backward
  bool create_graph = false;  // record the backward ops so the gradients are differentiable
  bool accumulate = true;     // backward(): add into .grad; autograd.grad(): return instead
  bool allow_unused = false;
};

// Runs backward from `roots` seeded with `grads` (same length; undefined = ones for a scalar).
// `inputs`: for accumulate=false, the tensors whose gradients are returned (one per input,
// undefined when unused and allow_unused); for accumulate=true, if non-empty, only these
// tensors' .grad is written.
std::vector<Tensor> run_backward(const std::vector<Tensor>& roots, const std::vector<Tensor>& grads,
                                 const std::vector<Tensor>& inputs, const BackwardOptions& opts);

}  // namespace tg
