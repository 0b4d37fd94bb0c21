#include "parley/config/config.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley::config {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

// Sets an environment variable for one test and restores the previous state afterwards.
class ScopedEnv {
 public:
  ScopedEnv(std::string name, const std::string& value) : name_(std::move(name)) {
    if (const char* old = std::getenv(name_.c_str())) old_ = old;
    ::setenv(name_.c_str(), value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_.c_str(), old_->c_str(), 1);
    } else {
      ::unsetenv(name_.c_str());
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::string name_;
  std::optional<std::string> old_;
};

// The smallest source section that passes the "verification configured" rule.
constexpr std::string_view kJustAnswerWithToken = "sources: {justanswer: {webhook: {tokens: [t]}}}";

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    dir_ = fs::temp_directory_path() /
           ("parley-config-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  Result<Config, ConfigError> parse_yaml(std::string_view text) const { return parse(text, dir_); }

  // Parses text that must be accepted; a refusal fails the test with the reason.
  Config accepted(std::string_view text) const {
    auto result = parse_yaml(text);
    if (!result.ok()) {
      ADD_FAILURE() << "refused: " << result.error().to_string() << "\n--- yaml ---\n" << text;
      return Config{};
    }
    return std::move(result).value();
  }

  // Parses text that must be refused and returns why.
  ConfigError refused(std::string_view text) const {
    auto result = parse_yaml(text);
    if (result.ok()) {
      ADD_FAILURE() << "accepted:\n" << text;
      return ConfigError{"<accepted>", "<accepted>"};
    }
    return result.error();
  }

  fs::path write_file(const std::string& name, std::string_view content) const {
    fs::path file = dir_ / name;
    std::ofstream out(file, std::ios::binary);
    out << content;
    return file;
  }

  fs::path dir_;
};

// ---------------------------------------------------------------------------------------------
// Whole file

TEST_F(ConfigTest, EmptyTextYieldsDefaults) {
  const Config config = accepted("");
  EXPECT_EQ(config.listen.host, "0.0.0.0");
  EXPECT_EQ(config.listen.port, 8080);
  EXPECT_EQ(config.admin_listen.host, "0.0.0.0");
  EXPECT_EQ(config.admin_listen.port, 9464);
  EXPECT_EQ(config.role, Role::all);
  EXPECT_EQ(config.threads, 0u);
  EXPECT_EQ(config.log_level, LogLevel::info);
  EXPECT_EQ(config.limits.max_body_bytes, 1048576u);
  EXPECT_EQ(config.limits.max_inflight, 10000u);
  EXPECT_EQ(config.limits.read_timeout, 10000ms);
  EXPECT_EQ(config.limits.max_header_bytes, 16384u);
  EXPECT_EQ(config.shutdown_timeout, 20000ms);
  EXPECT_EQ(config.tls.cert_file, "");
  EXPECT_EQ(config.tls.key_file, "");
  EXPECT_EQ(config.dedupe.window, 600s);
  EXPECT_EQ(config.dedupe.max_entries, 1000000u);
  EXPECT_EQ(config.kafka.brokers, "embedded");
  EXPECT_EQ(config.kafka.ack_timeout, 4000ms);
  EXPECT_EQ(config.kafka.topics.events, "parley.events.v1");
  EXPECT_EQ(config.kafka.topics.enriched, "parley.enriched.v1");
  EXPECT_EQ(config.kafka.topics.deadletter, "parley.deadletter.v1");
  EXPECT_EQ(config.kafka.topics.directly_watches, "parley.directly.watches.v1");
  EXPECT_TRUE(config.kafka.properties.empty());
  EXPECT_FALSE(config.sources.find<JustAnswerSource>("justanswer") != nullptr);
  EXPECT_FALSE(config.sources.find<CaoSource>("cao") != nullptr);
  EXPECT_FALSE(config.sources.find<TalkJsSource>("talkjs") != nullptr);
  EXPECT_FALSE(config.sources.find<DirectlySource>("directly") != nullptr);
  EXPECT_TRUE(config.enrich.enabled);
  EXPECT_EQ(config.enrich.concurrency, 64u);
  EXPECT_EQ(config.enrich.timeout, 5000ms);
  EXPECT_EQ(config.enrich.max_attempts, 5u);
  EXPECT_TRUE(config.events.include_raw);
}

TEST_F(ConfigTest, CommentOnlyFileYieldsDefaults) {
  const Config config = accepted("# nothing here\n   # still nothing\n\n");
  EXPECT_EQ(config.listen.port, 8080);
  EXPECT_FALSE(config.sources.find<JustAnswerSource>("justanswer") != nullptr);
}

TEST_F(ConfigTest, ExplicitNullDocumentYieldsDefaults) {
  EXPECT_EQ(accepted("~\n").kafka.brokers, "embedded");
}

TEST_F(ConfigTest, EmptySectionsYieldDefaults) {
  const Config config = accepted("limits:\nkafka: {}\nsources: {}\nenrich:\n");
  EXPECT_EQ(config.limits.max_body_bytes, 1048576u);
  EXPECT_FALSE(config.sources.find<CaoSource>("cao") != nullptr);
}

TEST_F(ConfigTest, RefusesListAtTopLevel) {
  const ConfigError error = refused("- listen\n- role\n");
  EXPECT_EQ(error.path, "");
  EXPECT_TRUE(contains(error.message, "top level must be a map")) << error.message;
}

TEST_F(ConfigTest, RefusesScalarAtTopLevel) {
  const ConfigError error = refused("just some text");
  EXPECT_EQ(error.path, "");
  EXPECT_TRUE(contains(error.message, "top level must be a map")) << error.message;
}

TEST_F(ConfigTest, SyntaxErrorNamesLineAndColumn) {
  const ConfigError error = refused("listen: 0.0.0.0:8080\nlimits: {max_body_bytes: 1\n");
  EXPECT_EQ(error.path, "");
  EXPECT_TRUE(contains(error.message, "line ")) << error.message;
  EXPECT_TRUE(contains(error.message, "column ")) << error.message;
}

TEST_F(ConfigTest, SyntaxErrorOnBadIndentationDoesNotThrow) {
  const ConfigError error = refused("kafka:\n  brokers: a\n bad: [\n");
  EXPECT_EQ(error.path, "");
  EXPECT_TRUE(contains(error.message, "line ")) << error.message;
}

TEST_F(ConfigTest, RefusesSeveralDocuments) {
  const ConfigError error = refused("role: all\n---\nrole: ingest\n");
  EXPECT_EQ(error.path, "");
  EXPECT_TRUE(contains(error.message, "one YAML document")) << error.message;
}

TEST_F(ConfigTest, ToStringJoinsPathAndMessage) {
  EXPECT_EQ((ConfigError{"limits.max_inflight", "must be at least 1"}).to_string(),
            "limits.max_inflight: must be at least 1");
  EXPECT_EQ((ConfigError{"", "invalid YAML"}).to_string(), "invalid YAML");
}

// ---------------------------------------------------------------------------------------------
// Unknown keys and YAML types

TEST_F(ConfigTest, RefusesUnknownTopLevelKey) {
  const ConfigError error = refused("listen: 0.0.0.0:1\nlisten_port: 80\n");
  EXPECT_EQ(error.path, "listen_port");
  EXPECT_TRUE(contains(error.message, "unknown key")) << error.message;
}

TEST_F(ConfigTest, RefusesUnknownNestedKeyAndSuggestsTheClosest) {
  const ConfigError error = refused("limits:\n  max_bodyy_bytes: 10\n");
  EXPECT_EQ(error.path, "limits.max_bodyy_bytes");
  EXPECT_TRUE(contains(error.message, "unknown key")) << error.message;
  EXPECT_TRUE(contains(error.message, "did you mean max_body_bytes?")) << error.message;
  EXPECT_TRUE(contains(error.message, "max_header_bytes")) << error.message;
}

TEST_F(ConfigTest, RefusesUnknownKeyDeepInsideASource) {
  const ConfigError error = refused("sources: {justanswer: {webhook: {tokenz: [a]}}}");
  EXPECT_EQ(error.path, "sources.justanswer.webhook.tokenz");
  EXPECT_TRUE(contains(error.message, "unknown key")) << error.message;
}

TEST_F(ConfigTest, RefusesUnknownSource) {
  const ConfigError error = refused("sources: {slack: {}}");
  EXPECT_EQ(error.path, "sources.slack");
  EXPECT_TRUE(contains(error.message, "unknown key")) << error.message;
  EXPECT_TRUE(contains(error.message, "justanswer")) << error.message;
}

TEST_F(ConfigTest, SeveralSourcesOfOnePlatformEachKeepTheirOwnSettings) {
  const Config config = accepted(
      "sources:\n"
      "  cao: {webhook: {api_keys: [na]}, api: {base_url: \"https://na.cao.invalid\"}}\n"
      "  cao-eu:\n"
      "    platform: cao\n"
      "    webhook: {api_keys: [eu]}\n"
      "    api: {base_url: \"https://eu.cao.invalid\"}\n"
      "  talkjs-2: {platform: talkjs, webhook: {secret_keys: [s]}, api: {app_id: two}}\n");
  ASSERT_EQ(config.sources.all.size(), 3u);
  EXPECT_EQ(config.sources.all[0].name, "cao");
  EXPECT_EQ(config.sources.all[0].platform(), "cao");  // the name, when platform: is absent
  EXPECT_EQ(config.sources.all[1].name, "cao-eu");     // in the file's order
  EXPECT_EQ(config.sources.all[1].platform(), "cao");
  ASSERT_NE(config.sources.find<CaoSource>("cao-eu"), nullptr);
  EXPECT_EQ(config.sources.find<CaoSource>("cao-eu")->webhook.api_keys,
            std::vector<std::string>{"eu"});
  EXPECT_EQ(config.sources.find<CaoSource>("cao-eu")->api.base_url, "https://eu.cao.invalid");
  EXPECT_EQ(config.sources.find<CaoSource>("cao")->api.base_url, "https://na.cao.invalid");
  EXPECT_EQ(config.sources.find<TalkJsSource>("talkjs-2")->api.app_id, "two");
  EXPECT_EQ(config.sources.find<TalkJsSource>("cao-eu"), nullptr);  // another platform
}

TEST_F(ConfigTest, RefusesBadSourceNamesAndPlatforms) {
  const ConfigError upper = refused("sources: {Cao: {platform: cao}}");
  EXPECT_EQ(upper.path, "sources.Cao");
  EXPECT_TRUE(contains(upper.message, "lowercase letters, digits or '-'")) << upper.message;
  const ConfigError slash = refused("sources: {\"cao/eu\": {platform: cao}}");
  EXPECT_EQ(slash.path, "sources.cao/eu");
  const ConfigError platform = refused("sources: {eu: {platform: [cao]}}");
  EXPECT_EQ(platform.path, "sources.eu.platform");
  const ConfigError unknown = refused("sources: {eu: {platform: slack}}");
  EXPECT_EQ(unknown.path, "sources.eu.platform");
  EXPECT_TRUE(contains(unknown.message, "slack")) << unknown.message;
  const ConfigError repeated = refused("sources:\n  cao: {}\n  cao: {}\n");
  EXPECT_EQ(repeated.path, "sources.cao");
  EXPECT_TRUE(contains(repeated.message, "duplicate key")) << repeated.message;
}

TEST_F(ConfigTest, RefusesDuplicateKey) {
  const ConfigError error = refused("role: ingest\nrole: enrich\n");
  EXPECT_EQ(error.path, "role");
  EXPECT_TRUE(contains(error.message, "duplicate key")) << error.message;
}

TEST_F(ConfigTest, RefusesNonScalarKey) {
  const ConfigError error = refused("limits: {? [a, b] : 1}");
  EXPECT_EQ(error.path, "limits");
  EXPECT_TRUE(contains(error.message, "keys must be plain names")) << error.message;
}

TEST_F(ConfigTest, RefusesMapWhereScalarExpected) {
  const ConfigError error = refused("listen: {host: a, port: 1}");
  EXPECT_EQ(error.path, "listen");
  EXPECT_TRUE(contains(error.message, "not a map")) << error.message;
}

TEST_F(ConfigTest, RefusesListWhereScalarExpected) {
  const ConfigError error = refused("limits: {max_inflight: [1, 2]}");
  EXPECT_EQ(error.path, "limits.max_inflight");
  EXPECT_TRUE(contains(error.message, "not a list")) << error.message;
}

TEST_F(ConfigTest, RefusesListWhereMapExpected) {
  const ConfigError error = refused("limits: [1, 2]");
  EXPECT_EQ(error.path, "limits");
  EXPECT_TRUE(contains(error.message, "must be a map")) << error.message;
}

TEST_F(ConfigTest, RefusesScalarWhereMapExpected) {
  const ConfigError error = refused("sources: {justanswer: {webhook: yes}}");
  EXPECT_EQ(error.path, "sources.justanswer.webhook");
  EXPECT_TRUE(contains(error.message, "must be a map")) << error.message;
}

TEST_F(ConfigTest, RefusesScalarWhereListExpected) {
  const ConfigError error = refused("sources: {justanswer: {webhook: {tokens: abc}}}");
  EXPECT_EQ(error.path, "sources.justanswer.webhook.tokens");
  EXPECT_TRUE(contains(error.message, "must be a list")) << error.message;
}

TEST_F(ConfigTest, RefusesMapAsListItemNamingTheIndex) {
  const ConfigError error = refused("sources: {justanswer: {webhook: {tokens: [a, {b: c}]}}}");
  EXPECT_EQ(error.path, "sources.justanswer.webhook.tokens[1]");
  EXPECT_TRUE(contains(error.message, "not a map")) << error.message;
}

TEST_F(ConfigTest, RefusesScalarKeyWithoutValue) {
  const ConfigError error = refused("kafka:\n  brokers:\n");
  EXPECT_EQ(error.path, "kafka.brokers");
  EXPECT_TRUE(contains(error.message, "has no value")) << error.message;
}

// ---------------------------------------------------------------------------------------------
// listen / admin_listen

TEST_F(ConfigTest, ParsesListenHostAndPort) {
  const Config config = accepted("listen: 10.1.2.3:8443\nadmin_listen: localhost:0\n");
  EXPECT_EQ(config.listen.host, "10.1.2.3");
  EXPECT_EQ(config.listen.port, 8443);
  EXPECT_EQ(config.admin_listen.host, "localhost");
  EXPECT_EQ(config.admin_listen.port, 0);
}

TEST_F(ConfigTest, ParsesBracketedIpv6Listen) {
  const Config config = accepted("listen: \"[::1]:8080\"\nadmin_listen: \"[::]:65535\"\n");
  EXPECT_EQ(config.listen.host, "::1");
  EXPECT_EQ(config.listen.port, 8080);
  EXPECT_EQ(config.admin_listen.host, "::");
  EXPECT_EQ(config.admin_listen.port, 65535);
}

TEST_F(ConfigTest, RefusesListenWithoutPort) {
  const ConfigError error = refused("listen: 0.0.0.0");
  EXPECT_EQ(error.path, "listen");
  EXPECT_TRUE(contains(error.message, "host:port")) << error.message;
}

TEST_F(ConfigTest, RefusesListenPortAbove65535) {
  const ConfigError error = refused("listen: 0.0.0.0:65536");
  EXPECT_EQ(error.path, "listen");
  EXPECT_TRUE(contains(error.message, "0 to 65535")) << error.message;
}

TEST_F(ConfigTest, RefusesNonNumericListenPort) {
  const ConfigError error = refused("listen: 0.0.0.0:http");
  EXPECT_EQ(error.path, "listen");
  EXPECT_TRUE(contains(error.message, "port must be a number")) << error.message;
}

TEST_F(ConfigTest, RefusesEmptyListenPort) {
  const ConfigError error = refused("listen: \"0.0.0.0:\"");
  EXPECT_EQ(error.path, "listen");
  EXPECT_TRUE(contains(error.message, "port must be a number")) << error.message;
}

TEST_F(ConfigTest, RefusesEmptyListenHost) {
  const ConfigError error = refused("listen: \":8080\"");
  EXPECT_EQ(error.path, "listen");
  EXPECT_TRUE(contains(error.message, "host must not be empty")) << error.message;
}

TEST_F(ConfigTest, RefusesEmptyBracketedHost) {
  const ConfigError error = refused("listen: \"[]:8080\"");
  EXPECT_EQ(error.path, "listen");
  EXPECT_TRUE(contains(error.message, "host must not be empty")) << error.message;
}

TEST_F(ConfigTest, RefusesUnbracketedIpv6Listen) {
  const ConfigError error = refused("listen: \"::1:8080\"");
  EXPECT_EQ(error.path, "listen");
  EXPECT_TRUE(contains(error.message, "brackets")) << error.message;
}

TEST_F(ConfigTest, RefusesBracketedHostThatIsNotIpv6) {
  const ConfigError error = refused("listen: \"[example.com]:8080\"");
  EXPECT_EQ(error.path, "listen");
  EXPECT_TRUE(contains(error.message, "IPv6 address")) << error.message;
}

TEST_F(ConfigTest, RefusesUnclosedBracket) {
  const ConfigError error = refused("listen: \"[::1:8080\"");
  EXPECT_EQ(error.path, "listen");
  EXPECT_TRUE(contains(error.message, "host:port")) << error.message;
}

TEST_F(ConfigTest, RefusesHostWithIllegalCharacters) {
  const ConfigError error = refused("listen: \"my host:8080\"");
  EXPECT_EQ(error.path, "listen");
  EXPECT_TRUE(contains(error.message, "host may contain only")) << error.message;
}

TEST_F(ConfigTest, RefusesBadAdminListen) {
  const ConfigError error = refused("admin_listen: 9464");
  EXPECT_EQ(error.path, "admin_listen");
  EXPECT_TRUE(contains(error.message, "host:port")) << error.message;
}

// ---------------------------------------------------------------------------------------------
// role, log_level, threads

TEST_F(ConfigTest, ParsesEveryRole) {
  EXPECT_EQ(accepted("role: ingest").role, Role::ingest);
  EXPECT_EQ(accepted("role: enrich").role, Role::enrich);
  EXPECT_EQ(accepted("role: all").role, Role::all);
}

TEST_F(ConfigTest, RefusesUnknownRole) {
  const ConfigError error = refused("role: both");
  EXPECT_EQ(error.path, "role");
  EXPECT_TRUE(contains(error.message, "one of ingest, enrich, all")) << error.message;
}

TEST_F(ConfigTest, ParsesEveryLogLevel) {
  EXPECT_EQ(accepted("log_level: debug").log_level, LogLevel::debug);
  EXPECT_EQ(accepted("log_level: info").log_level, LogLevel::info);
  EXPECT_EQ(accepted("log_level: warn").log_level, LogLevel::warn);
  EXPECT_EQ(accepted("log_level: error").log_level, LogLevel::error);
}

TEST_F(ConfigTest, RefusesUnknownLogLevel) {
  const ConfigError error = refused("log_level: verbose");
  EXPECT_EQ(error.path, "log_level");
  EXPECT_TRUE(contains(error.message, "one of debug, info, warn, error")) << error.message;
}

TEST_F(ConfigTest, RefusesUppercaseLogLevel) {
  const ConfigError error = refused("log_level: INFO");
  EXPECT_EQ(error.path, "log_level");
  EXPECT_TRUE(contains(error.message, "one of")) << error.message;
}

TEST_F(ConfigTest, AcceptsThreadsUpTo1024) {
  EXPECT_EQ(accepted("threads: 1024").threads, 1024u);
}

TEST_F(ConfigTest, RefusesMoreThan1024Threads) {
  const ConfigError error = refused("threads: 1025");
  EXPECT_EQ(error.path, "threads");
  EXPECT_TRUE(contains(error.message, "at most 1024")) << error.message;
}

// ---------------------------------------------------------------------------------------------
// Integers

TEST_F(ConfigTest, RefusesNonNumericInteger) {
  const ConfigError error = refused("limits: {max_inflight: abc}");
  EXPECT_EQ(error.path, "limits.max_inflight");
  EXPECT_TRUE(contains(error.message, "non-negative integer")) << error.message;
}

TEST_F(ConfigTest, RefusesNegativeInteger) {
  const ConfigError error = refused("threads: -1");
  EXPECT_EQ(error.path, "threads");
  EXPECT_TRUE(contains(error.message, "non-negative integer")) << error.message;
}

TEST_F(ConfigTest, RefusesFractionalInteger) {
  const ConfigError error = refused("shutdown_timeout_ms: 1.5");
  EXPECT_EQ(error.path, "shutdown_timeout_ms");
  EXPECT_TRUE(contains(error.message, "non-negative integer")) << error.message;
}

TEST_F(ConfigTest, RefusesIntegerWithSign) {
  const ConfigError error = refused("threads: +4");
  EXPECT_EQ(error.path, "threads");
  EXPECT_TRUE(contains(error.message, "non-negative integer")) << error.message;
}

TEST_F(ConfigTest, RefusesIntegerOverflow) {
  const ConfigError error = refused("limits: {max_body_bytes: 99999999999999999999999}");
  EXPECT_EQ(error.path, "limits.max_body_bytes");
  EXPECT_TRUE(contains(error.message, "at most")) << error.message;
}

TEST_F(ConfigTest, RefusesDurationBeyondItsType) {
  const ConfigError error = refused("shutdown_timeout_ms: 9223372036854775808");
  EXPECT_EQ(error.path, "shutdown_timeout_ms");
  EXPECT_TRUE(contains(error.message, "at most 9223372036854775807")) << error.message;
}

TEST_F(ConfigTest, RefusesUnsignedBeyondItsType) {
  const ConfigError error = refused("enrich: {max_attempts: 4294967296}");
  EXPECT_EQ(error.path, "enrich.max_attempts");
  EXPECT_TRUE(contains(error.message, "at most 4294967295")) << error.message;
}

TEST_F(ConfigTest, RefusesEmptyStringAsInteger) {
  const ConfigError error = refused("limits: {max_inflight: \"\"}");
  EXPECT_EQ(error.path, "limits.max_inflight");
  EXPECT_TRUE(contains(error.message, "non-negative integer")) << error.message;
}

// ---------------------------------------------------------------------------------------------
// limits, shutdown, dedupe

TEST_F(ConfigTest, RefusesZeroMaxBodyBytes) {
  const ConfigError error = refused("limits: {max_body_bytes: 0}");
  EXPECT_EQ(error.path, "limits.max_body_bytes");
  EXPECT_TRUE(contains(error.message, "at least 1")) << error.message;
}

TEST_F(ConfigTest, RefusesZeroMaxInflight) {
  const ConfigError error = refused("limits: {max_inflight: 0}");
  EXPECT_EQ(error.path, "limits.max_inflight");
  EXPECT_TRUE(contains(error.message, "at least 1")) << error.message;
}

TEST_F(ConfigTest, RefusesZeroReadTimeout) {
  const ConfigError error = refused("limits: {read_timeout_ms: 0}");
  EXPECT_EQ(error.path, "limits.read_timeout_ms");
  EXPECT_TRUE(contains(error.message, "at least 1")) << error.message;
}

TEST_F(ConfigTest, RefusesMaxHeaderBytesBelow1024) {
  const ConfigError error = refused("limits: {max_header_bytes: 1023}");
  EXPECT_EQ(error.path, "limits.max_header_bytes");
  EXPECT_TRUE(contains(error.message, "at least 1024")) << error.message;
}

TEST_F(ConfigTest, RefusesAnUnverifiedBudgetAsLargeAsTheWholeBudget) {
  const ConfigError error =
      refused("limits: {max_inflight_bytes: 33554432, max_unverified_bytes: 33554432}");
  EXPECT_EQ(error.path, "limits.max_unverified_bytes");
  EXPECT_TRUE(contains(error.message, "must be less than limits.max_inflight_bytes (33554432)"))
      << error.message;
  EXPECT_EQ(accepted("limits: {max_inflight_bytes: 33554433, max_unverified_bytes: 33554432}")
                .limits.max_unverified_bytes,
            33554432u);
}

TEST_F(ConfigTest, AcceptsMaxHeaderBytesOf1024) {
  EXPECT_EQ(accepted("limits: {max_header_bytes: 1024}").limits.max_header_bytes, 1024u);
}

TEST_F(ConfigTest, RefusesZeroShutdownTimeout) {
  const ConfigError error = refused("shutdown_timeout_ms: 0");
  EXPECT_EQ(error.path, "shutdown_timeout_ms");
  EXPECT_TRUE(contains(error.message, "at least 1")) << error.message;
}

TEST_F(ConfigTest, RefusesZeroDedupeWindow) {
  const ConfigError error = refused("dedupe: {window_seconds: 0}");
  EXPECT_EQ(error.path, "dedupe.window_seconds");
  EXPECT_TRUE(contains(error.message, "at least 1")) << error.message;
}

TEST_F(ConfigTest, RefusesZeroDedupeEntries) {
  const ConfigError error = refused("dedupe: {max_entries: 0}");
  EXPECT_EQ(error.path, "dedupe.max_entries");
  EXPECT_TRUE(contains(error.message, "at least 1")) << error.message;
}

// ---------------------------------------------------------------------------------------------
// tls

TEST_F(ConfigTest, AcceptsBothTlsFiles) {
  const Config config = accepted("tls: {cert_file: /etc/tls/crt.pem, key_file: /etc/tls/key.pem}");
  EXPECT_EQ(config.tls.cert_file, "/etc/tls/crt.pem");
  EXPECT_EQ(config.tls.key_file, "/etc/tls/key.pem");
}

TEST_F(ConfigTest, RefusesTlsCertWithoutKey) {
  const ConfigError error = refused("tls: {cert_file: /etc/tls/crt.pem}");
  EXPECT_EQ(error.path, "tls.key_file");
  EXPECT_TRUE(contains(error.message, "must be set when tls.cert_file is set")) << error.message;
}

TEST_F(ConfigTest, RefusesTlsKeyWithoutCert) {
  const ConfigError error = refused("tls: {cert_file: \"\", key_file: /etc/tls/key.pem}");
  EXPECT_EQ(error.path, "tls.cert_file");
  EXPECT_TRUE(contains(error.message, "must be set when tls.key_file is set")) << error.message;
}

// ---------------------------------------------------------------------------------------------
// kafka

TEST_F(ConfigTest, RefusesZeroAckTimeout) {
  const ConfigError error = refused("kafka: {ack_timeout_ms: 0}");
  EXPECT_EQ(error.path, "kafka.ack_timeout_ms");
  EXPECT_TRUE(contains(error.message, "at least 1")) << error.message;
}

TEST_F(ConfigTest, RefusesAckTimeoutEqualToShutdownTimeout) {
  const ConfigError error = refused("shutdown_timeout_ms: 4000\nkafka: {ack_timeout_ms: 4000}\n");
  EXPECT_EQ(error.path, "kafka.ack_timeout_ms");
  EXPECT_TRUE(contains(error.message, "less than shutdown_timeout_ms")) << error.message;
  EXPECT_TRUE(contains(error.message, "in-flight requests")) << error.message;
}

TEST_F(ConfigTest, RefusesAckTimeoutAboveShutdownTimeout) {
  const ConfigError error = refused("shutdown_timeout_ms: 3000\n");  // default ack is 4000
  EXPECT_EQ(error.path, "kafka.ack_timeout_ms");
  EXPECT_TRUE(contains(error.message, "less than shutdown_timeout_ms")) << error.message;
}

TEST_F(ConfigTest, AcceptsAckTimeoutJustBelowShutdownTimeout) {
  const Config config = accepted("shutdown_timeout_ms: 4001\n");
  EXPECT_EQ(config.shutdown_timeout, 4001ms);
}

TEST_F(ConfigTest, RefusesEmptyBrokers) {
  const ConfigError error = refused("kafka: {brokers: \"\"}");
  EXPECT_EQ(error.path, "kafka.brokers");
  EXPECT_TRUE(contains(error.message, "must not be empty")) << error.message;
}

TEST_F(ConfigTest, KeepsBrokerListAsWritten) {
  EXPECT_EQ(accepted("kafka: {brokers: \"k1:9092,k2:9092\"}").kafka.brokers, "k1:9092,k2:9092");
}

TEST_F(ConfigTest, RefusesEmptyTopic) {
  const ConfigError error = refused("kafka: {topics: {events: \"\"}}");
  EXPECT_EQ(error.path, "kafka.topics.events");
  EXPECT_TRUE(contains(error.message, "must not be empty")) << error.message;
}

TEST_F(ConfigTest, RefusesTopicWithIllegalCharacter) {
  const ConfigError error = refused("kafka: {topics: {enriched: \"parley/enriched\"}}");
  EXPECT_EQ(error.path, "kafka.topics.enriched");
  EXPECT_TRUE(contains(error.message, "only letters, digits")) << error.message;
}

TEST_F(ConfigTest, RefusesTopicLongerThan249) {
  const std::string yaml = "kafka: {topics: {deadletter: " + std::string(250, 'a') + "}}";
  const ConfigError error = refused(yaml);
  EXPECT_EQ(error.path, "kafka.topics.deadletter");
  EXPECT_TRUE(contains(error.message, "at most 249")) << error.message;
}

TEST_F(ConfigTest, AcceptsTopicOf249Characters) {
  const std::string topic(249, 'a');
  EXPECT_EQ(
      accepted("kafka: {topics: {directly_watches: " + topic + "}}").kafka.topics.directly_watches,
      topic);
}

TEST_F(ConfigTest, RefusesDotDotTopic) {
  const ConfigError error = refused("kafka: {topics: {directly_watches: \"..\"}}");
  EXPECT_EQ(error.path, "kafka.topics.directly_watches");
  EXPECT_TRUE(contains(error.message, "cannot be")) << error.message;
}

TEST_F(ConfigTest, RefusesSameTopicForTwoStreams) {
  const ConfigError error = refused("kafka: {topics: {enriched: parley.events.v1}}");
  EXPECT_EQ(error.path, "kafka.topics.enriched");
  EXPECT_TRUE(contains(error.message, "must differ from kafka.topics.events")) << error.message;
}

TEST_F(ConfigTest, KeepsKafkaPropertiesAsText) {
  const Config config = accepted(
      "kafka:\n  properties:\n    security.protocol: SASL_SSL\n    linger.ms: 5\n"
      "    enable.idempotence: true\n    batch.size: 0x10\n");
  const auto& properties = config.kafka.properties;
  ASSERT_EQ(properties.size(), 4u);
  EXPECT_EQ(properties.at("security.protocol"), "SASL_SSL");
  EXPECT_EQ(properties.at("linger.ms"), "5");
  EXPECT_EQ(properties.at("enable.idempotence"), "true");
  EXPECT_EQ(properties.at("batch.size"), "0x10");
}

TEST_F(ConfigTest, RefusesKafkaPropertiesThatAreNotAMap) {
  const ConfigError error = refused("kafka: {properties: [a, b]}");
  EXPECT_EQ(error.path, "kafka.properties");
  EXPECT_TRUE(contains(error.message, "must be a map")) << error.message;
}

TEST_F(ConfigTest, RefusesNestedKafkaPropertyValue) {
  const ConfigError error = refused("kafka: {properties: {sasl: {mechanism: PLAIN}}}");
  EXPECT_EQ(error.path, "kafka.properties.sasl");
  EXPECT_TRUE(contains(error.message, "not a map")) << error.message;
}

TEST_F(ConfigTest, RefusesKafkaPropertyWithoutValue) {
  const ConfigError error = refused("kafka:\n  properties:\n    linger.ms:\n");
  EXPECT_EQ(error.path, "kafka.properties.linger.ms");
  EXPECT_TRUE(contains(error.message, "has no value")) << error.message;
}

// ---------------------------------------------------------------------------------------------
// Booleans

TEST_F(ConfigTest, ParsesYamlBooleans) {
  EXPECT_FALSE(accepted("enrich: {enabled: false}").enrich.enabled);
  EXPECT_FALSE(accepted("events: {include_raw: False}").events.include_raw);
  EXPECT_TRUE(accepted("enrich: {enabled: TRUE}").enrich.enabled);
}

TEST_F(ConfigTest, RefusesYesAsBoolean) {
  const ConfigError error = refused("enrich: {enabled: yes}");
  EXPECT_EQ(error.path, "enrich.enabled");
  EXPECT_TRUE(contains(error.message, "true or false")) << error.message;
}

TEST_F(ConfigTest, RefusesNumberAsBoolean) {
  const ConfigError error = refused("events: {include_raw: 1}");
  EXPECT_EQ(error.path, "events.include_raw");
  EXPECT_TRUE(contains(error.message, "true or false")) << error.message;
}

// ---------------------------------------------------------------------------------------------
// enrich

TEST_F(ConfigTest, RefusesZeroEnrichConcurrency) {
  const ConfigError error = refused("enrich: {concurrency: 0}");
  EXPECT_EQ(error.path, "enrich.concurrency");
  EXPECT_TRUE(contains(error.message, "at least 1")) << error.message;
}

TEST_F(ConfigTest, RefusesZeroEnrichMaxAttempts) {
  const ConfigError error = refused("enrich: {max_attempts: 0}");
  EXPECT_EQ(error.path, "enrich.max_attempts");
  EXPECT_TRUE(contains(error.message, "at least 1")) << error.message;
}

TEST_F(ConfigTest, RefusesZeroEnrichTimeout) {
  const ConfigError error = refused("enrich: {timeout_ms: 0}");
  EXPECT_EQ(error.path, "enrich.timeout_ms");
  EXPECT_TRUE(contains(error.message, "at least 1")) << error.message;
}

// ---------------------------------------------------------------------------------------------
// Sources: presence, verification, secrets

TEST_F(ConfigTest, PresentSourceGetsDefaultsForMissingKeys) {
  const Config config = accepted(
      "sources:\n  talkjs:\n    webhook: {secret_keys: [s]}\n    api: {app_id: a}\n"
      "  directly:\n    watch: {tokens: [w]}\n");
  ASSERT_TRUE(config.sources.find<TalkJsSource>("talkjs") != nullptr);
  EXPECT_EQ(config.sources.find<TalkJsSource>("talkjs")->webhook.max_skew, 300s);
  EXPECT_EQ(config.sources.find<TalkJsSource>("talkjs")->api.base_url, "https://api.talkjs.com");
  EXPECT_FALSE(config.sources.find<TalkJsSource>("talkjs")->webhook.allow_unauthenticated);
  ASSERT_TRUE(config.sources.find<DirectlySource>("directly") != nullptr);
  EXPECT_EQ(config.sources.find<DirectlySource>("directly")->api.token_path, "oauth/token");
  EXPECT_EQ(config.sources.find<DirectlySource>("directly")->api.logout_path, "oauth/logout");
  EXPECT_EQ(config.sources.find<DirectlySource>("directly")->poll.interval, 5000ms);
  EXPECT_EQ(config.sources.find<DirectlySource>("directly")->poll.max_interval, 60000ms);
  EXPECT_EQ(config.sources.find<DirectlySource>("directly")->poll.max_requests_per_second, 50u);
  EXPECT_EQ(config.sources.find<DirectlySource>("directly")->poll.concurrency, 16u);
  EXPECT_EQ(config.sources.find<DirectlySource>("directly")->poll.timeout, 5000ms);
  EXPECT_FALSE(config.sources.find<JustAnswerSource>("justanswer") != nullptr);
  EXPECT_FALSE(config.sources.find<CaoSource>("cao") != nullptr);
}

TEST_F(ConfigTest, AnEnrichOnlyFileNeedsNoWebhookVerification) {
  // The enrichment pods' config: API credentials only, no webhook secret.
  const Config config = accepted(
      "role: enrich\nsources:\n  cao:\n    api: {base_url: \"https://cao.example\", api_key: k}\n");
  ASSERT_TRUE(config.sources.find<CaoSource>("cao") != nullptr);
  EXPECT_TRUE(config.sources.find<CaoSource>("cao")->webhook.api_keys.empty());
  EXPECT_EQ(refused("role: ingest\nsources:\n  cao:\n    api: {api_key: k}\n").path,
            "sources.cao.webhook");
}

TEST_F(ConfigTest, ReadsDirectlyPollLimits) {
  const Config config = accepted(
      "sources:\n  directly:\n    watch: {tokens: [w]}\n"
      "    poll: {interval_ms: 1000, max_interval_ms: 30000, max_requests_per_second: 200,"
      " concurrency: 4, timeout_ms: 2000}\n");
  const auto& poll = config.sources.find<DirectlySource>("directly")->poll;
  EXPECT_EQ(poll.interval, 1000ms);
  EXPECT_EQ(poll.max_interval, 30000ms);
  EXPECT_EQ(poll.max_requests_per_second, 200u);
  EXPECT_EQ(poll.concurrency, 4u);
  EXPECT_EQ(poll.timeout, 2000ms);
}

TEST_F(ConfigTest, RefusesDirectlyMaxIntervalBelowInterval) {
  const ConfigError error = refused(
      "sources: {directly: {watch: {tokens: [w]}, poll: {interval_ms: 5000, "
      "max_interval_ms: 1000}}}");
  EXPECT_EQ(error.path, "sources.directly.poll.max_interval_ms");
  EXPECT_TRUE(contains(error.message, "at least interval_ms (5000)")) << error.message;
}

TEST_F(ConfigTest, RefusesZeroDirectlyRate) {
  const ConfigError error =
      refused("sources: {directly: {watch: {tokens: [w]}, poll: {max_requests_per_second: 0}}}");
  EXPECT_EQ(error.path, "sources.directly.poll.max_requests_per_second");
}

TEST_F(ConfigTest, RefusesJustAnswerWithoutVerification) {
  const ConfigError error = refused("sources:\n  justanswer:\n");
  EXPECT_EQ(error.path, "sources.justanswer.webhook");
  EXPECT_TRUE(contains(error.message, "tokens, hmac_secrets or allow_cidrs")) << error.message;
  EXPECT_TRUE(contains(error.message, "allow_unauthenticated: true")) << error.message;
}

TEST_F(ConfigTest, RefusesCaoWithoutVerification) {
  const ConfigError error = refused("sources: {cao: {webhook: {api_keys: []}}}");
  EXPECT_EQ(error.path, "sources.cao.webhook");
  EXPECT_TRUE(contains(error.message, "api_keys")) << error.message;
  EXPECT_TRUE(contains(error.message, "allow_unauthenticated: true")) << error.message;
}

TEST_F(ConfigTest, RefusesTalkJsWithoutVerification) {
  const ConfigError error = refused("sources: {talkjs: {api: {app_id: a}}}");
  EXPECT_EQ(error.path, "sources.talkjs.webhook");
  EXPECT_TRUE(contains(error.message, "secret_keys")) << error.message;
  EXPECT_TRUE(contains(error.message, "allow_unauthenticated: true")) << error.message;
}

TEST_F(ConfigTest, RefusesDirectlyWithoutVerification) {
  const ConfigError error = refused("sources: {directly: {}}");
  EXPECT_EQ(error.path, "sources.directly.watch");
  EXPECT_TRUE(contains(error.message, "tokens")) << error.message;
  EXPECT_TRUE(contains(error.message, "allow_unauthenticated: true")) << error.message;
}

TEST_F(ConfigTest, AcceptsEverySourceWhenExplicitlyUnauthenticated) {
  const Config config = accepted(
      "sources:\n"
      "  justanswer: {webhook: {allow_unauthenticated: true}}\n"
      "  cao: {webhook: {allow_unauthenticated: true}}\n"
      "  talkjs: {webhook: {allow_unauthenticated: true}, api: {app_id: a}}\n"
      "  directly: {watch: {allow_unauthenticated: true}}\n");
  ASSERT_TRUE(config.sources.find<JustAnswerSource>("justanswer") &&
              config.sources.find<CaoSource>("cao") &&
              config.sources.find<TalkJsSource>("talkjs") &&
              config.sources.find<DirectlySource>("directly"));
  EXPECT_TRUE(config.sources.find<JustAnswerSource>("justanswer")->webhook.allow_unauthenticated);
  EXPECT_TRUE(config.sources.find<CaoSource>("cao")->webhook.allow_unauthenticated);
  EXPECT_TRUE(config.sources.find<TalkJsSource>("talkjs")->webhook.allow_unauthenticated);
  EXPECT_TRUE(config.sources.find<DirectlySource>("directly")->watch.allow_unauthenticated);
}

TEST_F(ConfigTest, EachJustAnswerMechanismAloneCountsAsVerification) {
  EXPECT_EQ(accepted("sources: {justanswer: {webhook: {tokens: [a]}}}")
                .sources.find<JustAnswerSource>("justanswer")
                ->webhook.tokens.size(),
            1u);
  EXPECT_EQ(accepted("sources: {justanswer: {webhook: {hmac_secrets: [a]}}}")
                .sources.find<JustAnswerSource>("justanswer")
                ->webhook.hmac_secrets.size(),
            1u);
  EXPECT_EQ(accepted("sources: {justanswer: {webhook: {allow_cidrs: [10.0.0.0/8]}}}")
                .sources.find<JustAnswerSource>("justanswer")
                ->webhook.allow_cidrs.size(),
            1u);
}

TEST_F(ConfigTest, KeepsRotatedSecretsInOrder) {
  const Config config = accepted(
      "sources:\n"
      "  justanswer: {webhook: {tokens: [new-token, old-token], hmac_secrets: [h2, h1]}}\n"
      "  cao: {webhook: {api_keys: [k2, k1]}}\n"
      "  talkjs: {webhook: {secret_keys: [s2, s1]}, api: {app_id: a}}\n"
      "  directly: {watch: {tokens: [w2, w1]}}\n");
  EXPECT_EQ(config.sources.find<JustAnswerSource>("justanswer")->webhook.tokens,
            (std::vector<std::string>{"new-token", "old-token"}));
  EXPECT_EQ(config.sources.find<JustAnswerSource>("justanswer")->webhook.hmac_secrets,
            (std::vector<std::string>{"h2", "h1"}));
  EXPECT_EQ(config.sources.find<CaoSource>("cao")->webhook.api_keys,
            (std::vector<std::string>{"k2", "k1"}));
  EXPECT_EQ(config.sources.find<TalkJsSource>("talkjs")->webhook.secret_keys,
            (std::vector<std::string>{"s2", "s1"}));
  EXPECT_EQ(config.sources.find<DirectlySource>("directly")->watch.tokens,
            (std::vector<std::string>{"w2", "w1"}));
}

TEST_F(ConfigTest, RefusesEmptyJustAnswerToken) {
  const ConfigError error = refused("sources: {justanswer: {webhook: {tokens: [a, \"\"]}}}");
  EXPECT_EQ(error.path, "sources.justanswer.webhook.tokens[1]");
  EXPECT_TRUE(contains(error.message, "must not be empty")) << error.message;
}

TEST_F(ConfigTest, RefusesEmptyHmacSecret) {
  const ConfigError error = refused("sources: {justanswer: {webhook: {hmac_secrets: [\"\"]}}}");
  EXPECT_EQ(error.path, "sources.justanswer.webhook.hmac_secrets[0]");
  EXPECT_TRUE(contains(error.message, "must not be empty")) << error.message;
}

TEST_F(ConfigTest, RefusesEmptyCaoApiKey) {
  const ConfigError error = refused("sources: {cao: {webhook: {api_keys: [k, k2, \"\"]}}}");
  EXPECT_EQ(error.path, "sources.cao.webhook.api_keys[2]");
  EXPECT_TRUE(contains(error.message, "must not be empty")) << error.message;
}

TEST_F(ConfigTest, RefusesEmptyTalkJsSecretKey) {
  const ConfigError error = refused("sources: {talkjs: {webhook: {secret_keys: [\"\"]}}}");
  EXPECT_EQ(error.path, "sources.talkjs.webhook.secret_keys[0]");
  EXPECT_TRUE(contains(error.message, "must not be empty")) << error.message;
}

TEST_F(ConfigTest, RefusesEmptyDirectlyWatchToken) {
  const ConfigError error = refused("sources: {directly: {watch: {tokens: [\"\"]}}}");
  EXPECT_EQ(error.path, "sources.directly.watch.tokens[0]");
  EXPECT_TRUE(contains(error.message, "must not be empty")) << error.message;
}

TEST_F(ConfigTest, RefusesSecretListItemWithoutValue) {
  const ConfigError error = refused("sources:\n  cao:\n    webhook:\n      api_keys:\n        -\n");
  EXPECT_EQ(error.path, "sources.cao.webhook.api_keys[0]");
  EXPECT_TRUE(contains(error.message, "has no value")) << error.message;
}

TEST_F(ConfigTest, RefusesSecretThatResolvesToEmpty) {
  const ScopedEnv env("PARLEY_TEST_EMPTY_SECRET", "");
  const ConfigError error =
      refused("sources: {cao: {webhook: {api_keys: [\"${env:PARLEY_TEST_EMPTY_SECRET}\"]}}}");
  EXPECT_EQ(error.path, "sources.cao.webhook.api_keys[0]");
  EXPECT_TRUE(contains(error.message, "must not be empty")) << error.message;
  EXPECT_TRUE(contains(error.message, "${env:PARLEY_TEST_EMPTY_SECRET}")) << error.message;
}

TEST_F(ConfigTest, ParsesAllowCidrs) {
  const Config config = accepted(
      "sources: {justanswer: {webhook: {allow_cidrs: [10.0.0.0/8, \"2001:db8::/32\", "
      "192.168.1.7]}}}");
  const auto& cidrs = config.sources.find<JustAnswerSource>("justanswer")->webhook.allow_cidrs;
  ASSERT_EQ(cidrs.size(), 3u);
  EXPECT_EQ(cidrs[0].to_string(), "10.0.0.0/8");
  EXPECT_EQ(cidrs[1].to_string(), "2001:db8::/32");
  EXPECT_EQ(cidrs[2].to_string(), "192.168.1.7/32");
}

TEST_F(ConfigTest, RefusesBadCidrNamingTheIndex) {
  const ConfigError error =
      refused("sources: {justanswer: {webhook: {allow_cidrs: [10.0.0.0/8, 10.0.0.0/33]}}}");
  EXPECT_EQ(error.path, "sources.justanswer.webhook.allow_cidrs[1]");
  EXPECT_TRUE(contains(error.message, "must be a CIDR")) << error.message;
  EXPECT_TRUE(contains(error.message, "10.0.0.0/33")) << error.message;
}

TEST_F(ConfigTest, MapsTalkJsMaxSkewSeconds) {
  const Config config = accepted(
      "sources: {talkjs: {webhook: {secret_keys: [s], max_skew_seconds: 30}, api: {app_id: a}}}");
  EXPECT_EQ(config.sources.find<TalkJsSource>("talkjs")->webhook.max_skew, 30s);
}

TEST_F(ConfigTest, RefusesZeroTalkJsMaxSkew) {
  const ConfigError error =
      refused("sources: {talkjs: {webhook: {secret_keys: [s], max_skew_seconds: 0}}}");
  EXPECT_EQ(error.path, "sources.talkjs.webhook.max_skew_seconds");
  EXPECT_TRUE(contains(error.message, "at least 1")) << error.message;
}

TEST_F(ConfigTest, RefusesDirectlyPollIntervalBelow100) {
  const ConfigError error =
      refused("sources: {directly: {watch: {tokens: [w]}, poll: {interval_ms: 99}}}");
  EXPECT_EQ(error.path, "sources.directly.poll.interval_ms");
  EXPECT_TRUE(contains(error.message, "at least 100")) << error.message;
}

TEST_F(ConfigTest, AcceptsDirectlyPollIntervalOf100) {
  const Config config =
      accepted("sources: {directly: {watch: {tokens: [w]}, poll: {interval_ms: 100}}}");
  EXPECT_EQ(config.sources.find<DirectlySource>("directly")->poll.interval, 100ms);
}

TEST_F(ConfigTest, RefusesBaseUrlWithOtherScheme) {
  const ConfigError error =
      refused("sources: {cao: {webhook: {api_keys: [k]}, api: {base_url: \"ftp://cao\"}}}");
  EXPECT_EQ(error.path, "sources.cao.api.base_url");
  EXPECT_TRUE(contains(error.message, "http:// or https://")) << error.message;
}

TEST_F(ConfigTest, RefusesBaseUrlWithoutScheme) {
  const ConfigError error =
      refused("sources: {justanswer: {webhook: {tokens: [t]}, api: {base_url: api.example.com}}}");
  EXPECT_EQ(error.path, "sources.justanswer.api.base_url");
  EXPECT_TRUE(contains(error.message, "http:// or https://")) << error.message;
}

TEST_F(ConfigTest, RefusesBaseUrlWithSchemeOnly) {
  const ConfigError error =
      refused("sources: {directly: {watch: {tokens: [t]}, api: {base_url: \"https://\"}}}");
  EXPECT_EQ(error.path, "sources.directly.api.base_url");
  EXPECT_TRUE(contains(error.message, "followed by a host")) << error.message;
}

TEST_F(ConfigTest, RefusesEmptyTalkJsBaseUrlOnlyWhenMalformed) {
  const Config config = accepted(
      "sources: {talkjs: {webhook: {secret_keys: [s]}, api: {base_url: \"\", app_id: a}}}");
  EXPECT_EQ(config.sources.find<TalkJsSource>("talkjs")->api.base_url, "");
  const ConfigError error =
      refused("sources: {talkjs: {webhook: {secret_keys: [s]}, api: {base_url: talkjs}}}");
  EXPECT_EQ(error.path, "sources.talkjs.api.base_url");
}

TEST_F(ConfigTest, AcceptsHttpAndHttpsBaseUrls) {
  const Config config = accepted(
      "sources:\n"
      "  cao: {webhook: {api_keys: [k]}, api: {base_url: \"https://api.contactatonce.com/\"}}\n"
      "  directly: {watch: {tokens: [t]}, api: {base_url: \"http://localhost:9000\"}}\n");
  EXPECT_EQ(config.sources.find<CaoSource>("cao")->api.base_url, "https://api.contactatonce.com/");
  EXPECT_EQ(config.sources.find<DirectlySource>("directly")->api.base_url, "http://localhost:9000");
}

// ---------------------------------------------------------------------------------------------
// ${env:...} and ${file:...}

TEST_F(ConfigTest, SubstitutesEnvironmentVariable) {
  const ScopedEnv env("PARLEY_TEST_BROKERS", "kafka-0:9092");
  EXPECT_EQ(accepted("kafka: {brokers: \"${env:PARLEY_TEST_BROKERS}\"}").kafka.brokers,
            "kafka-0:9092");
}

TEST_F(ConfigTest, SubstitutesSeveralReferencesMixedWithText) {
  const ScopedEnv host("PARLEY_TEST_HOST", "kafka-0");
  const ScopedEnv port("PARLEY_TEST_PORT", "9092");
  write_file("second-broker", "kafka-1:9093\n");
  const Config config = accepted(
      "kafka: {brokers: "
      "\"${env:PARLEY_TEST_HOST}:${env:PARLEY_TEST_PORT},${file:second-broker}\"}");
  EXPECT_EQ(config.kafka.brokers, "kafka-0:9092,kafka-1:9093");
}

TEST_F(ConfigTest, SubstitutesInListItemsAndProperties) {
  const ScopedEnv token("PARLEY_TEST_TOKEN", "tok-123");
  const ScopedEnv password("PARLEY_TEST_SASL", "hunter2");
  const Config config = accepted(
      "kafka: {properties: {sasl.password: \"${env:PARLEY_TEST_SASL}\"}}\n"
      "sources: {justanswer: {webhook: {tokens: [plain, \"prefix-${env:PARLEY_TEST_TOKEN}\"]}}}\n");
  EXPECT_EQ(config.kafka.properties.at("sasl.password"), "hunter2");
  EXPECT_EQ(config.sources.find<JustAnswerSource>("justanswer")->webhook.tokens,
            (std::vector<std::string>{"plain", "prefix-tok-123"}));
}

TEST_F(ConfigTest, SubstitutesIntoNonStringKeys) {
  const ScopedEnv threads("PARLEY_TEST_THREADS", "8");
  const ScopedEnv listen("PARLEY_TEST_LISTEN", "[::]:8081");
  const Config config = accepted(
      "threads: ${env:PARLEY_TEST_THREADS}\n"
      "listen: ${env:PARLEY_TEST_LISTEN}\n");
  EXPECT_EQ(config.threads, 8u);
  EXPECT_EQ(config.listen.host, "::");
  EXPECT_EQ(config.listen.port, 8081);
}

TEST_F(ConfigTest, DoesNotRescanSubstitutedText) {
  const ScopedEnv env("PARLEY_TEST_TRICKY", "a${env:NOPE}b");
  const Config config =
      accepted("sources: {cao: {webhook: {api_keys: [\"${env:PARLEY_TEST_TRICKY}\"]}}}");
  EXPECT_EQ(config.sources.find<CaoSource>("cao")->webhook.api_keys.at(0), "a${env:NOPE}b");
}

TEST_F(ConfigTest, LeavesLoneDollarAlone) {
  const Config config = accepted("sources: {cao: {webhook: {api_keys: [\"pa$$word$\"]}}}");
  EXPECT_EQ(config.sources.find<CaoSource>("cao")->webhook.api_keys.at(0), "pa$$word$");
}

TEST_F(ConfigTest, RefusesUnsetEnvironmentVariable) {
  ::unsetenv("PARLEY_TEST_SURELY_UNSET");
  const ConfigError error =
      refused("sources: {talkjs: {webhook: {secret_keys: [\"${env:PARLEY_TEST_SURELY_UNSET}\"]}}}");
  EXPECT_EQ(error.path, "sources.talkjs.webhook.secret_keys[0]");
  EXPECT_TRUE(contains(error.message, "PARLEY_TEST_SURELY_UNSET")) << error.message;
  EXPECT_TRUE(contains(error.message, "not set")) << error.message;
}

TEST_F(ConfigTest, RefusesEnvReferenceWithoutName) {
  const ConfigError error = refused("kafka: {brokers: \"${env:}\"}");
  EXPECT_EQ(error.path, "kafka.brokers");
  EXPECT_TRUE(contains(error.message, "variable name")) << error.message;
}

TEST_F(ConfigTest, SubstitutesRelativeFileAgainstBaseDir) {
  fs::create_directories(dir_ / "secrets");
  write_file("secrets/ja-token", "from-file\n");
  const Config config =
      accepted("sources: {justanswer: {webhook: {tokens: [\"${file:secrets/ja-token}\"]}}}");
  EXPECT_EQ(config.sources.find<JustAnswerSource>("justanswer")->webhook.tokens.at(0), "from-file");
}

TEST_F(ConfigTest, SubstitutesAbsoluteFile) {
  const fs::path file = write_file("absolute", "abs-secret");
  const Config config = accepted("sources: {cao: {api: {api_key: \"${file:" + file.string() +
                                 "}\"}, webhook: {api_keys: [k]}}}");
  EXPECT_EQ(config.sources.find<CaoSource>("cao")->api.api_key, "abs-secret");
}

TEST_F(ConfigTest, StripsOnlyOneTrailingNewlineFromFile) {
  write_file("two-newlines", "secret\n\n");
  write_file("crlf", "secret\r\n");
  write_file("inner", "line1\nline2\n");
  const Config config = accepted(
      "sources: {cao: {webhook: {api_keys: [\"${file:two-newlines}\", \"${file:crlf}\", "
      "\"${file:inner}\"]}}}");
  EXPECT_EQ(config.sources.find<CaoSource>("cao")->webhook.api_keys,
            (std::vector<std::string>{"secret\n", "secret", "line1\nline2"}));
}

TEST_F(ConfigTest, RefusesUnreadableFileNamingKeyAndFile) {
  const ConfigError error =
      refused("sources: {directly: {watch: {tokens: [\"${file:missing-token}\"]}}}");
  EXPECT_EQ(error.path, "sources.directly.watch.tokens[0]");
  EXPECT_TRUE(contains(error.message, (dir_ / "missing-token").string())) << error.message;
  EXPECT_TRUE(contains(error.message, "No such file")) << error.message;
}

TEST_F(ConfigTest, RefusesDirectoryAsFileReference) {
  fs::create_directories(dir_ / "a-directory");
  const ConfigError error = refused("tls: {cert_file: \"${file:a-directory}\", key_file: k}");
  EXPECT_EQ(error.path, "tls.cert_file");
  EXPECT_TRUE(contains(error.message, "is a directory")) << error.message;
}

TEST_F(ConfigTest, RefusesUnknownSubstitutionKind) {
  const ConfigError error = refused("kafka: {brokers: \"${vault:kafka/brokers}\"}");
  EXPECT_EQ(error.path, "kafka.brokers");
  EXPECT_TRUE(contains(error.message, "unknown substitution")) << error.message;
  EXPECT_TRUE(contains(error.message, "${vault:kafka/brokers}")) << error.message;
}

TEST_F(ConfigTest, RefusesSubstitutionWithoutKind) {
  const ConfigError error = refused("kafka: {brokers: \"${BROKERS}\"}");
  EXPECT_EQ(error.path, "kafka.brokers");
  EXPECT_TRUE(contains(error.message, "unknown substitution")) << error.message;
}

TEST_F(ConfigTest, RefusesUnterminatedSubstitution) {
  const ConfigError error = refused("kafka: {topics: {events: \"${env:TOPIC\"}}");
  EXPECT_EQ(error.path, "kafka.topics.events");
  EXPECT_TRUE(contains(error.message, "unterminated")) << error.message;
}

// A value that came from ${env:...} or ${file:...} may be a secret put under the wrong key:
// the message names the key and the reference, never the value.
struct LeakCase {
  std::string_view yaml;    // refers to ${env:PARLEY_TEST_LEAKED}
  std::string_view secret;  // its value, invalid where it is used
  std::string_view path;    // the key the error must name
};

constexpr std::string_view kLeakedReference = "${env:PARLEY_TEST_LEAKED}";

// Every kind of message that shows a value: the value of the refused key itself, or of
// another key it is compared with.
constexpr LeakCase kLeakCases[] = {
    {"threads: \"${env:PARLEY_TEST_LEAKED}\"", "Hunter2/s3cret", "threads"},
    {"threads: \"${env:PARLEY_TEST_LEAKED}\"", "987654321", "threads"},
    {"listen: \"${env:PARLEY_TEST_LEAKED}\"", "Hunter2/s3cret", "listen"},
    {"listen: \"${env:PARLEY_TEST_LEAKED}:80\"", "Hunter2::s3cret", "listen"},
    {"admin_listen: \"[${env:PARLEY_TEST_LEAKED}]:80\"", "Hunter2s3cret", "admin_listen"},
    {"role: \"${env:PARLEY_TEST_LEAKED}\"", "Hunter2/s3cret", "role"},
    {"log_level: \"${env:PARLEY_TEST_LEAKED}\"", "Hunter2/s3cret", "log_level"},
    {"events: {include_raw: \"${env:PARLEY_TEST_LEAKED}\"}", "Hunter2/s3cret",
     "events.include_raw"},
    {"kafka: {topics: {events: \"${env:PARLEY_TEST_LEAKED}\"}}", "Hunter2/s3cret",
     "kafka.topics.events"},
    {"kafka: {topics: {events: \"${env:PARLEY_TEST_LEAKED}\", enriched: "
     "\"${env:PARLEY_TEST_LEAKED}\"}}",
     "Hunter2.s3cret", "kafka.topics.enriched"},
    {"kafka: {topics: {events: \"${env:PARLEY_TEST_LEAKED}\", enriched: Hunter2.s3cret}}",
     "Hunter2.s3cret", "kafka.topics.enriched"},
    {"sources: {justanswer: {webhook: {allow_cidrs: [\"${env:PARLEY_TEST_LEAKED}\"]}}}",
     "Hunter2/s3cret", "sources.justanswer.webhook.allow_cidrs[0]"},
    {"sources: {justanswer: {webhook: {tokens: [t], allow_unauthenticated: "
     "\"${env:PARLEY_TEST_LEAKED}\"}}}",
     "Hunter2/s3cret", "sources.justanswer.webhook.allow_unauthenticated"},
    {"sources: {cao: {webhook: {api_keys: [k]}, api: {base_url: \"${env:PARLEY_TEST_LEAKED}\"}}}",
     "Hunter2/s3cret", "sources.cao.api.base_url"},
    {"sources: {eu: {platform: \"${env:PARLEY_TEST_LEAKED}\"}}", "Hunter2/s3cret",
     "sources.eu.platform"},
    {"sources: {talkjs: {webhook: {secret_keys: [k], roles: {agentx: "
     "\"${env:PARLEY_TEST_LEAKED}\"}}, api: {app_id: a}}}",
     "Hunter2/s3cret", "sources.talkjs.webhook.roles.agentx"},
    {"limits: {max_body_bytes: \"${env:PARLEY_TEST_LEAKED}\", max_inflight_bytes: 1000, "
     "max_unverified_bytes_per_peer: 1000000000000, max_unverified_bytes: 1000000000000}",
     "987654321", "limits.max_inflight_bytes"},
    {"limits: {max_body_bytes: \"${env:PARLEY_TEST_LEAKED}\"}", "987654321",
     "limits.max_unverified_bytes_per_peer"},
    {"limits: {max_unverified_bytes_per_peer: \"${env:PARLEY_TEST_LEAKED}\"}", "987654321",
     "limits.max_unverified_bytes"},
    {"spool: {max_bytes: \"${env:PARLEY_TEST_LEAKED}\"}", "8191", "spool.max_bytes"},
    {"spool: {segment_bytes: \"${env:PARLEY_TEST_LEAKED}\", max_bytes: 4096}", "987654321",
     "spool.max_bytes"},
    {"shutdown_timeout_ms: \"${env:PARLEY_TEST_LEAKED}\"", "3999", "kafka.ack_timeout_ms"},
    {"shutdown_timeout_ms: 987654322\nkafka: {ack_timeout_ms: \"${env:PARLEY_TEST_LEAKED}\"}",
     "987654321987", "kafka.ack_timeout_ms"},
    {"sources: {directly: {watch: {tokens: [t]}, poll: {interval_ms: "
     "\"${env:PARLEY_TEST_LEAKED}\", max_interval_ms: 200}}}",
     "987654321", "sources.directly.poll.max_interval_ms"},
};

TEST_F(ConfigTest, NeverShowsValueFromEnvironmentInErrors) {
  for (const LeakCase& leak : kLeakCases) {
    SCOPED_TRACE(leak.yaml);
    const ScopedEnv env("PARLEY_TEST_LEAKED", std::string(leak.secret));
    const ConfigError error = refused(leak.yaml);
    EXPECT_EQ(error.path, leak.path);
    EXPECT_FALSE(contains(error.to_string(), leak.secret)) << error.to_string();
    EXPECT_TRUE(contains(error.message, std::string(kLeakedReference) + ", not shown"))
        << error.message;
  }
}

TEST_F(ConfigTest, NeverShowsValueFromFileInErrors) {
  write_file("leaked-secret", "Hunter2/FileS3cret\n");
  const ConfigError cidr =
      refused("sources: {justanswer: {webhook: {allow_cidrs: [\"${file:leaked-secret}\"]}}}");
  EXPECT_EQ(cidr.path, "sources.justanswer.webhook.allow_cidrs[0]");
  EXPECT_FALSE(contains(cidr.to_string(), "Hunter2")) << cidr.to_string();
  EXPECT_TRUE(contains(cidr.message, "(value from ${file:leaked-secret}, not shown)"))
      << cidr.message;

  const ConfigError threads = refused("threads: \"${file:leaked-secret}\"");
  EXPECT_EQ(threads.path, "threads");
  EXPECT_FALSE(contains(threads.to_string(), "Hunter2")) << threads.to_string();
  EXPECT_TRUE(contains(threads.message, "(value from ${file:leaked-secret}, not shown)"))
      << threads.message;
}

TEST_F(ConfigTest, NamesEveryReferenceOfAMixedValue) {
  const ScopedEnv host("PARLEY_TEST_HOST", "Hunter2");
  write_file("port", "s3cret\n");
  const ConfigError error = refused("listen: \"${env:PARLEY_TEST_HOST}:${file:port}\"");
  EXPECT_EQ(error.path, "listen");
  EXPECT_FALSE(contains(error.to_string(), "Hunter2")) << error.to_string();
  EXPECT_FALSE(contains(error.to_string(), "s3cret")) << error.to_string();
  EXPECT_TRUE(contains(error.message,
                       "(value from ${env:PARLEY_TEST_HOST} and ${file:port}, "
                       "not shown)"))
      << error.message;
}

TEST_F(ConfigTest, ShowsValuesTypedInTheFile) {
  // Only substituted values are hidden: a typed one is in the file for anyone to read, and
  // showing it makes the mistake obvious.
  EXPECT_TRUE(contains(refused("threads: lots").message, "got \"lots\""));
  EXPECT_TRUE(contains(refused("role: both").message, "got \"both\""));
  EXPECT_TRUE(
      contains(refused("sources: {justanswer: {webhook: {allow_cidrs: [10.0.0.0/33]}}}").message,
               "got \"10.0.0.0/33\""));
  EXPECT_TRUE(contains(refused("spool: {max_bytes: 4096, segment_bytes: 8192}").message,
                       "spool.segment_bytes (8192), got 4096"));
}

TEST_F(ConfigTest, RefusesDeviceAsFileReferenceWithoutReadingIt) {
  const auto start = std::chrono::steady_clock::now();
  const ConfigError error = refused("tls: {cert_file: \"${file:/dev/zero}\", key_file: k}");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  EXPECT_EQ(error.path, "tls.cert_file");
  EXPECT_TRUE(contains(error.message, "\"/dev/zero\"")) << error.message;
  EXPECT_TRUE(contains(error.message, "is a character device, not a regular file"))
      << error.message;
}

TEST_F(ConfigTest, RefusesFifoAsFileReferenceWithoutOpeningIt) {
  // Opening a FIFO for reading waits for a writer: without the check this test hangs.
  ASSERT_EQ(::mkfifo((dir_ / "fifo").c_str(), 0600), 0);
  const ConfigError error = refused("tls: {cert_file: \"${file:fifo}\", key_file: k}");
  EXPECT_EQ(error.path, "tls.cert_file");
  EXPECT_TRUE(contains(error.message, (dir_ / "fifo").string())) << error.message;
  EXPECT_TRUE(contains(error.message, "is a FIFO (named pipe), not a regular file"))
      << error.message;
}

TEST_F(ConfigTest, ReadsFileReferenceUpToTheLimit) {
  write_file("at-limit", std::string(kMaxFileReferenceBytes, 'a'));
  const Config config = accepted("kafka: {properties: {sasl.password: \"${file:at-limit}\"}}");
  ASSERT_TRUE(config.kafka.properties.contains("sasl.password"));
  EXPECT_EQ(config.kafka.properties.at("sasl.password").size(), kMaxFileReferenceBytes);
}

TEST_F(ConfigTest, RefusesFileReferenceOverTheLimit) {
  EXPECT_EQ(kMaxFileReferenceBytes, 65536u);
  write_file("over-limit", std::string(kMaxFileReferenceBytes + 1, 'a'));
  const ConfigError error = refused("kafka: {properties: {sasl.password: \"${file:over-limit}\"}}");
  EXPECT_EQ(error.path, "kafka.properties.sasl.password");
  EXPECT_TRUE(contains(error.message, (dir_ / "over-limit").string())) << error.message;
  EXPECT_TRUE(contains(error.message, "larger than the limit of 65536 bytes (64 KiB)"))
      << error.message;
}

TEST_F(ConfigTest, FollowsSymbolicLinkOfFileReference) {
  // A mounted Kubernetes Secret is a chain of symbolic links to a regular file.
  write_file("real-token", "tok\n");
  fs::create_symlink(dir_ / "real-token", dir_ / "linked-token");
  const Config config =
      accepted("sources: {justanswer: {webhook: {tokens: [\"${file:linked-token}\"]}}}");
  const auto* justanswer = config.sources.find<JustAnswerSource>("justanswer");
  ASSERT_NE(justanswer, nullptr);
  EXPECT_EQ(justanswer->webhook.tokens, std::vector<std::string>{"tok"});
}

// ---------------------------------------------------------------------------------------------
// Whole valid files

TEST_F(ConfigTest, ParsesFullValidFile) {
  const Config config = accepted(R"yaml(
listen: 127.0.0.1:18080
admin_listen: "[::1]:19464"
role: ingest
threads: 4
log_level: debug
limits: {max_body_bytes: 2048, max_inflight: 50, read_timeout_ms: 1500, max_header_bytes: 8192}
shutdown_timeout_ms: 9000
tls: {cert_file: /tls/crt.pem, key_file: /tls/key.pem}
dedupe: {window_seconds: 60, max_entries: 500}
kafka:
  brokers: "k1:9092,k2:9092"
  ack_timeout_ms: 2500
  topics: {events: e.v1, enriched: en.v1, deadletter: dl.v1, directly_watches: dw.v1}
  properties: {security.protocol: SASL_SSL, linger.ms: 5}
sources:
  justanswer:
    webhook:
      tokens: [t1, t2]
      hmac_secrets: [h1]
      allow_cidrs: [10.0.0.0/8]
      allow_unauthenticated: false
    api: {base_url: "https://ja.example", client_id: cid, client_secret: cs, api_key: ak}
  cao:
    webhook: {api_keys: [ck], allow_unauthenticated: false}
    api: {base_url: "https://api.contactatonce.com/", api_key: cak}
  talkjs:
    webhook: {secret_keys: [sk], max_skew_seconds: 120, allow_unauthenticated: false}
    api: {base_url: "https://api.talkjs.com", app_id: app1, secret_key: tsk}
  directly:
    watch: {tokens: [wt], allow_unauthenticated: false}
    api: {base_url: "https://directly.example", client_id: dci, client_secret: dcs,
          token_path: auth/token, logout_path: auth/logout}
    poll: {interval_ms: 250}
enrich: {enabled: false, concurrency: 8, timeout_ms: 700, max_attempts: 3}
events: {include_raw: false}
)yaml");
  EXPECT_EQ(config.listen.host, "127.0.0.1");
  EXPECT_EQ(config.listen.port, 18080);
  EXPECT_EQ(config.admin_listen.host, "::1");
  EXPECT_EQ(config.admin_listen.port, 19464);
  EXPECT_EQ(config.role, Role::ingest);
  EXPECT_EQ(config.threads, 4u);
  EXPECT_EQ(config.log_level, LogLevel::debug);
  EXPECT_EQ(config.limits.max_body_bytes, 2048u);
  EXPECT_EQ(config.limits.max_inflight, 50u);
  EXPECT_EQ(config.limits.read_timeout, 1500ms);
  EXPECT_EQ(config.limits.max_header_bytes, 8192u);
  EXPECT_EQ(config.shutdown_timeout, 9000ms);
  EXPECT_EQ(config.tls.cert_file, "/tls/crt.pem");
  EXPECT_EQ(config.tls.key_file, "/tls/key.pem");
  EXPECT_EQ(config.dedupe.window, 60s);
  EXPECT_EQ(config.dedupe.max_entries, 500u);
  EXPECT_EQ(config.kafka.brokers, "k1:9092,k2:9092");
  EXPECT_EQ(config.kafka.ack_timeout, 2500ms);
  EXPECT_EQ(config.kafka.topics.events, "e.v1");
  EXPECT_EQ(config.kafka.topics.enriched, "en.v1");
  EXPECT_EQ(config.kafka.topics.deadletter, "dl.v1");
  EXPECT_EQ(config.kafka.topics.directly_watches, "dw.v1");
  EXPECT_EQ(config.kafka.properties, (std::map<std::string, std::string>{
                                         {"linger.ms", "5"}, {"security.protocol", "SASL_SSL"}}));

  ASSERT_TRUE(config.sources.find<JustAnswerSource>("justanswer") != nullptr);
  const auto& ja = *config.sources.find<JustAnswerSource>("justanswer");
  EXPECT_EQ(ja.webhook.tokens, (std::vector<std::string>{"t1", "t2"}));
  EXPECT_EQ(ja.webhook.hmac_secrets, (std::vector<std::string>{"h1"}));
  ASSERT_EQ(ja.webhook.allow_cidrs.size(), 1u);
  EXPECT_EQ(ja.webhook.allow_cidrs[0].to_string(), "10.0.0.0/8");
  EXPECT_FALSE(ja.webhook.allow_unauthenticated);
  EXPECT_EQ(ja.api.base_url, "https://ja.example");
  EXPECT_EQ(ja.api.client_id, "cid");
  EXPECT_EQ(ja.api.client_secret, "cs");
  EXPECT_EQ(ja.api.api_key, "ak");

  ASSERT_TRUE(config.sources.find<CaoSource>("cao") != nullptr);
  EXPECT_EQ(config.sources.find<CaoSource>("cao")->webhook.api_keys,
            (std::vector<std::string>{"ck"}));
  EXPECT_EQ(config.sources.find<CaoSource>("cao")->api.base_url, "https://api.contactatonce.com/");
  EXPECT_EQ(config.sources.find<CaoSource>("cao")->api.api_key, "cak");

  ASSERT_TRUE(config.sources.find<TalkJsSource>("talkjs") != nullptr);
  EXPECT_EQ(config.sources.find<TalkJsSource>("talkjs")->webhook.secret_keys,
            (std::vector<std::string>{"sk"}));
  EXPECT_EQ(config.sources.find<TalkJsSource>("talkjs")->webhook.max_skew, 120s);
  EXPECT_EQ(config.sources.find<TalkJsSource>("talkjs")->api.base_url, "https://api.talkjs.com");
  EXPECT_EQ(config.sources.find<TalkJsSource>("talkjs")->api.app_id, "app1");
  EXPECT_EQ(config.sources.find<TalkJsSource>("talkjs")->api.secret_key, "tsk");

  ASSERT_TRUE(config.sources.find<DirectlySource>("directly") != nullptr);
  const auto& directly = *config.sources.find<DirectlySource>("directly");
  EXPECT_EQ(directly.watch.tokens, (std::vector<std::string>{"wt"}));
  EXPECT_EQ(directly.api.base_url, "https://directly.example");
  EXPECT_EQ(directly.api.client_id, "dci");
  EXPECT_EQ(directly.api.client_secret, "dcs");
  EXPECT_EQ(directly.api.token_path, "auth/token");
  EXPECT_EQ(directly.api.logout_path, "auth/logout");
  EXPECT_EQ(directly.poll.interval, 250ms);

  EXPECT_FALSE(config.enrich.enabled);
  EXPECT_EQ(config.enrich.concurrency, 8u);
  EXPECT_EQ(config.enrich.timeout, 700ms);
  EXPECT_EQ(config.enrich.max_attempts, 3u);
  EXPECT_FALSE(config.events.include_raw);
}

// ---------------------------------------------------------------------------------------------
// load_file and the shipped configs

TEST_F(ConfigTest, LoadFileResolvesFileReferencesAgainstItsDirectory) {
  fs::create_directories(dir_ / "conf" / "secrets");
  write_file("conf/secrets/token", "tok\n");
  const fs::path file =
      write_file("conf/parley.yaml",
                 "sources: {justanswer: {webhook: {tokens: [\"${file:secrets/token}\"]}}}");
  const auto result = load_file(file);
  ASSERT_TRUE(result.ok()) << result.error().to_string();
  EXPECT_EQ(result.value().sources.find<JustAnswerSource>("justanswer")->webhook.tokens.at(0),
            "tok");
}

TEST_F(ConfigTest, LoadFileRefusesMissingFileNamingIt) {
  const fs::path file = dir_ / "does-not-exist.yaml";
  const auto result = load_file(file);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().path, "");
  EXPECT_TRUE(contains(result.error().message, file.string())) << result.error().message;
  EXPECT_TRUE(contains(result.error().message, "cannot read config file"))
      << result.error().message;
}

