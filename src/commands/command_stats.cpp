#include "parley/commands/command_stats.hpp"

#include "parley/commands/command.hpp"

namespace parley::commands {
namespace {

const prometheus::Histogram::BucketBoundaries kBuckets = {0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
                                                          2.5,  5,     10,   30,  60,   300};

}  // namespace

CommandStats::CommandStats(metrics::Registry& registry)
    : results_(registry.counter("parley_commands_total",
                                "Commands with a result, by source, command and outcome "
                                "(succeeded, failed, unknown)")),
      duration_(registry.histogram("parley_command_duration_seconds",
                                   "Time from a command read to its result acknowledged, by "
                                   "source and command")),
      reconciliations_(registry.counter("parley_command_reconciliations_total",
                                        "Conversations read back after a doubtful call, by "
                                        "source and result (found, not_found, undecided)")),
      calls_(registry.counter("parley_command_calls_total",
                              "Calls to a platform's send API, by source and result (done, "
                              "rejected, unauthorized, invalid, retry_later, doubt)")),
      received_(registry.counter("parley_commands_received_total",
                                 "Requests at POST /v1/commands, by outcome (accepted, invalid, "
                                 "unauthorized, too_large, overloaded, publish_failed)")),
      in_progress_(
          registry.gauge("parley_commands_in_progress", "Commands read and without a result yet")
              .Add({})),
      consumer_lag_(registry
                        .gauge("parley_commands_consumer_lag",
                               "Records of the commands topic's partitions this process "
                               "owns not yet processed")
                        .Add({})) {
  for (const auto* outcome :
       {"accepted", "invalid", "unauthorized", "too_large", "overloaded", "publish_failed"}) {
    received_.Add({{"outcome", outcome}});
  }
}

void CommandStats::create_series(const std::vector<std::string>& sources) {
  for (const auto& source : sources) {
    for (const auto type : kAllTypes) {
      const std::string command(type_name(type));
      for (const auto* outcome : {"succeeded", "failed", "unknown"}) {
        results_.Add({{"source", source}, {"command", command}, {"outcome", outcome}});
      }
      duration_.Add({{"source", source}, {"command", command}}, kBuckets);
    }
    for (const auto* result : {"found", "not_found", "undecided"}) {
      reconciliations_.Add({{"source", source}, {"result", result}});
    }
    for (const auto* result :
         {"done", "rejected", "unauthorized", "invalid", "retry_later", "doubt"}) {
      calls_.Add({{"source", source}, {"result", result}});
    }
  }
}

void CommandStats::result(std::string_view source, std::string_view command,
                          std::string_view outcome, double seconds) {
  const std::string source_label(source);
  const std::string command_label(command);
  results_
      .Add(
          {{"source", source_label}, {"command", command_label}, {"outcome", std::string(outcome)}})
      .Increment();
  duration_.Add({{"source", source_label}, {"command", command_label}}, kBuckets).Observe(seconds);
}

void CommandStats::reconciliation(std::string_view source, std::string_view result) {
  reconciliations_.Add({{"source", std::string(source)}, {"result", std::string(result)}})
      .Increment();
}

void CommandStats::call(std::string_view source, std::string_view result) {
  calls_.Add({{"source", std::string(source)}, {"result", std::string(result)}}).Increment();
}

void CommandStats::received(std::string_view outcome) {
  received_.Add({{"outcome", std::string(outcome)}}).Increment();
}

void CommandStats::set_in_progress(double commands) {
  in_progress_.Set(commands);
}

void CommandStats::set_consumer_lag(double records) {
  consumer_lag_.Set(records);
}

}  // namespace parley::commands
