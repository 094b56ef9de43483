// Errors raised by the core. Every exported function converts them into a JS exception
// of the matching class (binding/errors.cc); nothing reachable from JS may abort.
#pragma once
#include <sstream>
#include <stdexcept>
#include <string>

namespace tg {

enum class ErrorKind { Error, TypeError, RangeError };

struct Error : std::runtime_error {
  ErrorKind kind;
  Error(ErrorKind k, const std::string& msg) : std::runtime_error(msg), kind(k) {}
};

// Thrown when a JS callback (a hook, a custom Function) left an exception pending:
// the binding rethrows the pending JS exception as-is.
struct JsPendingError : std::exception {
  const char* what() const noexcept override { return "pending JS exception"; }
};

namespace detail {
inline void str_into(std::ostringstream&) {}
template <class T, class... R>
void str_into(std::ostringstream& os, const T& v, const R&... rest) {
  os << v;
  str_into(os, rest...);
}
}  // namespace detail

// Concatenates its arguments with operator<<.
template <class... A>
std::string str(const A&... a) {
  std::ostringstream os;
  detail::str_into(os, a...);
  return os.str();
}

[[noreturn]] inline void fail(ErrorKind k, const std::string& msg) { throw Error(k, msg); }

}  // namespace tg

// TG_CHECK(cond, msg parts...): throws tg::Error (plain Error) when cond is false.
#define TG_CHECK(cond, ...) \
  do { if (!(cond)) ::tg::fail(::tg::ErrorKind::Error, ::tg::str(__VA_ARGS__)); } while (0)
#define TG_CHECK_TYPE(cond, ...) \
  do { if (!(cond)) ::tg::fail(::tg::ErrorKind::TypeError, ::tg::str(__VA_ARGS__)); } while (0)
#define TG_CHECK_RANGE(cond, ...) \
  do { if (!(cond)) ::tg::fail(::tg::ErrorKind::RangeError, ::tg::str(__VA_ARGS__)); } while (0)
