#include "reading.hpp"

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <system_error>

#include "parley/config/section.hpp"

namespace parley::config {
namespace {

namespace fs = std::filesystem;

// Secret files are usually written by `echo` or editors, which add a newline nobody means
// to be part of the secret.
void strip_one_trailing_newline(std::string& text) {
  if (text.ends_with("\r\n")) {
    text.resize(text.size() - 2);
  } else if (text.ends_with('\n')) {
    text.pop_back();
  }
}

std::string env_value(std::string_view name, const std::string& path) {
  if (name.empty()) refuse(path, "${env:} needs a variable name");
  const std::string variable(name);
  const char* value = std::getenv(variable.c_str());
  if (value == nullptr) {
    refuse(path, "environment variable " + variable +
                     " is not set (referenced as ${env:" + variable + "})");
  }
  return value;
}

}  // namespace

void refuse(std::string path, std::string message) {
  throw Refusal{ConfigError{std::move(path), std::move(message)}};
}

Result<std::string, ReadFailure> read_whole_file(const fs::path& file) {
  std::error_code ec;
  // std::ifstream happily "opens" a directory on Linux and then reads nothing.
  if (fs::is_directory(file, ec)) return ReadFailure{"is a directory"};
  errno = 0;
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    const int error = errno;
    return ReadFailure{error != 0 ? std::generic_category().message(error) : "cannot open"};
  }
  std::string content{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) return ReadFailure{"read error"};
  return content;
}

std::string Reading::substitute(std::string_view text, const std::string& path) const {
  std::string result;
  std::size_t position = 0;
  while (true) {
    const auto start = text.find("${", position);
    if (start == std::string_view::npos) return result.append(text.substr(position));
    result.append(text.substr(position, start - position));
    const auto end = text.find('}', start + 2);
    if (end == std::string_view::npos) {
      refuse(path, "unterminated \"${\" (missing \"}\"); write ${env:NAME} or ${file:PATH}");
    }
    result += resolve(text.substr(start + 2, end - start - 2), path);
    position = end + 1;
  }
}

std::string Reading::resolve(std::string_view reference, const std::string& path) const {
  const auto colon = reference.find(':');
  if (colon != std::string_view::npos) {
    const auto kind = reference.substr(0, colon);
    const auto argument = reference.substr(colon + 1);
    if (kind == "env") return env_value(argument, path);
    if (kind == "file") return file_value(argument, path);
  }
  refuse(path, "unknown substitution \"${" + std::string(reference) +
                   "}\"; only ${env:NAME} and ${file:PATH} are supported");
}

std::string Reading::file_value(std::string_view name, const std::string& path) const {
  if (name.empty()) refuse(path, "${file:} needs a file path");
  const fs::path file(name);
  const fs::path resolved = file.is_absolute() ? file : base_dir_ / file;
  auto content = read_whole_file(resolved);
  if (!content) {
    refuse(path, "cannot read file " + in_quotes(resolved.string()) + " (referenced as ${file:" +
                     std::string(name) + "}): " + content.error().reason);
  }
  strip_one_trailing_newline(content.value());
  return std::move(content).value();
}

}  // namespace parley::config
