// Random numbers (ops/random.cc): the default generator's seed and state, torch.Generator
// states, and the random creation functions and in-place fills.
#include <cstring>
#include "convert.h"
#include "handles.h"
#include "../core/error.h"
#include "../ops/ops.h"

namespace tg {
namespace binding {

namespace {

// A torch.Generator travels as a Uint8Array holding its GeneratorState. An op works on a
// copy, written back afterwards, so the buffer's alignment never matters.
class GeneratorArg {
 public:
  GeneratorArg(const Napi::CallbackInfo& info, size_t i) {
    if (info.Length() <= i || info[i].IsUndefined() || info[i].IsNull()) return;
    TG_CHECK_TYPE(info[i].IsTypedArray() && info[i].As<Napi::TypedArray>().TypedArrayType() == napi_uint8_array,
                  "generator must be a torch.Generator");
    buf_ = info[i].As<Napi::Uint8Array>();
    TG_CHECK_TYPE(buf_.ByteLength() == sizeof(ops::GeneratorState), "generator must be a torch.Generator");
    std::memcpy(&state_, buf_.Data(), sizeof state_);
    used_ = true;
  }
  ~GeneratorArg() {
    if (used_) std::memcpy(buf_.Data(), &state_, sizeof state_);
  }
  ops::GeneratorState* get() { return used_ ? &state_ : nullptr; }

 private:
  Napi::Uint8Array buf_;
  ops::GeneratorState state_{};
  bool used_ = false;
};

Napi::Value state_bytes(Napi::Env env, const ops::GeneratorState& g) {
  Napi::Uint8Array out = Napi::Uint8Array::New(env, sizeof g);
  std::memcpy(out.Data(), &g, sizeof g);
  return out;
}

TG_FN(rand) {
  GeneratorArg g(info, 3);
  return return_tensor(info, ops::rand(dims_arg(info, 1, "size"), dtype_arg(info, 2), g.get()));
}
TG_FN(randn) {
  GeneratorArg g(info, 3);
  return return_tensor(info, ops::randn(dims_arg(info, 1, "size"), dtype_arg(info, 2), g.get()));
}
TG_FN(randint) {
  GeneratorArg g(info, 5);
  return return_tensor(info, ops::randint(int_arg(info, 1, "low"), int_arg(info, 2, "high"), dims_arg(info, 3, "size"),
                                          dtype_arg(info, 4), g.get()));
}
TG_FN(randperm) {
  GeneratorArg g(info, 3);
  return return_tensor(info, ops::randperm(int_arg(info, 1, "n"), dtype_arg(info, 2), g.get()));
}
TG_FN(bernoulli_mask) {
  return return_tensor(info, ops::bernoulli_mask(dims_arg(info, 1, "size"), num_arg(info, 2, "p"), dtype_arg(info, 3)));
}
TG_FN(uniform_) {
  Tensor self = tensor_arg(info, 0);
  GeneratorArg g(info, 3);
  ops::uniform_(self, num_arg(info, 1, "from"), num_arg(info, 2, "to"), g.get());
  return info.Env().Undefined();
}
TG_FN(normal_) {
  Tensor self = tensor_arg(info, 0);
  GeneratorArg g(info, 3);
  ops::normal_(self, num_arg(info, 1, "mean"), num_arg(info, 2, "std"), g.get());
  return info.Env().Undefined();
}
TG_FN(bernoulli_) {
  Tensor self = tensor_arg(info, 0);
  GeneratorArg g(info, 2);
  ops::bernoulli_(self, num_arg(info, 1, "p"), g.get());
  return info.Env().Undefined();
}

// ---- the default generator ----
TG_FN(manual_seed) {
  ops::manual_seed(static_cast<uint64_t>(int_arg(info, 0, "seed")));
  return info.Env().Undefined();
}
// Seeds are 64-bit: returned as BigInt so no bits are lost.
TG_FN(initial_seed) { return Napi::BigInt::New(info.Env(), ops::initial_seed()); }
TG_FN(seed) { return Napi::BigInt::New(info.Env(), ops::seed()); }
TG_FN(get_rng_state) { return state_bytes(info.Env(), ops::default_generator()); }
TG_FN(set_rng_state) {
  GeneratorArg g(info, 0);
  TG_CHECK_TYPE(g.get(), "new_state must be a state from getRngState()");
  ops::default_generator() = *g.get();
  return info.Env().Undefined();
}
// int64 random_() on a generator (or the default): DataLoader's seeds.
TG_FN(random_int63) {
  GeneratorArg g(info, 0);
  return Napi::BigInt::New(info.Env(), ops::random_int63(g.get()));
}

// ---- torch.Generator states ----
TG_FN(generator_new) {
  ops::GeneratorState s;
  ops::generator_seed(s, 67280421310721ull);  // ATen's default_rng_seed_val
  return state_bytes(info.Env(), s);
}
TG_FN(generator_manual_seed) {
  GeneratorArg g(info, 0);
  TG_CHECK_TYPE(g.get(), "generator must be a torch.Generator");
  ops::generator_seed(*g.get(), static_cast<uint64_t>(int_arg(info, 1, "seed")));
  return info.Env().Undefined();
}
TG_FN(generator_initial_seed) {
  GeneratorArg g(info, 0);
  TG_CHECK_TYPE(g.get(), "generator must be a torch.Generator");
  return Napi::BigInt::New(info.Env(), g.get()->seed);
}

}  // namespace

void register_random(Napi::Env env, Napi::Object e) {
  def(env, e, "rand", rand);
  def(env, e, "randn", randn);
  def(env, e, "randint", randint);
  def(env, e, "randperm", randperm);
  def(env, e, "bernoulliMask", bernoulli_mask);
  def(env, e, "uniform_", uniform_);
  def(env, e, "normal_", normal_);
  def(env, e, "bernoulli_", bernoulli_);
  def(env, e, "manualSeed", manual_seed);
  def(env, e, "initialSeed", initial_seed);
  def(env, e, "seed", seed);
  def(env, e, "getRngState", get_rng_state);
  def(env, e, "setRngState", set_rng_state);
  def(env, e, "randomInt63", random_int63);
  def(env, e, "generatorNew", generator_new);
  def(env, e, "generatorManualSeed", generator_manual_seed);
  def(env, e, "generatorInitialSeed", generator_initial_seed);
}

}  // namespace binding
}  // namespace tg
