#pragma once
// The integration tests' check of parley's published contracts: every record a test reads
// from Kafka and every answer a test gets from a real parley is validated against schemas/,
// docs/asyncapi.yaml and docs/openapi.yaml by tools/contracts/validate.mjs (`serve`), one
// node process per test process, started on first use. A problem fails the running test.
// Thread-safe. Throws std::runtime_error when the validator cannot start (run scripts/setup.sh).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "support/http_client.hpp"
#include "support/kafka_reader.hpp"

namespace parley::testing::contracts {

/// What is wrong with `record` as read from `topic` (empty: it conforms, or no channel of
/// docs/asyncapi.yaml has that address).
std::vector<std::string> record_problems(const std::string& topic, const KafkaMessage& record);

/// What is wrong with `answer` to `method target` from parley's `listener` ("ingest", "admin").
std::vector<std::string> answer_problems(std::string_view listener, std::string_view method,
                                         std::string_view target, const HttpAnswer& answer);

/// record_problems / answer_problems as a failure of the running test (ADD_FAILURE).
void expect_record_conforms(const std::string& topic, const KafkaMessage& record);
void expect_answer_conforms(std::uint16_t port, std::string_view method, std::string_view target,
                            const HttpAnswer& answer);

/// Starts the validator now (it loads every document, a few hundred milliseconds) rather than
/// at the first check, which may sit inside a test's timing window. Idempotent.
void start_validator();

/// Ports of the parley processes a test runs: answers from them are checked; others (the
/// simulator, in-process servers) are not. `owner` (the ParleyProcess) unregisters only
/// a port still registered by it.
void register_listener(std::uint16_t port, std::string listener, const void* owner);
void unregister_listener(std::uint16_t port, const void* owner);

}  // namespace parley::testing::contracts
