#include "support/sim_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <optional>
#include <stdexcept>
#include <string_view>

#include "support/http_client.hpp"

extern char** environ;

namespace parley::testing {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kTermGrace = std::chrono::seconds(5);

struct Child {
  pid_t pid;
  int out_fd;  // read ends of the child's stdout and stderr
  int err_fd;
};

Child spawn(const std::string& program, const std::vector<std::string>& args) {
  int out[2];
  int err[2];
  if (::pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  if (::pipe2(err, O_CLOEXEC) != 0) {
    ::close(out[0]);
    ::close(out[1]);
    throw std::runtime_error("pipe2 failed");
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err[1], STDERR_FILENO);
  std::string binary = program;
  std::vector<std::string> storage = args;
  std::vector<char*> argv = {binary.data()};
  for (auto& arg : storage)
    argv.push_back(arg.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  const int spawned = ::posix_spawn(&pid, binary.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(out[1]);
  ::close(err[1]);
  if (spawned != 0) {
    ::close(out[0]);
    ::close(err[0]);
    throw std::runtime_error("cannot start " + binary);
  }
  return Child{pid, out[0], err[0]};
}

// Reads the child's stdout and stderr until both are closed (it exited), handing each
// chunk to `append(from_stdout, bytes)`, and closes them. Returns false, leaving the
// still-open descriptors in `fds`, when `deadline` comes first.
template <class Append>
bool pump(pollfd (&fds)[2], Append append, std::optional<Clock::time_point> deadline) {
  while (fds[0].fd >= 0 || fds[1].fd >= 0) {
    int wait_ms = -1;
    if (deadline) {
      const auto left = std::chrono::ceil<std::chrono::milliseconds>(*deadline - Clock::now());
      if (left.count() <= 0) return false;
      wait_ms = static_cast<int>(left.count());
    }
    if (::poll(fds, 2, wait_ms) < 0 && errno != EINTR) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char chunk[4096];
      const auto n = ::read(fds[i].fd, chunk, sizeof chunk);
      if (n <= 0) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        continue;
      }
      append(i == 0, std::string_view(chunk, static_cast<std::size_t>(n)));
    }
  }
  return true;
}

int exit_code_of(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::optional<std::uint16_t> listening_port(const std::string& out) {
  constexpr std::string_view kPrefix = "listening=";
  const auto at = out.find(kPrefix);
  if (at == std::string::npos) return std::nullopt;
  const auto end = out.find('\n', at);
  if (end == std::string::npos) return std::nullopt;
  const auto address = out.substr(at + kPrefix.size(), end - at - kPrefix.size());
  return static_cast<std::uint16_t>(std::stoi(address.substr(address.rfind(':') + 1)));
}

}  // namespace

SimProcess::SimProcess(const std::vector<std::string>& extra_args,
                       std::chrono::milliseconds startup_timeout) {
  std::vector<std::string> args = {"serve", "--listen", "127.0.0.1:0"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  const auto child = spawn(PARLEY_SIM_BINARY, args);
  pid_ = child.pid;
  reader_ = std::thread([this, child] { read_output(child.out_fd, child.err_fd); });

  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, startup_timeout,
                    [this] { return closed_ || listening_port(stdout_).has_value(); });
  if (const auto port = listening_port(stdout_)) {
    port_ = *port;
    return;
  }
  const std::string problem = "parley-sim did not start listening; its stderr:\n" + stderr_;
  lock.unlock();
  // The destructor does not run for a constructor that throws.
  ::kill(pid_, SIGKILL);
  reader_.join();
  reap();
  throw std::runtime_error(problem);
}

SimProcess::~SimProcess() {
  if (exit_code_ == -1 &&
      stop(std::chrono::duration_cast<std::chrono::milliseconds>(kTermGrace)) == -1) {
    ::kill(pid_, SIGKILL);
    reader_.join();
    reap();
  }
  if (reader_.joinable()) reader_.join();
}

std::string SimProcess::base_url() const {
  return "http://127.0.0.1:" + std::to_string(port_);
}

std::string SimProcess::stats() const {
  HttpClient client(port_);
  const auto answer = client.get("/_sim/stats");
  if (answer.status != 200) {
    throw std::runtime_error("GET /_sim/stats answered " + std::to_string(answer.status));
  }
  return answer.body;
}

std::string SimProcess::stderr_text() const {
  std::lock_guard lock(mutex_);
  return stderr_;
}

int SimProcess::stop(std::chrono::milliseconds timeout) {
  if (exit_code_ != -1) return exit_code_;
  ::kill(pid_, SIGTERM);
  {
    std::unique_lock lock(mutex_);
    // The child's pipes close when it exits; only then is waitpid() sure not to block.
    if (!changed_.wait_for(lock, timeout, [this] { return closed_; })) return -1;
  }
  reader_.join();
  return reap();
}

void SimProcess::read_output(int out_fd, int err_fd) {
  pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
  pump(
      fds,
      [this](bool from_stdout, std::string_view bytes) {
        std::lock_guard lock(mutex_);
        (from_stdout ? stdout_ : stderr_).append(bytes);
        changed_.notify_all();
      },
      std::nullopt);
  std::lock_guard lock(mutex_);
  closed_ = true;
  changed_.notify_all();
}

int SimProcess::reap() {
  exit_code_ = exit_code_of(pid_);
  return exit_code_;
}

SimRun run_sim(const std::vector<std::string>& args, std::chrono::milliseconds timeout) {
  return run_program(PARLEY_SIM_BINARY, args, timeout);
}

SimRun run_program(const std::string& program, const std::vector<std::string>& args,
                   std::chrono::milliseconds timeout) {
  const auto child = spawn(program, args);
  SimRun run;
  pollfd fds[2] = {{child.out_fd, POLLIN, 0}, {child.err_fd, POLLIN, 0}};
  auto append = [&run](bool from_stdout, std::string_view bytes) {
    (from_stdout ? run.out : run.err).append(bytes);
  };
  if (!pump(fds, append, Clock::now() + timeout)) {
    ::kill(child.pid, SIGKILL);
    pump(fds, append, std::nullopt);
    exit_code_of(child.pid);
    return run;
  }
  run.exit_code = exit_code_of(child.pid);
  return run;
}

}  // namespace parley::testing
