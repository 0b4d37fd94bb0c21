#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace parley {

/// The one completion token of parley's coroutines: `auto [ec, n] = co_await
/// op(..., kAsTuple)`. An operation's error (a timeout, a cancellation at the drain
/// deadline, a peer gone) comes back as a value to look at, never as an exception.
inline constexpr auto kAsTuple = boost::asio::as_tuple(boost::asio::use_awaitable);

}  // namespace parley
