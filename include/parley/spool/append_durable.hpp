#pragma once

#include <boost/asio/awaitable.hpp>
#include <optional>

#include "parley/common/error.hpp"
#include "parley/spool/spool.hpp"

namespace parley::spool {

/// Appends `record` and resumes the calling coroutine on its own executor once it is
/// fdatasync'ed (nullopt) or refused (spool_unavailable naming why).
boost::asio::awaitable<std::optional<Error>> append_durable(Spool& spool, kafka::Record record);

}  // namespace parley::spool
