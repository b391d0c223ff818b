// Result<T>: the value or the error of a call across a module boundary. Library code never throws
// across modules and never aborts on user input; the CLI maps ErrorCode to an exit code.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace detport {

enum class ErrorCode {
  kInvalidInput,  // the user's file or argument is malformed, truncated or hostile (exit 2)
  kUnsupported,   // well-formed, but something detport does not handle (yet) (exit 2)
  kNotFound,      // a file or entry the input refers to does not exist (exit 2)
  kIo,            // the OS refused a read or write (exit 2)
  kIncompatible,  // the model cannot be made to work on the target (exit 1)
  kInternal,      // a detport bug (exit 3)
};

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;  // what was found and what was expected
  std::string context;  // where: file, byte offset, proto field path or JSON pointer

  // "context: message", or just the message when there is no context.
  std::string describe() const { return context.empty() ? message : context + ": " + message; }

  // Prefixes a location (an outer file or field) to the context.
  Error& within(const std::string& where) {
    context = context.empty() ? where : where + ": " + context;
    return *this;
  }
};

inline Error make_error(ErrorCode code, std::string message, std::string context = {}) {
  return Error{code, std::move(message), std::move(context)};
}

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(v_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(v_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const& {
    assert(!ok());
    return std::get<1>(v_);
  }
  Error&& error() && {
    assert(!ok());
    return std::get<1>(std::move(v_));
  }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const& {
    assert(!ok_);
    return error_;
  }
  Error&& error() && {
    assert(!ok_);
    return std::move(error_);
  }

 private:
  Error error_;
  bool ok_ = true;
};

using Status = Result<void>;

}  // namespace detport

// Propagates the error of an expression returning Result<...>; evaluates it once.
#define DETPORT_TRY(expr)                                               \
  do {                                                                  \
    auto&& detport_try_r_ = (expr);                                     \
    if (!detport_try_r_.ok()) return std::move(detport_try_r_).error(); \
  } while (0)

#define DETPORT_CONCAT_INNER(a, b) a##b
#define DETPORT_CONCAT(a, b) DETPORT_CONCAT_INNER(a, b)
// DETPORT_ASSIGN(auto x, f()); binds the value of a Result or returns its error.
#define DETPORT_ASSIGN(decl, expr) \
  DETPORT_ASSIGN_IMPL(DETPORT_CONCAT(detport_r_, __LINE__), decl, expr)
#define DETPORT_ASSIGN_IMPL(tmp, decl, expr)    \
  auto tmp = (expr);                            \
  if (!tmp.ok()) return std::move(tmp).error(); \
  decl = std::move(tmp).value()
