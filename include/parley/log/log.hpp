#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <variant>

namespace parley::log {

enum class Level { debug = 0, info = 1, warn = 2, error = 3 };

/// One structured field of a log line; values are copied into the line at once.
struct Field {
  std::string_view key;
  std::variant<std::string_view, long long, double, bool> value;

  Field(std::string_view k, std::string_view v) : key(k), value(v) {}
  Field(std::string_view k, const std::string& v) : key(k), value(std::string_view(v)) {}
  Field(std::string_view k, const char* v) : key(k), value(std::string_view(v)) {}
  Field(std::string_view k, bool v) : key(k), value(v) {}
  Field(std::string_view k, double v) : key(k), value(v) {}
  template <class Int>
  requires std::is_integral_v<Int> Field(std::string_view k, Int v)
      : key(k), value(static_cast<long long>(v)) {}
};

/// Sets the minimum level written. Thread-safe; default info.
void set_level(Level level);
bool enabled(Level level);

/// Writes one JSON object per line to stderr: {"ts","level","msg",fields...}.
/// Thread-safe: each line is a single write(2). Never throws.
void write(Level level, std::string_view message, std::initializer_list<Field> fields = {});

inline void debug(std::string_view m, std::initializer_list<Field> f = {}) {
  if (enabled(Level::debug)) write(Level::debug, m, f);
}
inline void info(std::string_view m, std::initializer_list<Field> f = {}) {
  write(Level::info, m, f);
}
inline void warn(std::string_view m, std::initializer_list<Field> f = {}) {
  write(Level::warn, m, f);
}
inline void error(std::string_view m, std::initializer_list<Field> f = {}) {
  write(Level::error, m, f);
}

}  // namespace parley::log
