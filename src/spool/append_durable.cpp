#include "parley/spool/append_durable.hpp"

#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>
#include <mutex>
#include <utility>

#include "parley/spool/errors.hpp"

namespace parley::spool {

namespace asio = boost::asio;

asio::awaitable<std::optional<Error>> append_durable(Spool& spool, kafka::Record record) {
  // The spool answers every append (durable, refused, or closing) and a terminal
  // cancellation (the drain deadline) answers at once; whichever comes first resumes the
  // coroutine, by a post to its own executor, and the other finds nothing left to resume.
  co_return co_await asio::async_initiate<const asio::use_awaitable_t<>,
                                          void(std::optional<Error>)>(
      [&spool, &record](auto handler) {
        using Handler = decltype(handler);
        struct Waiting {
          std::mutex mutex;
          std::unique_ptr<Handler> handler;
        };
        auto waiting = std::make_shared<Waiting>();
        auto slot = asio::get_associated_cancellation_slot(handler);
        // Tracked: the io_context keeps running while the append is on the writer thread.
        auto executor = asio::prefer(asio::get_associated_executor(handler),
                                     asio::execution::outstanding_work.tracked);
        waiting->handler = std::make_unique<Handler>(std::move(handler));
        auto finish = [waiting, executor, slot](std::optional<Error> result) mutable {
          std::unique_ptr<Handler> taken;
          {
            std::lock_guard lock(waiting->mutex);
            taken = std::move(waiting->handler);
          }
          if (!taken) return;
          asio::post(executor,
                     [taken = std::move(taken), slot, result = std::move(result)]() mutable {
                       if (slot.is_connected()) slot.clear();
                       std::move (*taken)(std::move(result));
                     });
        };
        if (slot.is_connected()) {
          slot.assign([finish](asio::cancellation_type type) mutable {
            if ((type & asio::cancellation_type::terminal) == asio::cancellation_type::none) return;
            finish(Error{Errc::unavailable,
                         "the spool did not make the event durable before the drain deadline"});
          });
        }
        spool.append(record, finish);
      },
      asio::use_awaitable);
}

}  // namespace parley::spool
