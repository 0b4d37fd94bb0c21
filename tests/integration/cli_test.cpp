// The command line of the real binary: --version, --help, --check-config, bad arguments.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "support/parley_process.hpp"

namespace parley::testing {
namespace {

std::filesystem::path write_config(const std::string& name, const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() / ("parley-cli-" + name + ".yaml");
  std::ofstream(path) << text;
  return path;
}

TEST(Cli, VersionAndHelp) {
  const auto version = run_parley("--version");
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_EQ(version.output.rfind("parley ", 0), 0u) << version.output;
  const auto help = run_parley("--help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.output.find("--check-config FILE"), std::string::npos);
}

TEST(Cli, CheckConfigAcceptsTheShippedConfigs) {
  const auto dev =
      run_parley(std::string("--check-config ") + PARLEY_SOURCE_DIR "/config/dev.yaml");
  EXPECT_EQ(dev.exit_code, 0) << dev.output;
  EXPECT_NE(dev.output.find("configuration is valid"), std::string::npos);
}

TEST(Cli, CheckConfigNamesTheBadKey) {
  const auto unknown = run_parley(
      "--check-config " + write_config("unknown", "limits:\n  max_body_byte: 10\n").string());
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.output.find("limits.max_body_byte"), std::string::npos) << unknown.output;

  const auto bad_value = run_parley(
      "--check-config " + write_config("bad", "kafka:\n  ack_timeout_ms: soon\n").string());
  EXPECT_EQ(bad_value.exit_code, 2);
  EXPECT_NE(bad_value.output.find("kafka.ack_timeout_ms"), std::string::npos) << bad_value.output;

  const auto missing = run_parley("--check-config /nonexistent/parley.yaml");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.output.find("/nonexistent/parley.yaml"), std::string::npos);
}

TEST(Cli, ASecretInTheWrongKeyIsNamedByItsSourceNeverPrinted) {
  ::setenv("PARLEY_IT_SECRET", "s3cr3t-api-key", 1);
  const auto leaked = run_parley(
      "--check-config " +
      write_config("secret", "kafka:\n  ack_timeout_ms: ${env:PARLEY_IT_SECRET}\n").string());
  ::unsetenv("PARLEY_IT_SECRET");
  EXPECT_EQ(leaked.exit_code, 2);
  EXPECT_NE(leaked.output.find("kafka.ack_timeout_ms"), std::string::npos) << leaked.output;
  EXPECT_NE(leaked.output.find("${env:PARLEY_IT_SECRET}"), std::string::npos) << leaked.output;
  EXPECT_EQ(leaked.output.find("s3cr3t"), std::string::npos) << leaked.output;

  // A device is refused without being read (before: /dev/zero was read without bound).
  const auto device = run_parley(
      "--check-config " +
      write_config("device", "tls:\n  cert_file: ${file:/dev/zero}\n  key_file: x\n").string());
  EXPECT_EQ(device.exit_code, 2);
  EXPECT_NE(device.output.find("not a regular file"), std::string::npos) << device.output;
}

TEST(Cli, CheckConfigNamesABadOrRepeatedSourceName) {
  const auto bad = run_parley(
      "--check-config " +
      write_config("bad-name", "sources:\n  CAO_EU: {platform: cao, webhook: {api_keys: [k]}}\n")
          .string());
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.output.find("sources.CAO_EU: a source name must be"), std::string::npos)
      << bad.output;

  const auto repeated = run_parley(
      "--check-config " + write_config("repeated-name",
                                       "sources:\n"
                                       "  cao-eu: {platform: cao, webhook: {api_keys: [k]}}\n"
                                       "  cao-eu: {platform: cao, webhook: {api_keys: [j]}}\n")
                              .string());
  EXPECT_EQ(repeated.exit_code, 2);
  EXPECT_NE(repeated.output.find("sources.cao-eu: duplicate key"), std::string::npos)
      << repeated.output;

  const auto platform = run_parley(
      "--check-config " +
      write_config("bad-platform", "sources:\n  eu: {platform: slack, webhook: {}}\n").string());
  EXPECT_EQ(platform.exit_code, 2);
  EXPECT_NE(
      platform.output.find("sources.eu.platform: must be justanswer, cao, talkjs or directly"),
      std::string::npos)
      << platform.output;
}

