// Dims: a tensor's shape or strides — a vector of int64 that keeps up to kInline values
// inside the object itself.
//
// Why not std::vector: every tensor has two of these, and a 1-element op used to spend two
// malloc/free pairs on them (plus more for the temporaries of broadcasting and stride
// arithmetic). V8 frees tensors in bursts inside its GC, where those frees made glibc
// coalesce and consolidate its bins (measured: malloc_consolidate alone was 12% of W4).
// Tensors of more than kInline dims spill to the heap as a std::vector would.
//
// The interface is the subset of std::vector the code uses; iterators are plain pointers.
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <iterator>
#include <new>
#include <type_traits>

namespace tg {

class Dims {
 public:
  using value_type = int64_t;
  using size_type = size_t;
  using difference_type = std::ptrdiff_t;
  using reference = int64_t&;
  using const_reference = const int64_t&;
  using pointer = int64_t*;
  using const_pointer = const int64_t*;
  using iterator = int64_t*;
  using const_iterator = const int64_t*;
  using reverse_iterator = std::reverse_iterator<iterator>;
  using const_reverse_iterator = std::reverse_iterator<const_iterator>;

  static constexpr size_t kInline = 6;

  Dims() noexcept : data_(inline_), size_(0), cap_(kInline) {}
  explicit Dims(size_t n, int64_t v = 0) : Dims() { assign(n, v); }
  Dims(std::initializer_list<int64_t> il) : Dims() { assign(il.begin(), il.end()); }
  template <class It, class = typename std::enable_if<!std::is_integral<It>::value>::type>
  Dims(It first, It last) : Dims() {
    assign(first, last);
  }
  Dims(const Dims& o) : Dims() { assign(o.begin(), o.end()); }
  Dims(Dims&& o) noexcept : Dims() { steal(o); }
  ~Dims() { release(); }

  Dims& operator=(const Dims& o) {
    if (this != &o) assign(o.begin(), o.end());
    return *this;
  }
  Dims& operator=(Dims&& o) noexcept {
    if (this != &o) {
      release();
      data_ = inline_;
      size_ = 0;
      cap_ = kInline;
      steal(o);
    }
    return *this;
  }
  Dims& operator=(std::initializer_list<int64_t> il) {
    assign(il.begin(), il.end());
    return *this;
  }

  size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  size_t capacity() const noexcept { return cap_; }
  int64_t* data() noexcept { return data_; }
  const int64_t* data() const noexcept { return data_; }
  int64_t& operator[](size_t i) noexcept { return data_[i]; }
  const int64_t& operator[](size_t i) const noexcept { return data_[i]; }
  int64_t& front() noexcept { return data_[0]; }
  const int64_t& front() const noexcept { return data_[0]; }
  int64_t& back() noexcept { return data_[size_ - 1]; }
  const int64_t& back() const noexcept { return data_[size_ - 1]; }

  iterator begin() noexcept { return data_; }
  iterator end() noexcept { return data_ + size_; }
  const_iterator begin() const noexcept { return data_; }
  const_iterator end() const noexcept { return data_ + size_; }
  const_iterator cbegin() const noexcept { return data_; }
  const_iterator cend() const noexcept { return data_ + size_; }
  reverse_iterator rbegin() noexcept { return reverse_iterator(end()); }
  reverse_iterator rend() noexcept { return reverse_iterator(begin()); }
  const_reverse_iterator rbegin() const noexcept { return const_reverse_iterator(end()); }
  const_reverse_iterator rend() const noexcept { return const_reverse_iterator(begin()); }

