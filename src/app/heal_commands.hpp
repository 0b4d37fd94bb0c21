#pragma once

#include <functional>
#include <string>

#include "parley/common/result.hpp"
#include "parley/config/config.hpp"

namespace parley::app {

using ConfigLoader = std::function<Result<config::Config, std::string>(const std::string&)>;

/// `parley replay --config F [--platform P] [--conversation ID] [--since T] [--until T]
/// [--reason TEXT] [--dry-run]`: dead letters that match go back to the events topic (the
/// original event, same id). Exit 0 when every match was replayed (or listed, dry run), 1
/// when Kafka is unreachable or a record was not acknowledged, 2 on bad arguments.
int replay_command(int argc, char** argv, const ConfigLoader& load);

/// `parley backfill --config F --source NAME --conversation ID [--customer ID]`: fetches
/// the conversation now and publishes its messages and an enriched conversation.updated.
/// Exit codes as replay's; a fetch that fails exits 1.
int backfill_command(int argc, char** argv, const ConfigLoader& load);

}  // namespace parley::app
