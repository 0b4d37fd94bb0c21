#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <system_error>

namespace parley {

/// The one error shape on the request path, from the socket to Kafka: a code of the domain
/// that failed and a message naming the field, header or limit. Each domain declares its
/// codes in its own folder (http/errors.hpp, sources/errors.hpp, kafka/errors.hpp,
/// spool/errors.hpp); what a code means to a client (status, Retry-After) and to the
/// metrics is decided in one place at the edge, http/answers.hpp.
struct Error {
  std::error_code code;
  std::string message;
};

/// A domain's name and one word per code (codes count from 1), specialised next to its
/// enum; error_category_of<E>() makes the std::error_category from it.
template <class Enum>
struct ErrorDomain;

template <class Enum>
const std::error_category& error_category_of() {
  class Category final : public std::error_category {
   public:
    const char* name() const noexcept override { return ErrorDomain<Enum>::kName; }
    std::string message(int code) const override {
      const auto& words = ErrorDomain<Enum>::kCodes;
      const auto index = static_cast<std::size_t>(code);
      return index >= 1 && index <= words.size() ? words[index - 1] : "unknown";
    }
  };
  static const Category category;
  return category;
}

}  // namespace parley