TEST(Cli, CheckConfigRefusesWhatThisBuildCannotServe) {
  const auto property = run_parley(
      "--check-config " +
      write_config("property", "kafka:\n  properties: {no.such.property: 1}\n").string());
  EXPECT_EQ(property.exit_code, 2);
  EXPECT_NE(property.output.find("kafka.properties.no.such.property"), std::string::npos)
      << property.output;

  const auto weak = run_parley("--check-config " +
                               write_config("weak", "kafka:\n  properties: {acks: 1}\n").string());
  EXPECT_EQ(weak.exit_code, 2);
  EXPECT_NE(weak.output.find("kafka.properties.acks: parley requires acks=all"), std::string::npos)
      << weak.output;

  const auto tls =
      run_parley("--check-config " +
                 write_config("tls", "tls: {cert_file: /c.pem, key_file: /k.pem}\n").string());
  EXPECT_EQ(tls.exit_code, 2);
  EXPECT_NE(tls.output.find("tls.cert_file"), std::string::npos) << tls.output;
}

TEST(Cli, CheckConfigWarnsWhenTheBodyLimitCannotFitKafkasMessageLimit) {
  const auto small = run_parley(
      "--check-config " +
      write_config("small", "kafka:\n  properties: {message.max.bytes: \"200000\"}\n").string());
  EXPECT_EQ(small.exit_code, 0) << small.output;
  EXPECT_NE(small.output.find("warning: limits.max_body_bytes"), std::string::npos) << small.output;
  EXPECT_NE(small.output.find("message.max.bytes = 200000"), std::string::npos) << small.output;
  // The default message limit is derived from the body limit: no warning.
  const auto fits = run_parley("--check-config " + write_config("fits", "{}\n").string());
  EXPECT_EQ(fits.exit_code, 0) << fits.output;
  EXPECT_EQ(fits.output.find("warning"), std::string::npos) << fits.output;
}

TEST(Cli, CheckConfigRefusesASpoolSmallerThanItsSegment) {
  const auto bad = run_parley(
      "--check-config " +
      write_config("spool", "spool: {dir: /tmp/x, max_bytes: 4096, segment_bytes: 8192}\n")
          .string());
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.output.find("spool.max_bytes"), std::string::npos) << bad.output;
}

TEST(Cli, ServeRefusesAnInvalidConfigBeforeListening) {
  const auto result =
      run_parley("--config " + write_config("unverified", "sources:\n  justanswer: {}\n").string());
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.output.find("sources.justanswer.webhook"), std::string::npos) << result.output;
}

TEST(Cli, UnknownArgumentsPrintUsage) {
  const auto result = run_parley("--frobnicate");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.output.find("--frobnicate"), std::string::npos);
  EXPECT_NE(result.output.find("usage:"), std::string::npos);
}

TEST(Cli, AnEnrichOnlyConfigCannotServeWebhooks) {
  const auto config =
      write_config("enrich-only", "role: enrich\nsources: {cao: {api: {api_key: k}}}\n");
  const auto result = run_parley("--config " + config.string() + " --role all");
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("--role all: " + config.string() + " says role: enrich"),
            std::string::npos)
      << result.output;
}

TEST(Cli, ReplayAndBackfillNameTheBadFlag) {
  const auto config = write_config("heal", "kafka: {brokers: \"127.0.0.1:1\"}\n").string();
  const struct {
    std::string arguments;
    std::string named;
  } cases[] = {
      {"replay --config " + config + " --bogus", "--bogus: unknown flag"},
      {"replay --config", "--config: needs a value"},
      {"replay --platform cao", "--config: is required"},
      {"replay --config " + config + " --since yesterday",
       "--since: 'yesterday' is not an RFC 3339"},
      {"replay --config " + config + " --since 2026-12-01T11:00:00Z --until 2026-12-01T10:00:00Z",
       "--until: must be later than --since"},
      {"replay --config /nonexistent/parley.yaml", "--config: /nonexistent/parley.yaml"},
      {"backfill --config " + config + " --conversation c1", "--source: is required"},
      {"backfill --config " + config + " --source talkjs", "--conversation: is required"},
      {"backfill --config " + config + " --source nobody --conversation c1",
       "--source: 'nobody' is not a source in the config"},
      {"backfill --config " + config + " --source talkjs --conversation c1 --conversation c2",
       "--conversation: given twice"},
  };
  for (const auto& [arguments, named] : cases) {
    const auto result = run_parley(arguments);
    EXPECT_EQ(result.exit_code, 2) << arguments << "\n" << result.output;
    EXPECT_NE(result.output.find(named), std::string::npos) << arguments << "\n" << result.output;
    EXPECT_NE(result.output.find("usage: parley"), std::string::npos) << result.output;
  }
}

TEST(Cli, ReplayWithKafkaUnreachableExitsOneSayingSo) {
  const auto config =
      write_config(
          "heal-unreachable",
          "kafka: {brokers: \"127.0.0.1:1\", ack_timeout_ms: 500}\nshutdown_timeout_ms: 1000\n")
          .string();
  const auto result = run_parley("replay --config " + config);
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_NE(result.output.find("Kafka (127.0.0.1:1) unreachable"), std::string::npos)
      << result.output;
}

}  // namespace
}  // namespace parley::testing
