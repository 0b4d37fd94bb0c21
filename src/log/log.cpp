#include "parley/log/log.hpp"

#include <unistd.h>

#include <atomic>
#include <charconv>
#include <chrono>

#include "parley/common/json_writer.hpp"
#include "parley/common/time.hpp"

namespace parley::log {
namespace {

std::atomic<int> g_level{static_cast<int>(Level::info)};

std::string_view level_name(Level level) {
  switch (level) {
    case Level::debug:
      return "debug";
    case Level::info:
      return "info";
    case Level::warn:
      return "warn";
    case Level::error:
      return "error";
  }
  return "info";
}

void append_value(std::string& out, const Field& field) {
  std::visit(
      [&out](const auto& v) {
        using V = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<V, std::string_view>) {
          json::append_string(out, v);
        } else if constexpr (std::is_same_v<V, bool>) {
          out += v ? "true" : "false";
        } else {
          char buffer[32];
          const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v);
          out.append(buffer, ec == std::errc{} ? end : buffer);
        }
      },
      field.value);
}

}  // namespace

void set_level(Level level) {
  g_level.store(static_cast<int>(level));
}

bool enabled(Level level) {
  return static_cast<int>(level) >= g_level.load();
}

void write(Level level, std::string_view message, std::initializer_list<Field> fields) {
  if (!enabled(level)) return;
  std::string line;
  line.reserve(128);
  line += "{\"ts\":\"";
  line += format_rfc3339(std::chrono::system_clock::now());
  line += "\",\"level\":\"";
  line += level_name(level);
  line += "\",\"msg\":";
  json::append_string(line, message);
  for (const auto& field : fields) {
    line.push_back(',');
    json::append_string(line, field.key);
    line.push_back(':');
    append_value(line, field);
  }
  line += "}\n";
  // One write(2) per line keeps lines whole between threads.
  std::size_t written = 0;
  while (written < line.size()) {
    const auto n = ::write(STDERR_FILENO, line.data() + written, line.size() - written);
    if (n <= 0) return;
    written += static_cast<std::size_t>(n);
  }
}

}  // namespace parley::log
