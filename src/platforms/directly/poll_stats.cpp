#include "parley/platforms/directly/poll_stats.hpp"

#include <string>

namespace parley::directly {

PollStats::PollStats(metrics::Registry& registry)
    : polls_(registry.counter("parley_directly_polls_total",
                              "Polls of watched Directly questions, by result (not_modified: "
                              "304, unchanged: 200 with nothing new, changed, error)")),
      watched_(registry.gauge("parley_directly_watched_questions",
                              "Directly questions this replica polls (its partitions' share "
                              "of the watch list)")) {}

void PollStats::create_series() {
  for (const auto* result : {"not_modified", "unchanged", "changed", "error"}) {
    polls_.Add({{"result", result}});
  }
  watched_.Add({}).Set(0);
}

void PollStats::poll(std::string_view result) {
  polls_.Add({{"result", std::string(result)}}).Increment();
}

void PollStats::set_watched(double questions) {
  watched_.Add({}).Set(questions);
}

}  // namespace parley::directly
