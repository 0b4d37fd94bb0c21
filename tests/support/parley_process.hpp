#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace parley::testing {

/// The top of every test config: both listeners on 127.0.0.1 port 0, two threads, Kafka at
/// `bootstrap` with a 3 s ack timeout; `kafka_extra` adds lines under `kafka:` (indented).
std::string test_config_head(const std::string& bootstrap, const std::string& kafka_extra = {});

/// A config for tests: both listeners on 127.0.0.1 port 0, Kafka at `bootstrap`,
/// JustAnswer with token "test-token" and HMAC secrets "old-secret", "new-secret"; CAO
/// with API keys "old-cao-key", "test-cao-key"; TalkJS app "test-app" with secret key
/// "test-talkjs-secret" and the role "seller" mapped to agent.
/// `extra` is appended verbatim (top-level YAML keys).
/// `kafka_extra` is appended to the kafka section (lines indented by two spaces).
std::string test_config(const std::string& bootstrap, const std::string& extra = {},
                        const std::string& kafka_extra = {});

/// `config` (made by test_config or test_config_head, whose drain deadline is 15 s) with
/// shutdown_timeout_ms set to `timeout`. Throws std::invalid_argument for any other config.
std::string with_shutdown_timeout(std::string config, std::chrono::milliseconds timeout);

/// What a command of the real binary printed (stdout and stderr) and its exit code.
struct CommandResult {
  int exit_code;
  std::string output;
};
/// Runs `parley <arguments>` (a shell word list) to its end.
CommandResult run_parley(const std::string& arguments);

/// The real `parley` binary in a child process, its stderr (JSON log lines) captured.
/// The constructor returns once both listeners logged their bound addresses (role enrich:
/// the admin listener and "parley started"); it throws
/// when parley exits or does not get there within the timeout. The destructor kills a
/// child that is still running.
class ParleyProcess {
 public:
  explicit ParleyProcess(const std::string& config_yaml,
                         std::chrono::milliseconds startup_timeout = std::chrono::seconds(30));
  ~ParleyProcess();
  ParleyProcess(const ParleyProcess&) = delete;
  ParleyProcess& operator=(const ParleyProcess&) = delete;

  std::uint16_t port() const { return port_; }
  std::uint16_t admin_port() const { return admin_port_; }

  pid_t pid() const { return pid_; }
  void send_signal(int signal);
  /// The exit code once the process ended (stderr closed), or -1 when `timeout` came first.
  int wait_exit(std::chrono::milliseconds timeout);
  /// Waits until `occurrences` log lines containing `needle` appeared; false on timeout.
  bool wait_for_log(std::string_view needle, std::chrono::milliseconds timeout,
                    std::size_t occurrences = 1);
  std::vector<std::string> log_lines() const;

 private:
  void read_stderr(int fd);
  std::uint16_t port_of(std::string_view listener) const;
  /// role enrich: no ingest listener, started once it says so.
  bool enrich_only() const;

  std::filesystem::path dir_;
  pid_t pid_ = -1;
  int exit_code_ = -1;
  std::thread reader_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> lines_;
  bool stderr_closed_ = false;
  std::uint16_t port_ = 0;
  std::uint16_t admin_port_ = 0;
};

}  // namespace parley::testing
