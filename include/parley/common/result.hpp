#pragma once

#include <cassert>
#include <utility>
#include <variant>

namespace parley {

/// A value or an error, the request path's alternative to exceptions.
/// Value semantics; not thread-safe beyond what T and E are.
/// Accessing the wrong alternative is a programming error (asserted).
template <class T, class E>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT implicit
  Result(E error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT implicit

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(state_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(state_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(state_));
  }
  const E& error() const {
    assert(!ok());
    return std::get<1>(state_);
  }

 private:
  std::variant<T, E> state_;
};

}  // namespace parley
