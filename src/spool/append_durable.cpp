#include "parley/spool/append_durable.hpp"

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>
#include <utility>

namespace parley::spool {

namespace asio = boost::asio;

asio::awaitable<std::optional<Error>> append_durable(Spool& spool, kafka::Record record) {
  // The spool answers every append (durable, refused, or closing), so the coroutine is
  // resumed exactly once, by a post to its own executor: no timer, no lock.
  co_return co_await asio::async_initiate<const asio::use_awaitable_t<>,
                                          void(std::optional<Error>)>(
      [&spool, &record](auto handler) {
        using Handler = decltype(handler);
        // Spool::AppendDone is a std::function (copyable); the handler is move-only.
        auto held = std::make_shared<Handler>(std::move(handler));
        // Tracked: the io_context keeps running while the append is on the writer thread.
        auto executor = asio::prefer(asio::get_associated_executor(*held),
                                     asio::execution::outstanding_work.tracked);
        spool.append(record, [held, executor](std::optional<Error> result) {
          asio::post(executor, [held, result = std::move(result)]() mutable {
            std::move (*held)(std::move(result));
          });
        });
      },
      asio::use_awaitable);
}

}  // namespace parley::spool
