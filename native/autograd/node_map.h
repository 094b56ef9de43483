// A small open-addressing hash map keyed by Node*, for the backward engine's per-run
// bookkeeping (dependency counts, input buffers, visited sets). A backward of a small graph
// (the common training-loop case: a handful of nodes) used to spend more on
// std::unordered_map node and bucket allocations than on its derivatives; this keeps up to
// kInline entries without allocating and grows by doubling. No erase: entries live for the
// run.
#pragma once
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace tg {

struct Node;

template <class V, size_t kInline = 16>
class NodeMap {
 public:
  NodeMap() : cap_(kInline) {
    for (size_t i = 0; i < kInline; i++) inline_keys_[i] = nullptr;
  }
  NodeMap(const NodeMap&) = delete;
  NodeMap& operator=(const NodeMap&) = delete;

  // The value for k, value-initialised on first use.
  V& operator[](Node* k) {
    size_t i = slot(k);
    if (keys()[i] == k) return vals()[i];
    if ((size_ + 1) * 4 > cap_ * 3) {
      grow(cap_ * 2);
      i = slot(k);
    }
    keys()[i] = k;
    size_++;
    return vals()[i];
  }
  // Null when k has no entry.
  V* find(Node* k) {
    size_t i = slot(k);
    return keys()[i] == k ? &vals()[i] : nullptr;
  }
  bool contains(Node* k) { return find(k) != nullptr; }
  size_t size() const { return size_; }
  // Makes room for n entries at once (one allocation instead of repeated doubling).
  void reserve(size_t n) {
    size_t c = cap_;
    while (n * 4 > c * 3) c *= 2;
    if (c != cap_) grow(c);
  }
  // Inserts k; false when it was there already (a set's insert).
  bool insert(Node* k) {
    size_t before = size_;
    (*this)[k];
    return size_ != before;
  }

 private:
  Node** keys() { return heap_keys_.empty() ? inline_keys_ : heap_keys_.data(); }
  V* vals() { return heap_keys_.empty() ? inline_vals_ : heap_vals_.data(); }
  // The slot holding k, or the empty slot where it would go (linear probing).
  size_t slot(Node* k) {
    size_t mask = cap_ - 1;
    size_t i = (reinterpret_cast<uintptr_t>(k) >> 4) * 0x9E3779B97F4A7C15ull >> 20 & mask;
    Node** ks = keys();
    while (ks[i] != nullptr && ks[i] != k) i = (i + 1) & mask;
    return i;
  }
  void grow(size_t new_cap) {
    size_t old_cap = cap_;
    std::vector<Node*> ok(keys(), keys() + old_cap);
    std::vector<V> ov;
    ov.reserve(old_cap);
    for (size_t i = 0; i < old_cap; i++) ov.push_back(std::move(vals()[i]));
    cap_ = new_cap;
    std::vector<Node*> nk(cap_, nullptr);
    std::vector<V> nv(cap_);
    heap_keys_.swap(nk);
    heap_vals_.swap(nv);
    for (size_t i = 0; i < old_cap; i++) {
      if (!ok[i]) continue;
      size_t j = slot(ok[i]);
      heap_keys_[j] = ok[i];
      heap_vals_[j] = std::move(ov[i]);
    }
  }

  size_t cap_;
  size_t size_ = 0;
  Node* inline_keys_[kInline];
  V inline_vals_[kInline] = {};
  std::vector<Node*> heap_keys_;
  std::vector<V> heap_vals_;
};

}  // namespace tg
