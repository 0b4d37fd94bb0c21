#pragma once

#include "heal_commands.hpp"

namespace parley::app {

/// `parley command --config F --file CMD.json [--wait SECONDS]`: checks the command as the
/// executor will, puts it on the commands topic, waits up to SECONDS (default 30; 0 = do not
/// wait) for its result and prints the result event on stdout. Progress on stderr. Exit 0
/// when it succeeded (or was accepted, with --wait 0), 1 when it failed, is unknown, has no
/// result in time or Kafka is unreachable, 2 on bad arguments or an invalid command.
int command_subcommand(int argc, char** argv, const ConfigLoader& load);

}  // namespace parley::app
