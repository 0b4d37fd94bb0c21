#include "support/parley_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <fstream>
#include <random>
#include <stdexcept>

#include "support/contracts.hpp"

extern char** environ;

namespace parley::testing {

std::string test_config_head(const std::string& bootstrap, const std::string& kafka_extra) {
  return "listen: 127.0.0.1:0\n"
         "admin_listen: 127.0.0.1:0\n"
         "threads: 2\n"
         "log_level: info\n"
         "shutdown_timeout_ms: 15000\n"
         "kafka:\n"
         "  brokers: \"" +
         bootstrap +
         "\"\n"
         "  ack_timeout_ms: 3000\n" +
         kafka_extra;
}

std::string test_config(const std::string& bootstrap, const std::string& extra,
                        const std::string& kafka_extra) {
  return test_config_head(bootstrap, kafka_extra) +
         "sources:\n"
         "  justanswer:\n"
         "    webhook:\n"
         "      tokens: [test-token]\n"
         "      hmac_secrets: [old-secret, new-secret]\n"
         "  cao:\n"
         "    webhook: {api_keys: [old-cao-key, test-cao-key]}\n"
         "  talkjs:\n"
         "    webhook: {secret_keys: [test-talkjs-secret], roles: {seller: agent}}\n"
         "    api: {app_id: test-app}\n" +
         extra;
}

std::string with_shutdown_timeout(std::string config, std::chrono::milliseconds timeout) {
  const std::string usual = "shutdown_timeout_ms: 15000\n";
  const auto at = config.find(usual);
  if (at == std::string::npos) {
    throw std::invalid_argument("with_shutdown_timeout: not a test_config (no \"" +
                                usual.substr(0, usual.size() - 1) + "\")");
  }
  return config.replace(at, usual.size(),
                        "shutdown_timeout_ms: " + std::to_string(timeout.count()) + "\n");
}

ParleyProcess::ParleyProcess(const std::string& config_yaml,
                             std::chrono::milliseconds startup_timeout) {
  // Before the process: its checks come later, inside the test's own timing.
  contracts::start_validator();
  std::random_device random;
  dir_ = std::filesystem::temp_directory_path() / ("parley-test-" + std::to_string(random()));
  std::filesystem::create_directories(dir_);
  const auto config_path = dir_ / "parley.yaml";
  std::ofstream(config_path) << config_yaml;

  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDERR_FILENO);
  std::string binary = PARLEY_BINARY;
  std::string config_flag = "--config";
  std::string config_arg = config_path.string();
  char* argv[] = {binary.data(), config_flag.data(), config_arg.data(), nullptr};
  const int spawned = ::posix_spawn(&pid_, binary.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[1]);
  if (spawned != 0) {
    ::close(pipe_fds[0]);
    throw std::runtime_error("cannot start " + binary);
  }
  reader_ = std::thread([this, fd = pipe_fds[0]] { read_stderr(fd); });

  std::unique_lock lock(mutex_);
  const bool listening = changed_.wait_for(lock, startup_timeout, [this] {
    return stderr_closed_ || (port_of("admin") != 0 && (port_of("ingest") != 0 || enrich_only()));
  });
  if (!listening || stderr_closed_) {
    std::string log;
    for (const auto& line : lines_)
      log += line + "\n";
    lock.unlock();
    // A constructor that throws runs no destructor: end the process and its reader here.
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    reader_.join();
    throw std::runtime_error("parley did not start listening; its log:\n" + log);
  }
  port_ = port_of("ingest");
  admin_port_ = port_of("admin");
  if (port_ != 0) contracts::register_listener(port_, "ingest", this);
  if (admin_port_ != 0) contracts::register_listener(admin_port_, "admin", this);
}

ParleyProcess::~ParleyProcess() {
  if (port_ != 0) contracts::unregister_listener(port_, this);
  if (admin_port_ != 0) contracts::unregister_listener(admin_port_, this);
  if (exit_code_ == -1 && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  if (reader_.joinable()) reader_.join();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

void ParleyProcess::read_stderr(int fd) {
  std::string pending;
  char chunk[4096];
  for (;;) {
    const auto n = ::read(fd, chunk, sizeof chunk);
    if (n <= 0) break;
    pending.append(chunk, static_cast<std::size_t>(n));
    std::size_t newline;
    std::lock_guard lock(mutex_);
    while ((newline = pending.find('\n')) != std::string::npos) {
      lines_.push_back(pending.substr(0, newline));
      pending.erase(0, newline + 1);
    }
    changed_.notify_all();
  }
  ::close(fd);
  std::lock_guard lock(mutex_);
  stderr_closed_ = true;
  changed_.notify_all();
}

bool ParleyProcess::enrich_only() const {
  return std::ranges::any_of(lines_, [](const std::string& line) {
    return line.find("\"msg\":\"parley started\"") != std::string::npos &&
           line.find("\"role\":\"enrich\"") != std::string::npos;
  });
}

std::uint16_t ParleyProcess::port_of(std::string_view listener) const {
  const std::string needle = "\"listener\":\"" + std::string(listener) + "\",\"address\":\"";
  for (const auto& line : lines_) {
    const auto at = line.find(needle);
    if (line.find("\"msg\":\"listening\"") == std::string::npos || at == std::string::npos)
      continue;
    const auto end = line.find('"', at + needle.size());
    const auto address = line.substr(at + needle.size(), end - at - needle.size());
    return static_cast<std::uint16_t>(std::stoi(address.substr(address.rfind(':') + 1)));
  }
  return 0;
}

void ParleyProcess::send_signal(int signal) {
  ::kill(pid_, signal);
}

int ParleyProcess::wait_exit(std::chrono::milliseconds timeout) {
  {
    std::unique_lock lock(mutex_);
    // The child's stderr closes when it exits; only then is waitpid() sure not to block.
    if (!changed_.wait_for(lock, timeout, [this] { return stderr_closed_; })) return -1;
  }
  if (exit_code_ == -1) {
    int status = 0;
    ::waitpid(pid_, &status, 0);
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  return exit_code_;
}

bool ParleyProcess::wait_for_log(std::string_view needle, std::chrono::milliseconds timeout,
                                 std::size_t occurrences) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] {
    std::size_t seen = 0;
    for (const auto& line : lines_) {
      if (line.find(needle) != std::string::npos) ++seen;
    }
    return seen >= occurrences;
  });
}

std::vector<std::string> ParleyProcess::log_lines() const {
  std::lock_guard lock(mutex_);
  return lines_;
}

CommandResult run_parley(const std::string& arguments) {
  const std::string command = std::string(PARLEY_BINARY) + " " + arguments + " 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  std::string output;
  std::array<char, 4096> chunk{};
  while (std::fgets(chunk.data(), static_cast<int>(chunk.size()), pipe) != nullptr) {
    output += chunk.data();
  }
  const int status = ::pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

}  // namespace parley::testing
