#pragma once
// Private to src/kafka: librdkafka configuration from parley's settings.

#include <librdkafka/rdkafka.h>

#include <map>
#include <string>

#include "parley/common/result.hpp"

namespace parley::kafka {

/// A librdkafka configuration holding every setting (the caller owns it: rd_kafka_new takes it,
/// else rd_kafka_conf_destroy). An error names the refused key as the config file does:
/// "kafka.properties.<key>: <librdkafka's reason>".
inline Result<rd_kafka_conf_t*, std::string> make_conf(
    const std::map<std::string, std::string>& settings) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char error[512];
  for (const auto& [key, value] : settings) {
    if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), error, sizeof error) !=
        RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      return "kafka.properties." + key + ": " + error;
    }
  }
  return conf;
}

}  // namespace parley::kafka
