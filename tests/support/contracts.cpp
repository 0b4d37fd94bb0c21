#include "support/contracts.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <simdjson.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <map>
#include <mutex>
#include <stdexcept>

#include "parley/common/json_writer.hpp"

extern char** environ;

namespace parley::testing::contracts {
namespace {

/// One `validate.mjs serve` child: a JSON line in, a JSON line out.
class Validator {
 public:
  Validator() {
    int to_child[2];
    int from_child[2];
    if (::pipe2(to_child, O_CLOEXEC) != 0 || ::pipe2(from_child, O_CLOEXEC) != 0) {
      throw std::runtime_error("contracts: pipe2 failed");
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, to_child[0], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, from_child[1], STDOUT_FILENO);
    // Nothing else of the test process: an inherited socket (the in-process broker's listener)
    // would outlive its owner's close and keep the port from being listened on again.
    posix_spawn_file_actions_addclosefrom_np(&actions, STDERR_FILENO + 1);
    const std::string script = std::string(PARLEY_SOURCE_DIR) + "/tools/contracts/validate.mjs";
    std::vector<char*> argv = {const_cast<char*>(PARLEY_NODE), const_cast<char*>(script.c_str()),
                               const_cast<char*>("serve"), nullptr};
    // The run's tally (scripts/test.sh prints it) unless the caller chose another file.
    ::setenv("PARLEY_CONTRACTS_TALLY", PARLEY_CONTRACTS_TALLY, 0);
    // A validator that died must fail the checks with its message, not end this process.
    ::signal(SIGPIPE, SIG_IGN);
    const int spawned = ::posix_spawn(&pid_, PARLEY_NODE, &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(to_child[0]);
    ::close(from_child[1]);
    if (spawned != 0) {
      throw std::runtime_error("contracts: cannot start node (run scripts/setup.sh): " +
                               std::string(std::strerror(spawned)));
    }
    in_ = to_child[1];
    out_ = from_child[0];
  }

  ~Validator() {
    ::close(in_);
    ::close(out_);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  Validator(const Validator&) = delete;
  Validator& operator=(const Validator&) = delete;

  /// Sends one request line, returns the answer line; throws once the child is gone.
  std::string ask(std::string line) {
    if (gone_) throw std::runtime_error(kGone);
    line.push_back('\n');
    for (std::size_t sent = 0; sent < line.size();) {
      const auto n = ::write(in_, line.data() + sent, line.size() - sent);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) gone();
      sent += static_cast<std::size_t>(n);
    }
    for (;;) {
      const auto newline = buffer_.find('\n');
      if (newline != std::string::npos) {
        std::string answer = buffer_.substr(0, newline);
        buffer_.erase(0, newline + 1);
        return answer;
      }
      char chunk[4096];
      const auto n = ::read(out_, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) gone();
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
  }

 private:
  pid_t pid_ = -1;
  int in_ = -1;
  static constexpr const char* kGone =
      "contracts: the validator exited (is tools/contracts/node_modules installed? run "
      "scripts/setup.sh; its stderr is this test's)";
  [[noreturn]] void gone() {
    gone_ = true;
    throw std::runtime_error(kGone);
  }

  int out_ = -1;
  std::string buffer_;
  bool gone_ = false;
};

std::mutex& mutex() {
  static std::mutex m;
  return m;
}

struct Listener {
  std::string name;
  const void* owner;
};

std::map<std::uint16_t, Listener>& listeners() {
  static std::map<std::uint16_t, Listener> ports;
  return ports;
}

Validator& validator() {
  static Validator started;  // first use starts it; the process's end stops it
  return started;
}

std::vector<std::string> ask(const std::string& request) {
  const std::string answer = validator().ask(request);
  simdjson::dom::parser parser;
  simdjson::dom::element parsed;
  simdjson::dom::array problems;
  if (parser.parse(answer).get(parsed) != simdjson::SUCCESS ||
      parsed["problems"].get(problems) != simdjson::SUCCESS) {
    return {"contracts: unreadable validator answer: " + answer};
  }
  std::string_view about;
  if (parsed["about"].get(about) != simdjson::SUCCESS) about = "?";
  std::vector<std::string> out;
  for (auto problem : problems) {
    out.push_back(std::string(about) + ": " + std::string(std::string_view(problem)));
  }
  return out;
}

/// parley writes UTF-8 only; the request to the validator is JSON, which would carry invalid
/// bytes as U+FFFD and hide them, so they are named here.
void check_utf8(std::vector<std::string>& problems, std::string_view what, std::string_view text) {
  if (!simdjson::validate_utf8(text.data(), text.size())) {
    problems.push_back(std::string(what) + " is not valid UTF-8");
  }
}

void append_headers(std::string& out, const std::map<std::string, std::string>& headers) {
  json::ObjectWriter w(out);
  for (const auto& [name, value] : headers)
    json::append_string(w.key(name), value);
}

}  // namespace

std::vector<std::string> record_problems(const std::string& topic, const KafkaMessage& record) {
  std::vector<std::string> invalid;
  check_utf8(invalid, "the key", record.key);
  check_utf8(invalid, "the value", record.value);
  for (const auto& [name, value] : record.headers)
    check_utf8(invalid, "header " + name, value);
  std::string request;
  {
    json::ObjectWriter w(request);
    w.string("kind", "record");
    json::append_string(w.key("topic"), topic);
    json::append_string(w.key("key"), record.key);
    append_headers(w.key("headers"), record.headers);
    json::append_string(w.key("value"), record.value);
  }
  const std::lock_guard lock(mutex());
  auto problems = ask(request);
  problems.insert(problems.end(), invalid.begin(), invalid.end());
  return problems;
}

std::vector<std::string> answer_problems(std::string_view listener, std::string_view method,
                                         std::string_view target, const HttpAnswer& answer) {
  std::map<std::string, std::string> headers;
  for (const auto& field : answer.headers) {
    std::string name(field.name_string());
    for (auto& c : name)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    headers[name] = std::string(field.value());
  }
  std::string request;
  {
    json::ObjectWriter w(request);
    w.string("kind", "answer");
    json::append_string(w.key("listener"), listener);
    json::append_string(w.key("method"), method);
    json::append_string(w.key("target"), target);
    w.key("status") += std::to_string(answer.status);
    append_headers(w.key("headers"), headers);
    json::append_string(w.key("body"), answer.body);
  }
  std::vector<std::string> invalid;
  check_utf8(invalid, "the body", answer.body);
  const std::lock_guard lock(mutex());
  auto problems = ask(request);
  problems.insert(problems.end(), invalid.begin(), invalid.end());
  return problems;
}

void expect_record_conforms(const std::string& topic, const KafkaMessage& record) {
  for (const auto& problem : record_problems(topic, record)) {
    ADD_FAILURE() << "contract (docs/asyncapi.yaml, schemas/): " << problem << "\n  record key "
                  << record.key << " value " << record.value;
  }
}

void expect_answer_conforms(std::uint16_t port, std::string_view method, std::string_view target,
                            const HttpAnswer& answer) {
  std::string listener;
  {
    const std::lock_guard lock(mutex());
    const auto found = listeners().find(port);
    if (found == listeners().end()) return;
    listener = found->second.name;
  }
  for (const auto& problem : answer_problems(listener, method, target, answer)) {
    ADD_FAILURE() << "contract (docs/openapi.yaml): " << problem << "\n  answer " << answer.status
                  << " " << answer.body;
  }
}

void start_validator() {
  const std::lock_guard lock(mutex());
  validator();
}

void register_listener(std::uint16_t port, std::string listener, const void* owner) {
  const std::lock_guard lock(mutex());
  listeners()[port] = Listener{.name = std::move(listener), .owner = owner};
}

void unregister_listener(std::uint16_t port, const void* owner) {
  const std::lock_guard lock(mutex());
  // A port the system gave to a newer parley since is that one's now.
  if (const auto found = listeners().find(port);
      found != listeners().end() && found->second.owner == owner) {
    listeners().erase(found);
  }
}

}  // namespace parley::testing::contracts
