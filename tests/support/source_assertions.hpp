#pragma once

#include <gtest/gtest.h>

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "parley/common/error.hpp"
#include "parley/common/result.hpp"
#include "parley/events/cloud_event.hpp"
#include "parley/sources/errors.hpp"

namespace parley::testing {

inline bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

/// The verification result as text, for failure messages.
inline std::string describe(const std::optional<Error>& error) {
  return error ? error->message : std::string("(accepted)");
}

/// Verification failed with 401 and a message naming `part` (a header, parameter...).
inline ::testing::AssertionResult unauthorized_naming(const std::optional<Error>& error,
                                                      std::string_view part) {
  if (!error) return ::testing::AssertionFailure() << "request was accepted";
  if (error->code != sources::Errc::unauthorized) {
    return ::testing::AssertionFailure()
           << "code " << error->code.message() << ": " << error->message;
  }
  if (!contains(error->message, part)) {
    return ::testing::AssertionFailure()
           << "message '" << error->message << "' lacks '" << part << "'";
  }
  return ::testing::AssertionSuccess();
}

/// Normalization failed with 400 and a message containing every one of `parts`.
inline ::testing::AssertionResult bad_request_naming(
    const Result<events::CloudEvent, Error>& result,
    std::initializer_list<std::string_view> parts) {
  if (result.ok()) return ::testing::AssertionFailure() << "body was accepted";
  if (result.error().code != sources::Errc::invalid) {
    return ::testing::AssertionFailure()
           << "code " << result.error().code.message() << ": " << result.error().message;
  }
  for (const auto part : parts) {
    if (!contains(result.error().message, part)) {
      return ::testing::AssertionFailure()
             << "message '" << result.error().message << "' lacks '" << part << "'";
    }
  }
  return ::testing::AssertionSuccess();
}

}  // namespace parley::testing