  void reserve(size_t n) {
    if (n > cap_) grow_to(n);
  }
  void clear() noexcept { size_ = 0; }
  void resize(size_t n, int64_t v = 0) {
    reserve(n);
    for (size_t i = size_; i < n; i++) data_[i] = v;
    size_ = static_cast<uint32_t>(n);
  }
  void assign(size_t n, int64_t v) {
    size_ = 0;
    resize(n, v);
  }
  template <class It>
  void assign(It first, It last) {
    const size_t n = static_cast<size_t>(std::distance(first, last));
    size_ = 0;
    reserve(n);
    int64_t* d = data_;
    for (; first != last; ++first) *d++ = static_cast<int64_t>(*first);
    size_ = static_cast<uint32_t>(n);
  }
  void push_back(int64_t v) {
    if (size_ == cap_) grow_to(size_t(cap_) * 2);
    data_[size_++] = v;
  }
  void emplace_back(int64_t v) { push_back(v); }
  void pop_back() noexcept { size_--; }

  iterator insert(const_iterator pos, int64_t v) {
    const size_t at = static_cast<size_t>(pos - data_);
    if (size_ == cap_) grow_to(size_t(cap_) * 2);
    std::memmove(data_ + at + 1, data_ + at, (size_ - at) * sizeof(int64_t));
    data_[at] = v;
    size_++;
    return data_ + at;
  }
  iterator insert(const_iterator pos, size_t n, int64_t v) {
    const size_t at = static_cast<size_t>(pos - data_);
    reserve(size_ + n);
    std::memmove(data_ + at + n, data_ + at, (size_ - at) * sizeof(int64_t));
    for (size_t i = 0; i < n; i++) data_[at + i] = v;
    size_ += static_cast<uint32_t>(n);
    return data_ + at;
  }
  template <class It, class = typename std::enable_if<!std::is_integral<It>::value>::type>
  iterator insert(const_iterator pos, It first, It last) {
    const size_t at = static_cast<size_t>(pos - data_);
    const size_t n = static_cast<size_t>(std::distance(first, last));
    // Copy first: the range may point into this Dims.
    Dims tmp(first, last);
    reserve(size_ + n);
    std::memmove(data_ + at + n, data_ + at, (size_ - at) * sizeof(int64_t));
    std::memcpy(data_ + at, tmp.data_, n * sizeof(int64_t));
    size_ += static_cast<uint32_t>(n);
    return data_ + at;
  }
  iterator erase(const_iterator pos) { return erase(pos, pos + 1); }
  iterator erase(const_iterator first, const_iterator last) {
    const size_t at = static_cast<size_t>(first - data_);
    const size_t n = static_cast<size_t>(last - first);
    std::memmove(data_ + at, data_ + at + n, (size_ - at - n) * sizeof(int64_t));
    size_ -= static_cast<uint32_t>(n);
    return data_ + at;
  }
  void swap(Dims& o) noexcept {
    Dims t(std::move(o));
    o = std::move(*this);
    *this = std::move(t);
  }

  friend bool operator==(const Dims& a, const Dims& b) noexcept {
    return a.size_ == b.size_ && std::equal(a.begin(), a.end(), b.begin());
  }
  friend bool operator!=(const Dims& a, const Dims& b) noexcept { return !(a == b); }

 private:
  bool on_heap() const noexcept { return data_ != inline_; }
  void release() noexcept {
    if (on_heap()) std::free(data_);
  }
  void grow_to(size_t n) {
    n = std::max(n, size_t(cap_) * 2);
    auto* p = static_cast<int64_t*>(std::malloc(n * sizeof(int64_t)));
    if (!p) throw std::bad_alloc();
    std::memcpy(p, data_, size_ * sizeof(int64_t));
    release();
    data_ = p;
    cap_ = static_cast<uint32_t>(n);
  }
  // Takes o's values (its heap block when it has one) and leaves o empty. *this is empty and inline.
  void steal(Dims& o) noexcept {
    if (o.on_heap()) {
      data_ = o.data_;
      cap_ = o.cap_;
    } else {
      std::memcpy(inline_, o.inline_, o.size_ * sizeof(int64_t));
    }
    size_ = o.size_;
    o.data_ = o.inline_;
    o.size_ = 0;
    o.cap_ = kInline;
  }

  int64_t* data_;
  uint32_t size_;
  uint32_t cap_;
  int64_t inline_[kInline];
};

}  // namespace tg
