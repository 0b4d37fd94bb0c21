#include "parley/spool/append_durable.hpp"

#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>

namespace parley::spool {

namespace asio = boost::asio;

asio::awaitable<std::optional<Error>> append_durable(Spool& spool, kafka::Record record) {
  const auto executor = co_await asio::this_coro::executor;
  co_return co_await asio::async_initiate<decltype(asio::use_awaitable),
                                          void(std::optional<Error>)>(
      [&spool, executor](auto handler, kafka::Record owned) {
        // The writer thread answers; the coroutine resumes on its own executor.
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        spool.append(std::move(owned), [shared, executor](std::optional<Error> result) {
          asio::post(executor, [shared, result = std::move(result)]() mutable {
            (*shared)(std::move(result));
          });
        });
      },
      asio::use_awaitable, std::move(record));
}

}  // namespace parley::spool
