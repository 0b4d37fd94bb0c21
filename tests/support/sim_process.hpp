#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace parley::testing {

/// The real `parley-sim` binary serving its simulated APIs in a child process, stdout
/// and stderr captured. The constructor starts `parley-sim serve --listen 127.0.0.1:0
/// <extra_args>` and returns once it printed "listening=host:port"; it throws with the
/// captured stderr when the simulator exits or does not get there within the timeout.
/// The destructor sends SIGTERM, then SIGKILL after a few seconds, and reaps the child.
/// Not thread-safe: use from the test's thread.
class SimProcess {
 public:
  explicit SimProcess(const std::vector<std::string>& extra_args = {},
                      std::chrono::milliseconds startup_timeout = std::chrono::seconds(30));
  ~SimProcess();
  SimProcess(const SimProcess&) = delete;
  SimProcess& operator=(const SimProcess&) = delete;

  std::uint16_t port() const { return port_; }
  /// "http://127.0.0.1:<port>", the base_url for parley's api sections.
  std::string base_url() const;
  /// The body of GET /_sim/stats; throws unless it is answered 200.
  std::string stats() const;
  /// Everything the simulator wrote on stderr so far.
  std::string stderr_text() const;

  /// Sends SIGTERM; the exit code once it exited, or -1 when `timeout` came first.
  int stop(std::chrono::milliseconds timeout);

 private:
  void read_output(int out_fd, int err_fd);
  int reap();

  pid_t pid_ = -1;
  int exit_code_ = -1;
  std::thread reader_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::string stdout_;
  std::string stderr_;
  bool closed_ = false;  // both pipes reached EOF: the child exited
  std::uint16_t port_ = 0;
};

/// What a `parley-sim` run to completion printed and returned.
struct SimRun {
  int exit_code = -1;  ///< -1 when it was killed for running past the timeout
  std::string out;
  std::string err;
};

/// Runs `parley-sim <args>` to completion (killed after `timeout`).
SimRun run_sim(const std::vector<std::string>& args,
               std::chrono::milliseconds timeout = std::chrono::seconds(60));

/// Runs `program <args>` (a path) to completion, likewise: `parley replay ...`.
SimRun run_program(const std::string& program, const std::vector<std::string>& args,
                   std::chrono::milliseconds timeout = std::chrono::seconds(60));

}  // namespace parley::testing