TEST_F(ConfigTest, LoadFileRefusesDirectory) {
  const auto result = load_file(dir_);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().path, "");
  EXPECT_TRUE(contains(result.error().message, "is a directory")) << result.error().message;
}

TEST_F(ConfigTest, LoadFileReportsKeyErrors) {
  const fs::path file = write_file("bad.yaml", std::string(kJustAnswerWithToken) + "\nrole: x\n");
  const auto result = load_file(file);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().path, "role");
}

TEST_F(ConfigTest, ReferenceConfigLoads) {
  const ScopedEnv env1("PARLEY_JA_TOKEN", "ja-token");
  const ScopedEnv env2("PARLEY_JA_HMAC_SECRET", "ja-hmac");
  const ScopedEnv env3("PARLEY_JA_CLIENT_SECRET", "ja-client-secret");
  const ScopedEnv env4("PARLEY_JA_API_KEY", "ja-api-key");
  const ScopedEnv env5("PARLEY_CAO_API_KEY", "cao-key");
  const ScopedEnv env_eu("PARLEY_CAO_EU_API_KEY", "cao-eu-key");
  const ScopedEnv env6("PARLEY_TALKJS_SECRET_KEY", "talkjs-key");
  const ScopedEnv env_app("PARLEY_TALKJS_APP_ID", "app-1");
  const ScopedEnv env7("PARLEY_DIRECTLY_WATCH_TOKEN", "watch-token");
  const ScopedEnv env8("PARLEY_DIRECTLY_CLIENT_SECRET", "directly-secret");
  const auto result = load_file(fs::path(PARLEY_SOURCE_DIR) / "config" / "parley.yaml");
  ASSERT_TRUE(result.ok()) << result.error().to_string();
  const Config& config = result.value();
  // The reference file documents the defaults, so everything but the sources must match them.
  const Config defaults;
  EXPECT_EQ(config.listen.port, defaults.listen.port);
  EXPECT_EQ(config.limits.max_header_bytes, defaults.limits.max_header_bytes);
  EXPECT_EQ(config.shutdown_timeout, defaults.shutdown_timeout);
  EXPECT_EQ(config.kafka.ack_timeout, defaults.kafka.ack_timeout);
  EXPECT_EQ(config.kafka.topics.directly_watches, defaults.kafka.topics.directly_watches);
  EXPECT_EQ(config.dedupe.max_entries, defaults.dedupe.max_entries);
  EXPECT_EQ(config.enrich.max_attempts, defaults.enrich.max_attempts);
  EXPECT_EQ(config.events.include_raw, defaults.events.include_raw);
  ASSERT_TRUE(config.sources.find<JustAnswerSource>("justanswer") &&
              config.sources.find<CaoSource>("cao") &&
              config.sources.find<TalkJsSource>("talkjs") &&
              config.sources.find<DirectlySource>("directly"));
  EXPECT_EQ(config.sources.find<JustAnswerSource>("justanswer")->webhook.tokens,
            (std::vector<std::string>{"ja-token"}));
  EXPECT_EQ(config.sources.find<JustAnswerSource>("justanswer")->webhook.hmac_secrets,
            (std::vector<std::string>{"ja-hmac"}));
  EXPECT_EQ(config.sources.find<CaoSource>("cao")->webhook.api_keys,
            (std::vector<std::string>{"cao-key"}));
  ASSERT_NE(config.sources.find<CaoSource>("cao-eu"), nullptr);
  EXPECT_EQ(config.sources.find<CaoSource>("cao-eu")->webhook.api_keys,
            (std::vector<std::string>{"cao-eu-key"}));
  EXPECT_EQ(config.sources.find<CaoSource>("cao-eu")->api.base_url,
            "https://api.contactatonce.co.uk/");
  EXPECT_EQ(config.sources.find<TalkJsSource>("talkjs")->webhook.secret_keys,
            (std::vector<std::string>{"talkjs-key"}));
  EXPECT_EQ(config.sources.find<TalkJsSource>("talkjs")->webhook.max_skew, 300s);
  EXPECT_EQ(config.sources.find<DirectlySource>("directly")->watch.tokens,
            (std::vector<std::string>{"watch-token"}));
  EXPECT_EQ(config.sources.find<DirectlySource>("directly")->api.client_secret, "directly-secret");
  EXPECT_EQ(config.sources.find<DirectlySource>("directly")->poll.interval, 5000ms);
}

