// parley-sim: deterministic JustAnswer, CAO, TalkJS and Directly REST APIs for parley's
// enrichment and polling, and a sender of signed sample webhooks. See --help.
#include <iostream>
#include <string_view>
#include <variant>
#include <vector>

#include "options.hpp"
#include "serve.hpp"
#include "webhook_sender.hpp"

namespace {

constexpr int kUsageError = 2;

struct Run {
  int operator()(const parley::sim::ServeOptions& options) const {
    return parley::sim::serve(options);
  }
  int operator()(const parley::sim::SendOptions& options) const {
    return parley::sim::send_webhooks(options);
  }
  int operator()(parley::sim::HelpRequested) const {
    std::cout << parley::sim::usage();
    return 0;
  }
};

}  // namespace

int main(int argc, char** argv) {
  try {
    const std::vector<std::string_view> args(argv + 1, argv + argc);
    const auto command = parley::sim::parse_command_line(args);
    if (!command) {
      std::cerr << "parley-sim: " << command.error() << "\n";
      return kUsageError;
    }
    return std::visit(Run{}, command.value());
  } catch (const std::exception& error) {
    std::cerr << "parley-sim: " << error.what() << "\n";
    return 1;
  }
}
