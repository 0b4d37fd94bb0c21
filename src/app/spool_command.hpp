#pragma once

#include <functional>
#include <string>

#include "parley/common/result.hpp"
#include "parley/config/config.hpp"

namespace parley::app {

/// `parley spool inspect --dir D` (segments, records, oldest age, damage; exit 3 when
/// damaged) and `parley spool forward --config F` (empties the spool into Kafka, progress
/// on stderr; exit 1 when Kafka is unreachable or records are left). Bad arguments exit 2.
int spool_command(
    int argc, char** argv,
    const std::function<Result<config::Config, std::string>(const std::string&)>& load);

}  // namespace parley::app