TEST_F(ConfigTest, ReferenceConfigNamesTheMissingVariable) {
  ::unsetenv("PARLEY_JA_TOKEN");
  const auto result = load_file(fs::path(PARLEY_SOURCE_DIR) / "config" / "parley.yaml");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().path, "sources.justanswer.webhook.tokens[0]");
  EXPECT_TRUE(contains(result.error().message, "PARLEY_JA_TOKEN")) << result.error().message;
}

TEST_F(ConfigTest, DevConfigLoads) {
  const auto result = load_file(fs::path(PARLEY_SOURCE_DIR) / "config" / "dev.yaml");
  ASSERT_TRUE(result.ok()) << result.error().to_string();
  const Config& config = result.value();
  EXPECT_EQ(config.listen.host, "127.0.0.1");
  EXPECT_EQ(config.listen.port, 8080);
  EXPECT_EQ(config.admin_listen.host, "127.0.0.1");
  EXPECT_EQ(config.admin_listen.port, 9464);
  EXPECT_EQ(config.kafka.brokers, "embedded");
  EXPECT_EQ(config.log_level, LogLevel::info);
  ASSERT_TRUE(config.sources.find<JustAnswerSource>("justanswer") != nullptr);
  EXPECT_EQ(config.sources.find<JustAnswerSource>("justanswer")->webhook.tokens,
            (std::vector<std::string>{"dev-token"}));
  EXPECT_EQ(config.sources.find<JustAnswerSource>("justanswer")->webhook.hmac_secrets,
            (std::vector<std::string>{"dev-secret"}));
  ASSERT_TRUE(config.sources.find<CaoSource>("cao") != nullptr);
  EXPECT_EQ(config.sources.find<CaoSource>("cao")->webhook.api_keys,
            (std::vector<std::string>{"dev-cao-key"}));
  ASSERT_TRUE(config.sources.find<TalkJsSource>("talkjs") != nullptr);
  EXPECT_EQ(config.sources.find<TalkJsSource>("talkjs")->webhook.secret_keys,
            (std::vector<std::string>{"dev-talkjs-secret"}));
  EXPECT_EQ(config.sources.find<TalkJsSource>("talkjs")->api.app_id, "devapp");
  ASSERT_TRUE(config.sources.find<DirectlySource>("directly") != nullptr);
  EXPECT_EQ(config.sources.find<DirectlySource>("directly")->watch.tokens,
            (std::vector<std::string>{"dev-watch-token"}));
}

