#include "runtime.hpp"

namespace parley::app {

Runtime::Runtime(unsigned threads) {
  for (unsigned i = 1; i < threads; ++i)
    connection_only_.push_back(std::make_unique<Context>(1));
}

Runtime::~Runtime() {
  stop();
}

std::vector<boost::asio::io_context*> Runtime::connection_contexts() {
  std::vector<boost::asio::io_context*> contexts{&main_};
  for (auto& context : connection_only_)
    contexts.push_back(context.get());
  return contexts;
}

void Runtime::run(bool with_background) {
  const auto start = [this](boost::asio::io_context& context) {
    work_.push_back(boost::asio::make_work_guard(context));
    threads_.emplace_back([&context] { context.run(); });
  };
  start(main_);
  if (with_background) start(background_);
  for (auto& context : connection_only_)
    start(*context);
}

void Runtime::stop() {
  work_.clear();
  main_.stop();
  background_.stop();
  for (auto& context : connection_only_)
    context->stop();
  for (auto& thread : threads_)
    thread.join();
  threads_.clear();
}

}  // namespace parley::app

namespace parley::app {

void Runtime::destroy_pending() {
  stop();
  main_.shutdown();
  background_.shutdown();
  for (auto& context : connection_only_)
    context->shutdown();
}

}  // namespace parley::app