TEST_F(ConfigTest, TalkJsNeedsAnAppId) {
  const ConfigError error = refused("sources: {talkjs: {webhook: {secret_keys: [s]}}}");
  EXPECT_EQ(error.path, "sources.talkjs.api.app_id");
  EXPECT_NE(error.message.find("/parley/talkjs/<app_id>"), std::string::npos);
}

TEST_F(ConfigTest, TalkJsRolesMapToAuthorRoles) {
  const Config config = accepted(
      "sources: {talkjs: {webhook: {secret_keys: [s], roles: {seller: agent, admin: system}},"
      " api: {app_id: a}}}");
  EXPECT_EQ(config.sources.find<TalkJsSource>("talkjs")->webhook.roles.at("seller"), "agent");
  EXPECT_EQ(config.sources.find<TalkJsSource>("talkjs")->webhook.roles.at("admin"), "system");
  const ConfigError error = refused(
      "sources: {talkjs: {webhook: {secret_keys: [s], roles: {seller: boss}}, api: {app_id: a}}}");
  EXPECT_EQ(error.path, "sources.talkjs.webhook.roles.seller");
  EXPECT_NE(error.message.find("customer, expert, agent or system"), std::string::npos);
}

TEST_F(ConfigTest, MaxInflightBytesDefaultsAndMustHoldTheLargestBody) {
  EXPECT_EQ(accepted("").limits.max_inflight_bytes, 268435456u);
  EXPECT_EQ(accepted("limits: {max_inflight_bytes: 2000000, max_unverified_bytes: 1048576, "
                     "max_unverified_bytes_per_peer: 1048576}")
                .limits.max_inflight_bytes,
            2000000u);
  const ConfigError error = refused("limits: {max_body_bytes: 1000, max_inflight_bytes: 999}");
  EXPECT_EQ(error.path, "limits.max_inflight_bytes");
  EXPECT_NE(error.message.find("at least limits.max_body_bytes (1000)"), std::string::npos);
}

}  // namespace
}  // namespace parley::config
