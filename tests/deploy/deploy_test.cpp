// The deployment artefacts (deploy/) checked against what they deploy, so neither can drift:
//  - the Dockerfile's build packages are exactly `scripts/setup.sh --list build`, its runtime
//    packages exist in Debian and provide every library the binary links;
//  - every metric, label and label value used by the alert rules, the dashboard and the
//    autoscaler is one the real binary exports (started against an embedded Kafka broker and
//    scraped);
//  - promtool checks the rules, runs their unit tests and lints the scrape;
//  - every kustomize overlay (dev, prod, prod-stateless) renders, with the probes, shutdown
//    timing, hardening, Secrets and policies the operations guide promises; both production
//    overlays spool (prod on a PersistentVolume per pod, prod-stateless on an emptyDir whose
//    preStop hook, run against the real binary, waits for the spool to be forwarded) and differ
//    in nothing else.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <boost/json/src.hpp>  // header-only Boost.JSON, compiled into this one test binary
#include <cctype>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "parley/kafka/embedded_broker.hpp"
#include "support/http_client.hpp"
#include "support/parley_process.hpp"

namespace parley::testing {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

// Labels Prometheus puts on every series of a target (ServiceMonitor in deploy/k8s/base: job is
// "parley", role is the pod's app.kubernetes.io/component), not exported by the binary.
const std::set<std::string> kTargetLabels = {"namespace", "pod",     "job",      "instance",
                                             "role",      "service", "endpoint", "container"};

// Environment variables of the base configs (parley.yaml, parley-enrich.yaml) that are not
// credentials.
const std::set<std::string> kNonSecretVariables = {
    "PARLEY_THREADS",    "PARLEY_KAFKA_BROKERS", "PARLEY_TALKJS_APP_ID",   "PARLEY_SPOOL_DIR",
    "PARLEY_JA_API_URL", "PARLEY_CAO_API_URL",   "PARLEY_DIRECTLY_API_URL"};

// The Secrets the operator creates in production, with the keys the manifests read.
const std::set<std::string> kOperatorSecrets = {"parley-webhooks", "parley-platform-api",
                                                "parley-kafka"};

// Each workload's configuration file in deploy/k8s/base and the ConfigMap made of it.
const std::map<std::string, std::pair<std::string, std::string>> kWorkloadConfigs = {
    {"parley-ingest", {"deploy/k8s/base/parley.yaml", "parley-config"}},
    {"parley-enrich", {"deploy/k8s/base/parley-enrich.yaml", "parley-enrich-config"}}};

// Packages debian:12-slim already contains (apt depends on them), so the Dockerfile's runtime
// stage need not install them.
const std::set<std::string> kInBaseImage = {"libc6", "libgcc-s1", "libstdc++6"};

// ---------------------------------------------------------------------------------------------
// Small helpers: files, commands, text.

std::string source_path(std::string_view relative) {
  return std::string(PARLEY_SOURCE_DIR) + "/" + std::string(relative);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

struct CommandResult {
  int exit_code;
  std::string output;  // stdout and stderr
};

CommandResult run(const std::string& command) {
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return {-1, "popen failed: " + command};
  std::string output;
  std::array<char, 4096> chunk{};
  while (std::fgets(chunk.data(), static_cast<int>(chunk.size()), pipe) != nullptr) {
    output += chunk.data();
  }
  const int status = ::pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

std::string shell_quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

bool have_program(const std::string& name) {
  return run("command -v " + shell_quote(name)).exit_code == 0;
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    lines.push_back(line);
  return lines;
}

std::string trim(std::string_view text) {
  const auto begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) return {};
  const auto end = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(begin, end - begin + 1));
}

std::size_t indentation(const std::string& line) {
  return line.find_first_not_of(' ') == std::string::npos ? line.size()
                                                          : line.find_first_not_of(' ');
}

std::string join(const std::vector<std::string>& items, std::string_view separator = "\n") {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += separator;
    out += item;
  }
  return out;
}

std::string lower(std::string text) {
  for (auto& c : text)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

bool contains(const std::string& text, std::string_view needle) {
  return text.find(needle) != std::string::npos;
}

// ---------------------------------------------------------------------------------------------
// A YAML subset, enough for the files in deploy/ and kubectl's normalized output (the tests
// link no YAML library): `key: value` scalars, block scalars (`key: |`), indented blocks.

/// The value of every `key:` (also `- key:`), in file order. Block scalars are joined with
/// newlines; quotes around inline values are removed.
std::vector<std::string> yaml_values(const std::string& text, std::string_view key) {
  const auto lines = split_lines(text);
  std::vector<std::string> values;
  const std::string prefix = std::string(key) + ":";
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::string item = trim(lines[i]);
    if (item.rfind("- ", 0) == 0) item = trim(item.substr(2));
    if (item.rfind(prefix, 0) != 0) continue;
    std::string rest = trim(item.substr(prefix.size()));
    if (!rest.empty() && (rest[0] == '|' || rest[0] == '>')) {
      const std::size_t key_indent = indentation(lines[i]);
      std::vector<std::string> block;
      while (i + 1 < lines.size() &&
             (trim(lines[i + 1]).empty() || indentation(lines[i + 1]) > key_indent)) {
        block.push_back(trim(lines[++i]));
      }
      values.push_back(trim(join(block)));
    } else if (rest.size() >= 2 && (rest.front() == '"' || rest.front() == '\'') &&
               rest.back() == rest.front()) {
      values.push_back(rest.substr(1, rest.size() - 2));
    } else {
      values.push_back(rest);
    }
  }
  return values;
}

/// The lines nested under the first `key:` line, as one text. kubectl writes the items of a
/// list at the key's own indentation ("args:\n- a"), so those belong to the block as well.
std::string yaml_block(const std::string& text, std::string_view key) {
  const auto lines = split_lines(text);
  const std::string prefix = std::string(key) + ":";
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string line = trim(lines[i]);
    const bool dash = line.rfind("- ", 0) == 0;
    if ((dash ? trim(line.substr(2)) : line).rfind(prefix, 0) != 0) continue;
    // A key written as "- key:" is nested two columns deeper than its dash.
    const std::size_t key_indent = indentation(lines[i]) + (dash ? 2 : 0);
    std::string block;
    std::size_t j = i + 1;
    for (; j < lines.size() && indentation(lines[j]) > key_indent; ++j)
      block += lines[j] + "\n";
    if (!block.empty()) return block;
    for (; j < lines.size(); ++j) {
      const bool item = indentation(lines[j]) == key_indent && trim(lines[j]).rfind("- ", 0) == 0;
      if (!item && indentation(lines[j]) <= key_indent) break;
      block += lines[j] + "\n";
    }
    return block;
  }
  return {};
}

/// The `- item` entries directly under `key:`.
std::vector<std::string> yaml_list(const std::string& text, std::string_view key) {
  std::vector<std::string> items;
  const auto block = split_lines(yaml_block(text, key));
  if (block.empty()) return items;
  const std::size_t item_indent = indentation(block.front());
  for (const auto& line : block) {
    if (indentation(line) == item_indent && trim(line).rfind("- ", 0) == 0) {
      std::string item = trim(trim(line).substr(2));
      if (item.size() >= 2 && item.front() == '"' && item.back() == '"') {
        item = item.substr(1, item.size() - 2);
      }
      items.push_back(item);
    }
  }
  return items;
}

/// One object of a multi-document YAML stream (kubectl kustomize output).
struct Manifest {
  std::string kind;
  std::string name;
  std::string text;
};

std::vector<Manifest> split_manifests(const std::string& stream) {
  std::vector<Manifest> manifests;
  std::string current;
  auto flush = [&] {
    if (trim(current).empty()) return;
    Manifest manifest{.text = current};
    bool in_metadata = false;
    for (const auto& line : split_lines(current)) {
      if (line.rfind("kind: ", 0) == 0) manifest.kind = trim(line.substr(6));
      if (!line.empty() && line[0] != ' ') in_metadata = line == "metadata:";
      if (in_metadata && line.rfind("  name: ", 0) == 0) manifest.name = trim(line.substr(8));
    }
    manifests.push_back(std::move(manifest));
    current.clear();
  };
  for (const auto& line : split_lines(stream)) {
    if (line == "---") {
      flush();
    } else {
      current += line + "\n";
    }
  }
  flush();
  return manifests;
}

// ---------------------------------------------------------------------------------------------
// What the binary exports: a Prometheus text-format scrape, parsed.

struct Exported {
  std::map<std::string, std::string> type;  // family name -> counter, gauge, histogram, ...
  // sample name (family, or family_bucket/_sum/_count) -> label -> values seen
  std::map<std::string, std::map<std::string, std::set<std::string>>> samples;

  bool has(const std::string& name) const { return samples.count(name) != 0; }
};

Exported parse_scrape(const std::string& scrape) {
  Exported exported;
  for (const auto& line : split_lines(scrape)) {
    if (line.rfind("# TYPE ", 0) == 0) {
      std::istringstream fields(line.substr(7));
      std::string name;
      std::string type;
      fields >> name >> type;
      exported.type[name] = type;
      continue;
    }
    if (line.empty() || line[0] == '#') continue;
    const auto name_end = line.find_first_of("{ ");
    auto& labels = exported.samples[line.substr(0, name_end)];
    if (name_end == std::string::npos || line[name_end] != '{') continue;
    std::size_t at = name_end + 1;
    while (at < line.size() && line[at] != '}') {
      const auto equals = line.find('=', at);
      const std::string label = line.substr(at, equals - at);
      std::string value;
      at = equals + 2;  // past ="
      while (at < line.size() && line[at] != '"') {
        if (line[at] == '\\' && at + 1 < line.size()) ++at;
        value += line[at++];
      }
      labels[label].insert(value);
      at += 1;  // past the closing quote
      if (at < line.size() && line[at] == ',') ++at;
    }
  }
  return exported;
}

// ---------------------------------------------------------------------------------------------
// PromQL, enough to find every selector (metric name + matchers) and every grouping label.

struct Matcher {
  std::string label;
  std::string op;
  std::string value;
};

struct Selector {
  std::string metric;  // empty for a selector without a metric name
  std::vector<Matcher> matchers;
};

struct ParsedQuery {
  std::vector<Selector> selectors;
  std::vector<std::string> grouping_labels;  // by / without / on / ignoring / group_x lists
};

const std::set<std::string> kAggregations = {"sum",   "min",     "max",          "avg",
                                             "group", "stddev",  "stdvar",       "count",
                                             "topk",  "bottomk", "count_values", "quantile"};
const std::set<std::string> kGroupingKeywords = {"by",       "without",    "on",
                                                 "ignoring", "group_left", "group_right"};
const std::set<std::string> kKeywords = {"and", "or", "unless", "bool", "offset", "inf", "nan"};

bool identifier_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '_' || c == ':';
}
bool identifier_char(char c) {
  return identifier_start(c) || std::isdigit(static_cast<unsigned char>(c)) != 0;
}

ParsedQuery parse_promql(std::string_view expr) {
  ParsedQuery parsed;
  std::size_t i = 0;
  auto skip_spaces = [&](std::size_t at) {
    while (at < expr.size() && std::isspace(static_cast<unsigned char>(expr[at])) != 0)
      ++at;
    return at;
  };
  auto read_string = [&](std::size_t& at) {  // at: the opening quote
    const char quote = expr[at++];
    std::string value;
    while (at < expr.size() && expr[at] != quote) {
      if (expr[at] == '\\' && quote != '`' && at + 1 < expr.size()) ++at;
      value += expr[at++];
    }
    ++at;
    return value;
  };
  auto read_identifier = [&](std::size_t& at) {
    const std::size_t begin = at;
    while (at < expr.size() && identifier_char(expr[at]))
      ++at;
    return std::string(expr.substr(begin, at - begin));
  };
  auto read_matchers = [&](std::size_t& at, Selector& selector) {  // at: the '{'
    ++at;
    while (true) {
      at = skip_spaces(at);
      if (at >= expr.size() || expr[at] == '}') break;
      Matcher matcher;
      matcher.label = read_identifier(at);
      at = skip_spaces(at);
      while (at < expr.size() && (expr[at] == '=' || expr[at] == '!' || expr[at] == '~'))
        matcher.op += expr[at++];
      at = skip_spaces(at);
      if (at < expr.size() && (expr[at] == '"' || expr[at] == '\'' || expr[at] == '`')) {
        matcher.value = read_string(at);
      }
      selector.matchers.push_back(matcher);
      at = skip_spaces(at);
      if (at < expr.size() && expr[at] == ',') ++at;
      if (matcher.label.empty()) break;  // malformed; reported by the caller
    }
    ++at;
  };

  while (i < expr.size()) {
    const char c = expr[i];
    if (c == '"' || c == '\'' || c == '`') {
      read_string(i);
    } else if (c == '[') {  // range or subquery durations
      while (i < expr.size() && expr[i] != ']')
        ++i;
      ++i;
    } else if (c == '$') {  // Grafana variables: $__rate_interval, ${var}
      ++i;
      if (i < expr.size() && expr[i] == '{') {
        while (i < expr.size() && expr[i] != '}')
          ++i;
        ++i;
      } else {
        read_identifier(i);
      }
    } else if (std::isdigit(static_cast<unsigned char>(c)) != 0 ||
               (c == '.' && i + 1 < expr.size() &&
                std::isdigit(static_cast<unsigned char>(expr[i + 1])) != 0)) {
      while (i < expr.size() && (identifier_char(expr[i]) || expr[i] == '.'))
        ++i;
    } else if (identifier_start(c)) {
      const std::string word = read_identifier(i);
      const std::size_t next = skip_spaces(i);
      if (kGroupingKeywords.count(word) != 0) {
        if (next < expr.size() && expr[next] == '(') {
          i = next + 1;
          while (true) {
            i = skip_spaces(i);
            if (i >= expr.size() || expr[i] == ')') break;
            const std::string label = read_identifier(i);
            if (label.empty()) break;
            parsed.grouping_labels.push_back(label);
            i = skip_spaces(i);
            if (i < expr.size() && expr[i] == ',') ++i;
          }
          ++i;
        }
      } else if (kKeywords.count(word) != 0 || kAggregations.count(word) != 0) {
        // operators and aggregations: not metric names
      } else if (next < expr.size() && expr[next] == '(') {
        // a function call
      } else {
        Selector selector{.metric = word};
        if (next < expr.size() && expr[next] == '{') {
          i = next;
          read_matchers(i, selector);
        }
        parsed.selectors.push_back(selector);
      }
    } else if (c == '{') {
      Selector selector;
      read_matchers(i, selector);
      parsed.selectors.push_back(selector);
    } else {
      ++i;
    }
  }
  return parsed;
}

/// Plain alternatives of a regex matcher ("a|b|c"), or nothing when the regex is more than
/// that (then its values are not checked).
std::vector<std::string> alternatives(const std::string& regex) {
  const bool plain = std::all_of(regex.begin(), regex.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-' || c == '|';
  });
  std::vector<std::string> values;
  if (!plain) return values;
  std::istringstream in(regex);
  for (std::string value; std::getline(in, value, '|');)
    values.push_back(value);
  return values;
}

/// Every problem of `expr` (from `where`) against what the binary exports.
std::vector<std::string> check_query(const std::string& expr, const std::string& where,
                                     const Exported& exported) {
  std::vector<std::string> problems;
  const auto parsed = parse_promql(expr);
  if (parsed.selectors.empty()) problems.push_back(where + ": no metric in `" + expr + "`");
  std::set<std::string> labels_in_query = kTargetLabels;
  for (const auto& selector : parsed.selectors) {
    const std::string& metric = selector.metric;
    if (metric.empty()) {
      problems.push_back(where + ": a selector without a metric name in `" + expr + "`");
      continue;
    }
    if (!exported.has(metric)) {
      problems.push_back(where + ": metric " + metric + " is not exported by parley");
      continue;
    }
    const auto& exported_labels = exported.samples.at(metric);
    for (const auto& entry : exported_labels)
      labels_in_query.insert(entry.first);
    for (const auto& matcher : selector.matchers) {
      if (matcher.label.empty() || matcher.op.empty()) {
        problems.push_back(where + ": malformed matcher on " + metric + " in `" + expr + "`");
        continue;
      }
      if (matcher.label == "job" && matcher.value != "parley") {
        problems.push_back(where + ": job is \"parley\" (ServiceMonitor jobLabel), not \"" +
                           matcher.value + "\"");
      }
      if (kTargetLabels.count(matcher.label) != 0) continue;
      const auto label = exported_labels.find(matcher.label);
      if (label == exported_labels.end()) {
        problems.push_back(where + ": " + metric + " has no label " + matcher.label);
        continue;
      }
      if (contains(matcher.value, "$")) continue;  // a Grafana variable
      const bool regex = matcher.op == "=~" || matcher.op == "!~";
      const auto values =
          regex ? alternatives(matcher.value) : std::vector<std::string>{matcher.value};
      for (const auto& value : values) {
        if (label->second.count(value) == 0) {
          problems.push_back(where + ": " + metric + "{" + matcher.label +
                             "} never has the value \"" + value + "\"");
        }
      }
    }
  }
  for (const auto& label : parsed.grouping_labels) {
    if (labels_in_query.count(label) == 0) {
      problems.push_back(where + ": grouping label " + label + " is on no metric of `" + expr +
                         "`");
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// The Dockerfile.

struct Dockerfile {
  std::map<std::string, std::vector<std::string>> apt_packages;  // stage -> apt-get install list
  std::map<std::string, std::vector<std::string>> instructions;  // stage -> instructions
  std::vector<std::string> from_images;                          // FROM image of each stage
};

Dockerfile parse_dockerfile(const std::string& text) {
  // Join continuation lines; drop comments.
  std::vector<std::string> instructions;
  std::string pending;
  for (const auto& raw : split_lines(text)) {
    const std::string line = trim(raw);
    if (line.empty() || line[0] == '#') continue;
    if (!line.empty() && line.back() == '\\') {
      pending += line.substr(0, line.size() - 1) + " ";
      continue;
    }
    instructions.push_back(pending + line);
    pending.clear();
  }
  Dockerfile dockerfile;
  std::string stage = "(before FROM)";
  for (const auto& instruction : instructions) {
    std::istringstream words(instruction);
    std::vector<std::string> tokens;
    for (std::string word; words >> word;)
      tokens.push_back(word);
    if (tokens.empty()) continue;
    if (tokens[0] == "FROM") {
      dockerfile.from_images.push_back(tokens.size() > 1 ? tokens[1] : "");
      stage = tokens.size() > 3 && lower(tokens[2]) == "as" ? tokens[3] : tokens[1];
      continue;
    }
    dockerfile.instructions[stage].push_back(instruction);
    if (tokens[0] != "RUN") continue;
    for (std::size_t i = 0; i + 1 < tokens.size(); ++i) {
      if (tokens[i] != "apt-get" || tokens[i + 1] != "install") continue;
      for (std::size_t j = i + 2; j < tokens.size() && tokens[j] != "&&" && tokens[j] != ";"; ++j) {
        if (tokens[j][0] != '-') dockerfile.apt_packages[stage].push_back(tokens[j]);
      }
    }
  }
  return dockerfile;
}

const Dockerfile& dockerfile() {
  static const Dockerfile parsed = parse_dockerfile(read_file(source_path("deploy/Dockerfile")));
  return parsed;
}

std::vector<std::string> sorted(std::vector<std::string> items) {
  std::sort(items.begin(), items.end());
  return items;
}

TEST(DeployImage, BuildStageInstallsExactlyTheSetupScriptBuildPackages) {
  const auto listed = run(source_path("scripts/setup.sh") + " --list build");
  ASSERT_EQ(listed.exit_code, 0) << listed.output;
  std::vector<std::string> expected;
  for (const auto& line : split_lines(listed.output)) {
    if (!trim(line).empty()) expected.push_back(trim(line));
  }
  ASSERT_EQ(dockerfile().apt_packages.count("build"), 1u)
      << "deploy/Dockerfile needs a stage `AS build` with one apt-get install";
  EXPECT_EQ(sorted(dockerfile().apt_packages.at("build")), sorted(expected))
      << "deploy/Dockerfile's build stage must install exactly `scripts/setup.sh --list build`";
}

TEST(DeployImage, BothStagesUseTheSameDebianImage) {
  // The runtime packages are named by the sonames the build stage linked against. The last
  // stage only flattens the runtime stage into one layer.
  ASSERT_EQ(dockerfile().from_images.size(), 3u);
  EXPECT_EQ(dockerfile().from_images[0], dockerfile().from_images[1]);
  EXPECT_EQ(dockerfile().from_images[2], "scratch");
  EXPECT_TRUE(contains(read_file(source_path("deploy/Dockerfile")), "COPY --from=runtime / /"));
  EXPECT_TRUE(contains(read_file(source_path("deploy/Dockerfile")), "ARG DEBIAN_IMAGE=debian:12-"));
}

TEST(DeployImage, RuntimePackagesExistInDebian) {
  ASSERT_EQ(dockerfile().apt_packages.count("runtime"), 1u)
      << "deploy/Dockerfile needs a stage `AS runtime` with one apt-get install";
  const auto& packages = dockerfile().apt_packages.at("runtime");
  EXPECT_FALSE(packages.empty());
  for (const auto& package : packages) {
    const auto shown = run("apt-cache show --no-all-versions " + shell_quote(package));
    // Without apt lists (a cleaned CI image) an installed package proves the name as well.
    const bool installed =
        run("dpkg-query -W -f='${Status}' " + shell_quote(package) + " | grep -q 'install ok'")
            .exit_code == 0;
    EXPECT_TRUE((shown.exit_code == 0 && contains(shown.output, "Package: " + package)) ||
                installed)
        << package << " is not a Debian package here: " << shown.output;
  }
}

TEST(DeployImage, RuntimePackagesProvideEveryLibraryTheBinaryNeeds) {
  ASSERT_EQ(dockerfile().apt_packages.count("runtime"), 1u);
  const auto& runtime = dockerfile().apt_packages.at("runtime");
  const std::set<std::string> provided(runtime.begin(), runtime.end());

  const auto dynamic = run("readelf -d " + shell_quote(PARLEY_BINARY));
  ASSERT_EQ(dynamic.exit_code, 0) << dynamic.output;
  const auto resolved = run("ldd " + shell_quote(PARLEY_BINARY));
  ASSERT_EQ(resolved.exit_code, 0) << resolved.output;

  const std::regex needed_line(R"(\(NEEDED\)\s+Shared library: \[([^\]]+)\])");
  std::size_t libraries = 0;
  for (std::sregex_iterator it(dynamic.output.begin(), dynamic.output.end(), needed_line), end;
       it != end; ++it) {
    const std::string soname = (*it)[1];
    // The sanitizer runtimes come with this test build (asan preset); the image builds release.
    if (std::regex_search(soname, std::regex("^lib(asan|ubsan|lsan|tsan)\\."))) continue;
    ++libraries;
    const std::regex resolved_line(
        "\\s" + std::regex_replace(soname, std::regex(R"([.+])"), R"(\$&)") + R"( => (\S+))");
    std::smatch where;
    ASSERT_TRUE(std::regex_search(resolved.output, where, resolved_line))
        << soname << " is not resolved by ldd:\n"
        << resolved.output;
    const auto path = fs::weakly_canonical(where[1].str());
    const auto owners = run("dpkg -S " + shell_quote("*/" + soname));
    std::string package;
    for (const auto& line : split_lines(owners.output)) {
      const auto separator = line.find(": ");
      if (separator == std::string::npos) continue;
      std::error_code ec;
      if (fs::weakly_canonical(line.substr(separator + 2), ec) != path) continue;
      package = line.substr(0, line.find_first_of(":,"));
    }
    ASSERT_FALSE(package.empty()) << "no Debian package owns " << path << ":\n" << owners.output;
    EXPECT_TRUE(provided.count(package) != 0 || kInBaseImage.count(package) != 0)
        << "parley links " << soname << " from " << package
        << ", which the Dockerfile's runtime stage does not install";
  }
  EXPECT_GE(libraries, 5u) << dynamic.output;
  EXPECT_EQ(provided.count("ca-certificates"), 1u) << "TLS to Kafka and the platform APIs";
}

TEST(DeployImage, RunsAsAFixedNonRootUserWithParleyAsEntrypoint) {
  ASSERT_EQ(dockerfile().instructions.count("image"), 1u) << "the final stage";
  const auto& runtime = dockerfile().instructions.at("image");
  auto last = [&](std::string_view keyword) {
    std::string found;
    for (const auto& instruction : runtime) {
      if (instruction.rfind(std::string(keyword) + " ", 0) == 0) found = instruction;
    }
    return found;
  };
  EXPECT_EQ(last("USER"), "USER 10001:10001") << "numeric, so runAsNonRoot can verify it";
  EXPECT_EQ(last("ENTRYPOINT"), R"(ENTRYPOINT ["/usr/local/bin/parley"])");
  EXPECT_EQ(last("CMD"), R"(CMD ["--config", "/etc/parley/parley.yaml"])");
  for (const char* manifest :
       {"deploy/k8s/base/deployment-ingest.yaml", "deploy/k8s/base/deployment-enrich.yaml"}) {
    const auto text = read_file(source_path(manifest));
    EXPECT_TRUE(contains(text, "runAsUser: 10001")) << manifest << " and the image's USER differ";
    EXPECT_TRUE(contains(text, R"("--config", "/etc/parley/parley.yaml")")) << manifest;
  }
}

// ---------------------------------------------------------------------------------------------
// The production configuration.

/// The ${env:NAME} references of a production config, outside comments.
std::set<std::string> config_variables(const std::string& file = "deploy/k8s/base/parley.yaml") {
  std::string text;
  for (const auto& line : split_lines(read_file(source_path(file)))) {
    if (trim(line).rfind('#', 0) != 0) text += line + "\n";
  }
  std::set<std::string> names;
  const std::regex reference(R"(\$\{env:([A-Za-z_][A-Za-z0-9_]*)\})");
  for (std::sregex_iterator it(text.begin(), text.end(), reference), end; it != end; ++it) {
    names.insert((*it)[1]);
  }
  return names;
}

/// A stand-in value of the right shape for config variable `name`.
std::string fake_value(const std::string& name) {
  if (name == "PARLEY_THREADS") return "2";
  if (name == "PARLEY_KAFKA_BROKERS") return "kafka-0.example.com:9093,kafka-1.example.com:9093";
  if (name.ends_with("_API_URL")) return "https://" + lower(name.substr(7)) + ".example.com";
  return "fake-" + lower(name);
}

TEST(DeployConfig, BaseConfigsAreValidWhenEveryVariableIsSet) {
  for (const auto& [workload, config] : kWorkloadConfigs) {
    const auto& file = config.first;
    const auto names = config_variables(file);
    ASSERT_FALSE(names.empty()) << file;
    const std::string credential =
        workload == "parley-ingest" ? "PARLEY_JA_TOKEN" : "PARLEY_JA_API_KEY";
    ASSERT_EQ(names.count(credential), 1u) << file;
    std::string environment;
    std::string without_credential;
    for (const auto& name : names) {
      const auto assignment = name + "=" + shell_quote(fake_value(name)) + " ";
      environment += assignment;
      if (name != credential) without_credential += assignment;
    }
    const auto checked = run("env " + environment + shell_quote(PARLEY_BINARY) +
                             " --check-config " + shell_quote(source_path(file)));
    EXPECT_EQ(checked.exit_code, 0) << file << "\n" << checked.output;

    // And a missing variable is refused, naming it (so a missing Secret key never becomes "").
    const auto missing =
        run("env -u " + credential + " " + without_credential + shell_quote(PARLEY_BINARY) +
            " --check-config " + shell_quote(source_path(file)));
    EXPECT_EQ(missing.exit_code, 2) << missing.output;
    EXPECT_TRUE(contains(missing.output, credential)) << missing.output;
  }
}

// ---------------------------------------------------------------------------------------------
// Alert rules.

const std::string kRules = "deploy/prometheus/parley-rules.yaml";
const std::string kRuleTests = "deploy/prometheus/parley-rules.test.yaml";

TEST(DeployRules, PromtoolCheckRulesPasses) {
  const auto checked = run("promtool check rules " + shell_quote(source_path(kRules)));
  EXPECT_EQ(checked.exit_code, 0) << checked.output;
  EXPECT_TRUE(contains(checked.output, "SUCCESS")) << checked.output;
}

TEST(DeployRules, PromtoolTestRulesPasses) {
  const auto tested = run("promtool test rules " + shell_quote(source_path(kRuleTests)));
  EXPECT_EQ(tested.exit_code, 0) << tested.output;
  EXPECT_TRUE(contains(tested.output, "SUCCESS")) << tested.output;
}

TEST(DeployRules, EveryAlertIsTestedFiringAndNotFiring) {
  const auto alerts = yaml_values(read_file(source_path(kRules)), "alert");
  ASSERT_FALSE(alerts.empty());
  std::map<std::string, int> firing;
  std::map<std::string, int> silent;
  const auto lines = split_lines(read_file(source_path(kRuleTests)));
  for (std::size_t i = 0; i + 1 < lines.size(); ++i) {
    const auto alertname = yaml_values(lines[i], "alertname");
    if (alertname.empty()) continue;
    const auto expected = yaml_values(lines[i + 1], "exp_alerts");
    ASSERT_EQ(expected.size(), 1u) << "exp_alerts must follow alertname: line " << i + 2;
    if (expected[0] == "[]") {
      ++silent[alertname[0]];
    } else {
      ++firing[alertname[0]];
    }
  }
  for (const auto& alert : alerts) {
    EXPECT_GT(firing[alert], 0) << alert << " has no test where it fires";
    EXPECT_GT(silent[alert], 0) << alert << " has no test where it stays silent";
  }
  for (const auto& tested : firing) {
    EXPECT_NE(std::find(alerts.begin(), alerts.end(), tested.first), alerts.end())
        << "the tests name an alert that does not exist: " << tested.first;
  }
}

TEST(DeployRules, EveryAlertHasARunbookSectionInTheOperationsGuide) {
  const auto rules = read_file(source_path(kRules));
  const auto alerts = yaml_values(rules, "alert");
  const auto runbooks = yaml_values(rules, "runbook");
  ASSERT_EQ(alerts.size(), runbooks.size()) << "one runbook annotation per alert";
  const auto guide = read_file(source_path("docs/operations.md"));
  for (std::size_t i = 0; i < alerts.size(); ++i) {
    EXPECT_EQ(runbooks[i], "docs/operations.md#" + lower(alerts[i]));
    EXPECT_TRUE(contains(guide, "\n#### " + alerts[i] + "\n"))
        << "docs/operations.md has no section \"#### " << alerts[i] << "\"";
  }
}

// ---------------------------------------------------------------------------------------------
// The Grafana dashboard.

std::string text_of(const boost::json::value& value) {
  return value.is_string() ? std::string(value.as_string()) : boost::json::serialize(value);
}

boost::json::value dashboard_json() {
  boost::json::error_code ec;
  auto value = boost::json::parse(read_file(source_path("deploy/grafana/parley.json")), ec);
  EXPECT_FALSE(ec) << "deploy/grafana/parley.json: " << ec.message();
  return value;
}

/// Every panel query ("expr") in the dashboard, with where it is.
void collect_exprs(const boost::json::value& value, const std::string& where,
                   std::vector<std::pair<std::string, std::string>>& out) {
  if (value.is_object()) {
    const auto& object = value.as_object();
    std::string here = where;
    if (const auto* title = object.if_contains("title"); title != nullptr && title->is_string()) {
      here = "panel \"" + std::string(title->as_string()) + "\"";
    }
    for (const auto& [key, child] : object) {
      if (key == "expr" && child.is_string()) {
        out.emplace_back(here, std::string(child.as_string()));
      } else {
        collect_exprs(child, here, out);
      }
    }
  } else if (value.is_array()) {
    for (const auto& child : value.as_array())
      collect_exprs(child, where, out);
  }
}

TEST(DeployDashboard, IsGrafanaJsonWithUniquePanelIdsAndTheDatasourceVariable) {
  const auto dashboard = dashboard_json();
  ASSERT_TRUE(dashboard.is_object());
  const auto& root = dashboard.as_object();
  EXPECT_EQ(text_of(root.at("uid")), "parley");
  std::set<std::string> variables;
  for (const auto& variable : root.at("templating").at("list").as_array()) {
    variables.insert(text_of(variable.at("name")));
  }
  EXPECT_EQ(variables.count("datasource"), 1u) << "panels use ${datasource}";
  std::set<std::int64_t> ids;
  std::size_t panels = 0;
  for (const auto& panel : root.at("panels").as_array()) {
    ++panels;
    EXPECT_TRUE(ids.insert(panel.at("id").to_number<std::int64_t>()).second)
        << "duplicate panel id " << text_of(panel.at("id"));
    if (text_of(panel.at("type")) == "row") continue;
    EXPECT_EQ(text_of(panel.at("datasource").at("uid")), "${datasource}")
        << text_of(panel.at("title"));
    EXPECT_FALSE(panel.at("targets").as_array().empty()) << text_of(panel.at("title"));
  }
  EXPECT_GE(panels, 10u);
}

// ---------------------------------------------------------------------------------------------
// The real binary, scraped: the reference for every metric name.

class DeployMetrics : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto started =
        kafka::EmbeddedBroker::start(1,
                                     {"parley.events.v1", "parley.enriched.v1",
                                      "parley.deadletter.v1", "parley.directly.watches.v1"},
                                     3);
    ASSERT_TRUE(started) << started.error();
    broker_ = std::move(started).value().release();
    // Directly polled too, so its series exist (its API answers nothing here: polls fail).
    parley_ = new ParleyProcess(test_config(
        broker_->bootstrap_servers(),
        "  directly:\n"
        "    watch: {tokens: [deploy-watch-token]}\n"
        "    api: {base_url: \"http://127.0.0.1:1\", client_id: c, client_secret: s}\n"));
    ASSERT_TRUE(parley_->wait_for_log("kafka reachable", 20s));

    // One accepted webhook and one Kafka could not acknowledge: the per-topic families only
    // appear once they have a sample.
    HttpClient client(parley_->port());
    const std::string body = R"({"eventType":"1","questionId":"deploy-1","userToken":"u1"})";
    ASSERT_EQ(
        client.post("/v1/webhooks/justanswer", body, {{"X-Parley-Token", "test-token"}}).status,
        200u);
    broker_->set_broker_up(1, false);
    const std::string lost = R"({"eventType":"1","questionId":"deploy-2","userToken":"u1"})";
    HttpClient second(parley_->port());
    EXPECT_EQ(
        second.post("/v1/webhooks/justanswer", lost, {{"X-Parley-Token", "test-token"}}).status,
        503u);
    broker_->set_broker_up(1, true);

    HttpClient admin(parley_->admin_port());
    const auto answer = admin.get("/metrics");
    ASSERT_EQ(answer.status, 200u);
    scrape_ = new std::string(answer.body);
    exported_ = new Exported(parse_scrape(*scrape_));
  }

  static void TearDownTestSuite() {
    delete exported_;
    delete scrape_;
    delete parley_;
    delete broker_;
    exported_ = nullptr;
    scrape_ = nullptr;
    parley_ = nullptr;
    broker_ = nullptr;
  }

  void SetUp() override { ASSERT_NE(exported_, nullptr) << "the binary was not scraped"; }

  static inline kafka::EmbeddedBroker* broker_ = nullptr;
  static inline ParleyProcess* parley_ = nullptr;
  static inline std::string* scrape_ = nullptr;
  static inline Exported* exported_ = nullptr;
};

TEST_F(DeployMetrics, ScrapeHasTheDocumentedFamiliesAndPassesPromtoolCheckMetrics) {
  for (const char* family :
       {"parley_webhooks_received_total", "parley_webhook_duration_seconds_bucket",
        "parley_kafka_produced_total", "parley_kafka_produce_errors_total",
        "parley_inflight_requests", "parley_ready", "parley_dedupe_entries", "parley_build_info",
        "process_resident_memory_bytes", "process_open_fds"}) {
    EXPECT_TRUE(exported_->has(family)) << family << " missing from the scrape:\n" << *scrape_;
  }
  const auto path =
      fs::temp_directory_path() / ("parley-deploy-scrape-" + std::to_string(::getpid()) + ".txt");
  std::ofstream(path) << *scrape_;
  const auto linted = run("promtool check metrics < " + shell_quote(path.string()));
  fs::remove(path);
  EXPECT_EQ(linted.exit_code, 0) << linted.output;
}

TEST_F(DeployMetrics, AlertRulesUseOnlyExportedMetricsLabelsAndValues) {
  const auto rules = read_file(source_path(kRules));
  const auto alerts = yaml_values(rules, "alert");
  const auto exprs = yaml_values(rules, "expr");
  ASSERT_EQ(alerts.size(), exprs.size());
  std::vector<std::string> problems;
  for (std::size_t i = 0; i < exprs.size(); ++i) {
    for (auto& problem : check_query(exprs[i], alerts[i], *exported_))
      problems.push_back(std::move(problem));
  }
  EXPECT_TRUE(problems.empty()) << join(problems);
}

TEST_F(DeployMetrics, DashboardUsesOnlyExportedMetricsLabelsAndValues) {
  const auto dashboard = dashboard_json();
  std::vector<std::pair<std::string, std::string>> exprs;
  collect_exprs(dashboard.at("panels"), "dashboard", exprs);
  ASSERT_GE(exprs.size(), 10u);
  std::vector<std::string> problems;
  for (const auto& [where, expr] : exprs) {
    for (auto& problem : check_query(expr, where, *exported_))
      problems.push_back(std::move(problem));
  }
  // Template variables: label_values(<selector>, <label>).
  const std::regex label_values(R"(^label_values\((.*),\s*([A-Za-z_][A-Za-z0-9_]*)\)$)");
  for (const auto& variable : dashboard.at("templating").at("list").as_array()) {
    if (text_of(variable.at("type")) != "query") continue;
    const std::string where = "variable " + text_of(variable.at("name"));
    // Grafana keeps the query twice: what runs (query.query) and what the editor shows.
    const auto& query = variable.at("query");
    for (const std::string& definition : {text_of(query.is_object() ? query.at("query") : query),
                                          text_of(variable.at("definition"))}) {
      std::smatch parts;
      if (!std::regex_match(definition, parts, label_values)) {
        problems.push_back(where + ": not label_values(<selector>, <label>): " + definition);
        continue;
      }
      for (auto& problem : check_query(parts[1].str(), where, *exported_))
        problems.push_back(std::move(problem));
      const auto selectors = parse_promql(parts[1].str()).selectors;
      const std::string label = parts[2];
      if (!selectors.empty() && exported_->has(selectors.front().metric) &&
          kTargetLabels.count(label) == 0 &&
          exported_->samples.at(selectors.front().metric).count(label) == 0) {
        problems.push_back(where + ": " + selectors.front().metric + " has no label " + label);
      }
    }
  }
  EXPECT_TRUE(problems.empty()) << join(problems);
}

TEST_F(DeployMetrics, AutoscalersScaleOnExportedGaugesThatTheAdapterServes) {
  const auto hpa = read_file(source_path("deploy/k8s/base/hpa.yaml"));
  std::vector<std::string> metrics;
  const std::regex pods_metric(R"(metric:\s*\n\s*name:\s*(\S+))");
  for (std::sregex_iterator it(hpa.begin(), hpa.end(), pods_metric), end; it != end; ++it) {
    metrics.push_back((*it)[1]);
  }
  // Ingest on in-flight requests, enrich on consumer lag.
  EXPECT_EQ(metrics, (std::vector<std::string>{"parley_inflight_requests", "parley_consumer_lag"}));
  for (const auto& metric : metrics) {
    EXPECT_TRUE(exported_->has(metric)) << metric;
    EXPECT_EQ(exported_->type[metric], "gauge")
        << metric << ": a Pods metric is averaged as a current value";
  }

  const auto adapter = read_file(source_path("deploy/prometheus/prometheus-adapter.yaml"));
  const auto series = yaml_values(adapter, "seriesQuery");
  ASSERT_EQ(series.size(), metrics.size());
  for (const auto& query : series) {
    const auto problems = check_query(query, "prometheus-adapter seriesQuery", *exported_);
    EXPECT_TRUE(problems.empty()) << join(problems);
  }
  EXPECT_EQ(yaml_values(adapter, "as"), metrics)
      << "the adapter must serve each metric under the name its HPA asks for";
}

// ---------------------------------------------------------------------------------------------
// Kubernetes: every overlay rendered by kustomize.

// Where the production overlays mount the spool volume (PARLEY_SPOOL_DIR).
const std::string kSpoolMount = "/var/lib/parley/spool";

/// The longest the ingest pods' preStop hook runs, in seconds: `/bin/sleep N`, or the wait of
/// components/spool-emptydir (a bash loop until `limit=N` seconds after it started, plus its
/// last check: a 2 s fetch and a 2 s sleep); -1 when it is neither.
int pre_stop_seconds(const std::string& workload) {
  const auto block = yaml_block(workload, "preStop");
  const auto command = yaml_list(block, "command");
  if (command.size() == 2 && command[0] == "/bin/sleep") return std::stoi(command[1]);
  std::smatch limit;
  if (command.size() == 3 && command[0] == "/bin/bash" && command[1] == "-c" &&
      std::regex_search(block, limit, std::regex(R"(\blimit=([0-9]+)\n)"))) {
    return std::stoi(limit[1]) + 4;
  }
  return -1;
}

/// The script of a preStop hook written `command: [/bin/bash, -c, |...]`, its indentation
/// removed, or "".
std::string pre_stop_script(const std::string& workload) {
  const auto lines = split_lines(yaml_block(workload, "preStop"));
  std::string script;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (trim(lines[i]) != "- |") continue;
    const std::size_t item_indent = indentation(lines[i]);
    std::size_t content_indent = std::string::npos;
    for (std::size_t j = i + 1;
         j < lines.size() && (trim(lines[j]).empty() || indentation(lines[j]) > item_indent); ++j) {
      if (trim(lines[j]).empty()) {
        script += "\n";
        continue;
      }
      if (content_indent == std::string::npos) content_indent = indentation(lines[j]);
      script += lines[j].substr(std::min(content_indent, indentation(lines[j]))) + "\n";
    }
    break;
  }
  return script;
}

/// True for "<name>-<hash>", the name kustomize gives a generated ConfigMap or Secret.
bool generated_from(const std::string& generated, const std::string& name) {
  static const std::regex hash("-[a-z0-9]{10}");
  return generated.size() == name.size() + 11 && generated.rfind(name, 0) == 0 &&
         std::regex_match(generated.substr(name.size()), hash);
}

class DeployKustomize : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (!have_program("kubectl")) GTEST_SKIP() << "kubectl (with kustomize) is not installed";
    static std::map<std::string, CommandResult> rendered;
    if (rendered.count(GetParam()) == 0) {
      rendered[GetParam()] =
          run("kubectl kustomize " + shell_quote(source_path("deploy/k8s/overlays/" + GetParam())));
    }
    const auto& result = rendered.at(GetParam());
    ASSERT_EQ(result.exit_code, 0) << result.output;
    manifests_ = split_manifests(result.output);
  }

  /// The one object of `kind` named `name` (or `name-<hash>` for generated ones).
  const Manifest& find(const std::string& kind, const std::string& name) const {
    const Manifest* match = nullptr;
    for (const auto& manifest : manifests_) {
      if (manifest.kind != kind) continue;
      if (manifest.name == name || generated_from(manifest.name, name)) {
        EXPECT_EQ(match, nullptr) << "two " << kind << " named " << name;
        match = &manifest;
      }
    }
    static const Manifest kMissing;
    EXPECT_NE(match, nullptr) << "no " << kind << " " << name << " in overlay " << GetParam();
    return match != nullptr ? *match : kMissing;
  }

  bool production() const { return GetParam().rfind("prod", 0) == 0; }
  /// prod runs ingest as a StatefulSet (a volume per pod for the spool); the others keep the
  /// base's Deployment.
  std::string ingest_kind() const { return GetParam() == "prod" ? "StatefulSet" : "Deployment"; }
  const Manifest& ingest() const { return find(ingest_kind(), "parley-ingest"); }
  /// The workload of `name` (parley-ingest or parley-enrich).
  const Manifest& workload(const std::string& name) const {
    return name == "parley-ingest" ? ingest() : find("Deployment", name);
  }

  std::vector<Manifest> manifests_;
};

struct EnvSource {
  std::string from;   // secretKeyRef, configMapKeyRef, resourceFieldRef, value
  std::string name;   // Secret / ConfigMap name
  std::string key;    // key in it, or the resource for resourceFieldRef
  std::string value;  // for `value:`, unquoted
};

/// The content of the block scalar `key: |` in `text`, its indentation removed (YAML text
/// stays YAML), or "" when there is none.
std::string block_scalar(const std::string& text, std::string_view key) {
  const auto lines = split_lines(text);
  const std::string opening = std::string(key) + ": |";
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (trim(lines[i]).rfind(opening, 0) != 0) continue;
    const std::size_t key_indent = indentation(lines[i]);
    std::size_t content_indent = std::string::npos;
    std::string out;
    for (std::size_t j = i + 1; j < lines.size(); ++j) {
      if (trim(lines[j]).empty()) {
        out += "\n";
        continue;
      }
      if (indentation(lines[j]) <= key_indent) break;
      if (content_indent == std::string::npos) content_indent = indentation(lines[j]);
      out += lines[j].substr(std::min(content_indent, indentation(lines[j]))) + "\n";
    }
    return out;
  }
  return {};
}

std::map<std::string, EnvSource> environment_of(const std::string& deployment) {
  std::map<std::string, EnvSource> env;
  const auto lines = split_lines(yaml_block(deployment, "env"));
  if (lines.empty()) return env;
  const std::size_t item_indent = indentation(lines.front());
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (indentation(lines[i]) != item_indent || trim(lines[i]).rfind("- name: ", 0) != 0) continue;
    const std::string name = trim(trim(lines[i]).substr(8));
    EnvSource source;
    for (std::size_t j = i + 1; j < lines.size() && indentation(lines[j]) > item_indent; ++j) {
      const std::string line = trim(lines[j]);
      for (const char* from : {"secretKeyRef:", "configMapKeyRef:", "resourceFieldRef:"}) {
        if (line == from) source.from = line.substr(0, line.size() - 1);
      }
      if (line.rfind("value: ", 0) == 0) {
        source.from = "value";
        source.value = trim(line.substr(7));
        if (source.value.size() >= 2 && source.value.front() == '"') {
          source.value = source.value.substr(1, source.value.size() - 2);
        }
      }
      if (line.rfind("name: ", 0) == 0) source.name = trim(line.substr(6));
      if (line.rfind("key: ", 0) == 0) source.key = trim(line.substr(5));
      if (line.rfind("resource: ", 0) == 0) source.key = trim(line.substr(10));
    }
    env[name] = source;
  }
  return env;
}

int integer_after(const std::string& text, const std::string& key) {
  const auto values = yaml_values(text, key);
  if (values.empty()) return -1;
  std::string digits = values.front();
  digits.erase(std::remove(digits.begin(), digits.end(), '"'), digits.end());
  return std::stoi(digits);
}

TEST_P(DeployKustomize, IngestHasProbesShutdownTimingHardeningAndZoneSpread) {
  const auto& ingest = this->ingest().text;
  EXPECT_EQ(yaml_list(ingest, "args"),
            (std::vector<std::string>{"--config", "/etc/parley/parley.yaml", "--role", "ingest"}));
  EXPECT_TRUE(yaml_values(ingest, "replicas").empty())
      << "the HPA owns the replica count; a value here resets it on every apply";

  const auto readiness = yaml_block(ingest, "readinessProbe");
  EXPECT_TRUE(contains(readiness, "path: /readyz") && contains(readiness, "port: admin"))
      << readiness;
  const auto liveness = yaml_block(ingest, "livenessProbe");
  EXPECT_TRUE(contains(liveness, "path: /healthz") && contains(liveness, "port: admin"))
      << liveness;

  // SIGKILL must not come before preStop + the whole drain.
  const int pre_stop_s = pre_stop_seconds(ingest);
  ASSERT_GE(pre_stop_s, 5) << "a preStop hook of /bin/sleep or the spool wait, at least 5 s:\n"
                           << yaml_block(ingest, "preStop");
  const int shutdown_ms =
      integer_after(read_file(source_path("deploy/k8s/base/parley.yaml")), "shutdown_timeout_ms");
  ASSERT_GT(shutdown_ms, 0);
  EXPECT_GT(integer_after(ingest, "terminationGracePeriodSeconds") * 1000,
            pre_stop_s * 1000 + shutdown_ms);

  for (const char* hardening : {"runAsNonRoot: true", "runAsUser: 10001",
                                "readOnlyRootFilesystem: true", "allowPrivilegeEscalation: false",
                                "type: RuntimeDefault", "automountServiceAccountToken: false"}) {
    EXPECT_TRUE(contains(ingest, hardening)) << hardening;
  }
  EXPECT_EQ(yaml_list(yaml_block(ingest, "capabilities"), "drop"), std::vector<std::string>{"ALL"});

  const auto spread = yaml_block(ingest, "topologySpreadConstraints");
  EXPECT_TRUE(contains(spread, "topologyKey: topology.kubernetes.io/zone")) << spread;
  if (production()) {
    EXPECT_TRUE(contains(spread, "whenUnsatisfiable: DoNotSchedule")) << spread;
  }

  const auto resources = yaml_block(ingest, "resources");
  for (const char* part : {"requests:", "limits:", "cpu:", "memory:"}) {
    EXPECT_TRUE(contains(resources, part)) << resources;
  }
  EXPECT_TRUE(contains(ingest, "mountPath: /etc/parley"))
      << "the config at /etc/parley/parley.yaml";
  EXPECT_TRUE(contains(ingest, "containerPort: 8080") && contains(ingest, "containerPort: 9464"));
}

TEST_P(DeployKustomize, EnrichRunsWithItsOwnConfigAutoscalerBudgetAndPolicy) {
  const auto& enrich = find("Deployment", "parley-enrich").text;
  EXPECT_EQ(yaml_list(enrich, "args"),
            (std::vector<std::string>{"--config", "/etc/parley/parley.yaml", "--role", "enrich"}));
  EXPECT_TRUE(yaml_values(enrich, "replicas").empty()) << "the HPA owns the replica count";
  for (const char* hardening :
       {"runAsNonRoot: true", "readOnlyRootFilesystem: true", "allowPrivilegeEscalation: false",
        "path: /readyz", "path: /healthz", "limits:", "requests:"}) {
    EXPECT_TRUE(contains(enrich, hardening)) << hardening;
  }
  const auto& config = find("ConfigMap", "parley-enrich-config");
  EXPECT_TRUE(contains(enrich, "name: " + config.name)) << "mounts its own configuration";
  EXPECT_TRUE(contains(config.text, "role: enrich"));
  // The platforms' REST credentials, and no webhook secret.
  const auto env = environment_of(enrich);
  for (const char* variable : {"PARLEY_JA_CLIENT_SECRET", "PARLEY_JA_API_KEY", "PARLEY_CAO_API_KEY",
                               "PARLEY_TALKJS_SECRET_KEY"}) {
    ASSERT_EQ(env.count(variable), 1u) << variable;
    EXPECT_TRUE(generated_from(env.at(variable).name, "parley-platform-api") ||
                env.at(variable).name == "parley-platform-api")
        << variable;
  }
  for (const auto& [variable, source] : env) {
    EXPECT_FALSE(generated_from(source.name, "parley-webhooks") || source.name == "parley-webhooks")
        << variable << ": the enrich pods hold no webhook secret";
  }

  const auto& hpa = find("HorizontalPodAutoscaler", "parley-enrich").text;
  EXPECT_TRUE(contains(hpa, "name: parley-enrich"));
  EXPECT_GE(integer_after(hpa, "minReplicas"), 2);
  EXPECT_TRUE(contains(hpa, "name: parley_consumer_lag") && contains(hpa, "name: cpu")) << hpa;
  EXPECT_EQ(integer_after(find("PodDisruptionBudget", "parley-enrich").text, "maxUnavailable"), 1);
  const auto& policy = find("NetworkPolicy", "parley-enrich").text;
  for (const char* rule : {"component: enrich", "port: 9464", "port: 53", "port: 9093", "port: 443",
                           "cidr: 0.0.0.0/0"}) {
    EXPECT_TRUE(contains(policy, rule)) << rule << "\n" << policy;
  }
  EXPECT_FALSE(contains(policy, "port: 8080")) << "nothing calls the enrich pods";
}

TEST_P(DeployKustomize, IngestPollsDirectlyWithItsOwnCredentials) {
  const auto& config = find("ConfigMap", "parley-config").text;
  EXPECT_TRUE(contains(config, "  directly:")) << config;
  EXPECT_TRUE(contains(config, "base_url: ${env:PARLEY_DIRECTLY_API_URL}")) << config;
  const auto env = environment_of(ingest().text);
  for (const auto& [variable, source] : env) {
    if (!generated_from(source.name, "parley-platform-api") && source.name != "parley-platform-api")
      continue;
    EXPECT_TRUE(variable.rfind("PARLEY_DIRECTLY_", 0) == 0)
        << variable << ": ingest holds only Directly's API credentials";
  }
  EXPECT_EQ(env.count("PARLEY_DIRECTLY_CLIENT_SECRET"), 1u);
}

TEST_P(DeployKustomize, EveryConfigVariableComesFromASecretOrTheEnvConfigMap) {
  for (const auto& [name, config_file] : kWorkloadConfigs) {
    const auto variables = config_variables(config_file.first);
    const auto& manifest = workload(name);
    const auto env = environment_of(manifest.text);
    for (const auto& variable : variables) {
      ASSERT_EQ(env.count(variable), 1u)
          << name << " does not set " << variable << ", which parley.yaml references";
      const auto& source = env.at(variable);
      if (kNonSecretVariables.count(variable) == 0) {
        EXPECT_EQ(source.from, "secretKeyRef") << name << ": " << variable << " is a credential";
        if (production()) {
          // Operator-created Secrets keep their names (no generator hash).
          EXPECT_EQ(kOperatorSecrets.count(source.name), 1u) << variable << " -> " << source.name;
        } else {
          const auto& secret = find("Secret", source.name);
          EXPECT_EQ(secret.name, source.name);
          EXPECT_TRUE(contains(yaml_block(secret.text, "data"), "  " + source.key + ": "))
              << "Secret " << source.name << " has no key " << source.key;
        }
      } else if (variable == "PARLEY_THREADS") {
        EXPECT_EQ(source.from, "resourceFieldRef");
        EXPECT_EQ(source.key, "limits.cpu");
      } else if (variable == "PARLEY_SPOOL_DIR") {
        // A path fixed by the manifest: "" (off) in dev; in production the mount path of the
        // spool volume, so an event Kafka cannot take is never lost with the answer (a
        // PersistentVolumeClaim in prod, an emptyDir in prod-stateless).
        EXPECT_EQ(source.from, "value") << name;
        if (production() && name == "parley-ingest") {
          EXPECT_EQ(source.value, kSpoolMount) << GetParam() << ": the spool is on in production";
          EXPECT_TRUE(contains(manifest.text, "mountPath: " + kSpoolMount)) << manifest.text;
        }
      } else {
        EXPECT_EQ(source.from, "configMapKeyRef") << variable;
        const auto& config_map = find("ConfigMap", "parley-env");
        EXPECT_EQ(config_map.name, source.name);
        EXPECT_TRUE(contains(yaml_block(config_map.text, "data"), "  " + source.key + ": "))
            << "ConfigMap parley-env has no key " << source.key;
      }
    }
  }
  if (production()) {
    for (const auto& manifest : manifests_) {
      EXPECT_NE(manifest.kind, "Secret") << "production Secrets are created by the operator, "
                                            "never rendered from the repository: "
                                         << manifest.name;
    }
  }
  const auto& config = find("ConfigMap", "parley-config");
  EXPECT_TRUE(contains(config.text, "parley.yaml: |"));
  EXPECT_TRUE(contains(config.text, "threads: ${env:PARLEY_THREADS}"));
}

// What each pod of `overlay` is given -- the rendered ConfigMap of its configuration and its
// environment, each variable resolved as the kubelet would (generated Secrets: their values;
// the operator's Secrets: stood in for) -- passes the real binary's --check-config. Returns
// how many workloads were checked.
int check_every_pods_configuration(const std::string& overlay,
                                   const std::vector<Manifest>& manifests) {
  const auto find = [&](const std::string& kind, const std::string& name) -> const Manifest* {
    for (const auto& manifest : manifests) {
      if (manifest.kind == kind && (manifest.name == name || generated_from(manifest.name, name)))
        return &manifest;
    }
    ADD_FAILURE() << "no " << kind << " " << name << " in " << overlay;
    return nullptr;
  };
  int checked = 0;
  for (const auto& workload : manifests) {
    if (workload.kind != "Deployment" && workload.kind != "StatefulSet") continue;
    const auto config_maps = yaml_values(yaml_block(workload.text, "configMap"), "name");
    EXPECT_EQ(config_maps.size(), 1u) << workload.name;
    const auto* config_map = config_maps.empty() ? nullptr : find("ConfigMap", config_maps[0]);
    if (config_map == nullptr) continue;
    const auto yaml = block_scalar(config_map->text, "parley.yaml");
    EXPECT_FALSE(yaml.empty()) << config_maps[0] << " has no parley.yaml";
    const auto dir = fs::temp_directory_path() / ("parley-deploy-" + overlay + "-" + workload.name +
                                                  "-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    const auto file = dir / "parley.yaml";
    std::ofstream(file) << yaml;

    std::string environment;
    for (const auto& [variable, source] : environment_of(workload.text)) {
      std::string value;
      if (source.from == "secretKeyRef") {
        value = fake_value(variable);
        if (!kOperatorSecrets.contains(source.name)) {  // generated: name-<hash>
          const auto* secret = find("Secret", source.name);
          const auto data = secret == nullptr
                                ? std::vector<std::string>{}
                                : yaml_values(yaml_block(secret->text, "data"), source.key);
          EXPECT_EQ(data.size(), 1u) << source.name << " " << source.key;
          if (!data.empty())
            value = run("printf %s " + shell_quote(data[0]) + " | base64 -d").output;
        }
      } else if (source.from == "configMapKeyRef") {
        const auto* env_map = find("ConfigMap", source.name);
        const auto data = env_map == nullptr
                              ? std::vector<std::string>{}
                              : yaml_values(yaml_block(env_map->text, "data"), source.key);
        EXPECT_EQ(data.size(), 1u) << source.name << " " << source.key;
        if (!data.empty()) value = data[0];
      } else if (source.from == "resourceFieldRef") {
        value = "1";
      } else {
        // A volume's mount path (the spool) is stood in for by a directory of the test's.
        value = source.value.empty() ? "" : (dir / "volume").string();
      }
      environment += variable + "=" + shell_quote(value) + " ";
    }
    const auto result = run("env -i " + environment + shell_quote(PARLEY_BINARY) +
                            " --check-config " + shell_quote(file.string()));
    EXPECT_EQ(result.exit_code, 0)
        << overlay << " " << workload.kind << " " << workload.name << ":\n"
        << result.output << "\n"
        << yaml;
    std::error_code ignored;
    fs::remove_all(dir, ignored);
    ++checked;
  }
  return checked;
}

TEST_P(DeployKustomize, EveryPodsConfigurationPassesCheckConfig) {
  EXPECT_EQ(check_every_pods_configuration(GetParam(), manifests_), 2)
      << "the ingest and the enrich workload";
}

TEST_P(DeployKustomize, ServiceAutoscalerBudgetNetworkPolicyAndServiceMonitorRender) {
  const auto& service = find("Service", "parley").text;
  EXPECT_TRUE(contains(service, "port: 8080") && contains(service, "port: 9464")) << service;

  const auto& hpa = find("HorizontalPodAutoscaler", "parley-ingest").text;
  EXPECT_TRUE(contains(hpa, "name: parley-ingest"));
  EXPECT_GE(integer_after(hpa, "minReplicas"), production() ? 3 : 1);
  EXPECT_TRUE(contains(hpa, "name: cpu")) << hpa;
  EXPECT_TRUE(contains(hpa, "name: parley_inflight_requests")) << hpa;

  const auto& budget = find("PodDisruptionBudget", "parley-ingest").text;
  EXPECT_EQ(integer_after(budget, "maxUnavailable"), 1);

  const auto& policy = find("NetworkPolicy", "parley").text;
  for (const char* rule : {"- Ingress", "- Egress", "port: 8080", "port: 9464",
                           "kubernetes.io/metadata.name: monitoring", "port: 53", "port: 9092",
                           "port: 9093", "port: 443"}) {
    EXPECT_TRUE(contains(policy, rule)) << rule << "\n" << policy;
  }

  const auto& monitor = find("ServiceMonitor", "parley").text;
  EXPECT_TRUE(contains(monitor, "port: admin") && contains(monitor, "path: /metrics")) << monitor;
  EXPECT_TRUE(contains(monitor, "targetLabel: role")) << "the alerts group by role";
}

// The overlay's `images:` entry (what the release pipeline edits: `kustomize edit set image
// parley=...`) reaches every container. An `images:` in the base would rename the image first
// and leave the overlay's entry matching nothing.
TEST_P(DeployKustomize, EveryContainerRunsTheImageTheOverlaySets) {
  const auto overlay =
      read_file(source_path("deploy/k8s/overlays/" + GetParam() + "/kustomization.yaml"));
  const auto value_of = [&](const char* key) {
    const auto values = yaml_values(overlay, key);
    EXPECT_LE(values.size(), 1u) << key;
    return values.empty() ? std::string{} : trim(values[0].substr(0, values[0].find(" #")));
  };
  const auto name = value_of("newName");
  const auto tag = value_of("newTag");
  const auto digest = value_of("digest");
  ASSERT_FALSE(name.empty()) << "the overlay sets newName";
  ASSERT_FALSE(tag.empty() && digest.empty()) << "the overlay sets newTag or digest";
  const auto expected = digest.empty() ? name + ":" + tag : name + "@" + digest;
  int containers = 0;
  for (const auto& manifest : manifests_) {
    for (const auto& image : yaml_values(manifest.text, "image")) {
      ++containers;
      EXPECT_EQ(image, expected) << manifest.kind << " " << manifest.name;
    }
  }
  EXPECT_EQ(containers, 2) << "the ingest and the enrich container";
}

INSTANTIATE_TEST_SUITE_P(Overlays, DeployKustomize,
                         ::testing::Values("dev", "prod", "prod-stateless"),
                         [](const ::testing::TestParamInfo<std::string>& overlay) {
                           std::string name = overlay.param;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

}  // namespace
}  // namespace parley::testing

namespace parley::testing {
namespace {

// The two production overlays: the spool on a PersistentVolume per pod (prod, the default) or
// on an emptyDir (prod-stateless).

/// `kubectl kustomize deploy/k8s/overlays/<overlay>`, rendered once per test binary.
const std::vector<Manifest>& rendered(const std::string& overlay) {
  static std::map<std::string, std::vector<Manifest>> cache;
  if (cache.count(overlay) == 0) {
    const auto result =
        run("kubectl kustomize " + shell_quote(source_path("deploy/k8s/overlays/" + overlay)));
    EXPECT_EQ(result.exit_code, 0) << overlay << ":\n" << result.output;
    cache[overlay] =
        result.exit_code == 0 ? split_manifests(result.output) : std::vector<Manifest>{};
  }
  return cache.at(overlay);
}

const Manifest* find_in(const std::vector<Manifest>& manifests, const std::string& kind,
                        const std::string& name) {
  for (const auto& manifest : manifests) {
    if (manifest.kind == kind && manifest.name == name) return &manifest;
  }
  return nullptr;
}

// overlays/prod: ingest as a StatefulSet whose volume is spool.dir, with the timing and
// retention the operations guide describes.
TEST(DeploySpoolOverlays, ProdRunsIngestAsAStatefulSetWithAVolumePerPodForTheSpool) {
  if (!have_program("kubectl")) GTEST_SKIP() << "kubectl (with kustomize) is not installed";
  const auto& manifests = rendered("prod");
  ASSERT_FALSE(manifests.empty());
  EXPECT_EQ(find_in(manifests, "Deployment", "parley-ingest"), nullptr)
      << "the ingest Deployment must be replaced";
  const auto* ingest = find_in(manifests, "StatefulSet", "parley-ingest");
  ASSERT_NE(ingest, nullptr);
  const auto& out = ingest->text;
  EXPECT_TRUE(contains(out, "volumeClaimTemplates:"));
  EXPECT_TRUE(contains(yaml_block(out, "volumeMounts"), "mountPath: " + kSpoolMount)) << out;
  EXPECT_EQ(environment_of(out)["PARLEY_SPOOL_DIR"].value, kSpoolMount);
  EXPECT_TRUE(contains(out, "whenScaled: Retain"));
  EXPECT_TRUE(contains(out, "terminationGracePeriodSeconds: 60"));
  EXPECT_TRUE(contains(out, "fsGroup: 10001")) << "the volume must be writable by parley";
  EXPECT_TRUE(std::regex_search(out, std::regex("name: parley-config-[a-z0-9]+")));
  EXPECT_TRUE(contains(out, "image: registry.example.com/parley"));
  for (const char* label :
       {"app.kubernetes.io/part-of: parley", "app.kubernetes.io/managed-by: kustomize"}) {
    EXPECT_TRUE(contains(yaml_block(yaml_block(out, "template"), "labels"), label))
        << label << ": the base's labels, on the pods too";
  }
  const auto* hpa = find_in(manifests, "HorizontalPodAutoscaler", "parley-ingest");
  ASSERT_NE(hpa, nullptr);
  EXPECT_TRUE(
      std::regex_search(hpa->text, std::regex("scaleTargetRef:\n.*\n    kind: StatefulSet")))
      << hpa->text;
  EXPECT_TRUE(contains(read_file(source_path("docs/operations.md")), "## Spool"));
}

// overlays/prod-stateless: the Deployment kept, spool.dir on an emptyDir, and a preStop hook
// that gives the spool time to reach Kafka before the pod (and the emptyDir) goes.
TEST(DeploySpoolOverlays, ProdStatelessSpoolsOnAnEmptyDirAndWaitsForItBeforeStopping) {
  if (!have_program("kubectl")) GTEST_SKIP() << "kubectl (with kustomize) is not installed";
  const auto& manifests = rendered("prod-stateless");
  ASSERT_FALSE(manifests.empty());
  EXPECT_EQ(find_in(manifests, "StatefulSet", "parley-ingest"), nullptr);
  for (const auto& manifest : manifests) {
    EXPECT_FALSE(contains(manifest.text, "volumeClaimTemplates:") ||
                 manifest.kind == "PersistentVolumeClaim")
        << manifest.kind << " " << manifest.name << ": no PersistentVolume in this variant";
  }
  const auto* ingest = find_in(manifests, "Deployment", "parley-ingest");
  ASSERT_NE(ingest, nullptr);
  const auto& out = ingest->text;
  EXPECT_EQ(environment_of(out)["PARLEY_SPOOL_DIR"].value, kSpoolMount);
  EXPECT_TRUE(std::regex_search(yaml_block(out, "volumeMounts"),
                                std::regex("- mountPath: " + kSpoolMount + "\n +name: spool\n")))
      << yaml_block(out, "volumeMounts");
  // An emptyDir on the node's disk (not tmpfs), larger than spool.max_bytes: past its
  // sizeLimit the pod is evicted, while at max_bytes parley answers 503 and keeps what it has.
  std::smatch size;
  const auto volumes = yaml_block(out, "volumes");
  ASSERT_TRUE(std::regex_search(
      volumes, size, std::regex("- emptyDir:\n +sizeLimit: ([0-9]+)Gi\n +name: spool\n")))
      << volumes;
  EXPECT_FALSE(contains(volumes, "medium: Memory"));
  const int configured_max =
      integer_after(read_file(source_path("deploy/k8s/base/parley.yaml")), "max_bytes");
  const long long max_bytes = configured_max > 0 ? configured_max : 1073741824LL;  // default
  EXPECT_GT(std::stoll(size[1]) << 30, max_bytes);
  EXPECT_TRUE(contains(yaml_block(yaml_block(out, "resources"), "requests"),
                       "ephemeral-storage: " + size[1].str() + "Gi"))
      << "the scheduler must reserve the emptyDir's room on the node";

  // The preStop hook waits while parley_spool_records is above 0, read from the admin port.
  const auto script = pre_stop_script(out);
  EXPECT_TRUE(contains(script, "sleep 5\n")) << "endpoints first, as in base:\n" << script;
  EXPECT_TRUE(contains(script, "/dev/tcp/127.0.0.1/9464")) << script;
  EXPECT_TRUE(contains(out, "containerPort: 9464"));
  EXPECT_TRUE(contains(script, "^parley_spool_records [1-9]")) << script;
  const int shutdown_ms =
      integer_after(read_file(source_path("deploy/k8s/base/parley.yaml")), "shutdown_timeout_ms");
  EXPECT_GT(pre_stop_seconds(out), 30) << "a useful wait for Kafka to come back";
  EXPECT_GT(integer_after(out, "terminationGracePeriodSeconds") * 1000,
            pre_stop_seconds(out) * 1000 + shutdown_ms);
  const auto* hpa = find_in(manifests, "HorizontalPodAutoscaler", "parley-ingest");
  ASSERT_NE(hpa, nullptr);
  EXPECT_TRUE(std::regex_search(hpa->text, std::regex("scaleTargetRef:\n.*\n    kind: Deployment")))
      << hpa->text;
}

// "Keep both in step": the production overlays render the same objects apart from the ingest
// workload (and its autoscaler's target kind), and the two ingest workloads run the same
// container the same way apart from the spool's volume, timing and hook.
TEST(DeploySpoolOverlays, ProductionOverlaysDifferOnlyInTheIngestWorkload) {
  if (!have_program("kubectl")) GTEST_SKIP() << "kubectl (with kustomize) is not installed";
  const auto& prod = rendered("prod");
  const auto& stateless = rendered("prod-stateless");
  ASSERT_FALSE(prod.empty());
  ASSERT_FALSE(stateless.empty());
  const auto others = [](const std::vector<Manifest>& manifests) {
    std::map<std::string, std::string> out;
    for (const auto& manifest : manifests) {
      if (manifest.name == "parley-ingest" &&
          (manifest.kind == "StatefulSet" || manifest.kind == "Deployment"))
        continue;
      std::string text = manifest.text;
      if (manifest.kind == "HorizontalPodAutoscaler") {
        text = std::regex_replace(text, std::regex("kind: StatefulSet"), "kind: Deployment");
      }
      out[manifest.kind + " " + manifest.name] = text;
    }
    return out;
  };
  const auto in_prod = others(prod);
  const auto in_stateless = others(stateless);
  for (const auto& [object, text] : in_prod) {
    const auto other = in_stateless.find(object);
    if (other == in_stateless.end()) {
      ADD_FAILURE() << object << " is in prod, not in prod-stateless";
    } else {
      EXPECT_EQ(text, other->second) << object << " differs between prod and prod-stateless";
    }
  }
  for (const auto& entry : in_stateless) {
    EXPECT_EQ(in_prod.count(entry.first), 1u)
        << entry.first << " is in prod-stateless, not in prod";
  }

  const auto* statefulset = find_in(prod, "StatefulSet", "parley-ingest");
  const auto* deployment = find_in(stateless, "Deployment", "parley-ingest");
  ASSERT_NE(statefulset, nullptr);
  ASSERT_NE(deployment, nullptr);
  const auto env_a = environment_of(statefulset->text);
  const auto env_b = environment_of(deployment->text);
  ASSERT_EQ(env_a.size(), env_b.size());
  for (const auto& [variable, a] : env_a) {
    ASSERT_EQ(env_b.count(variable), 1u) << variable;
    const auto& b = env_b.at(variable);
    EXPECT_TRUE(a.from == b.from && a.name == b.name && a.key == b.key && a.value == b.value)
        << variable << " comes from different places in the two ingest workloads";
  }
  for (const char* block : {"args", "ports", "readinessProbe", "livenessProbe", "limits",
                            "securityContext", "labels"}) {
    EXPECT_EQ(yaml_block(yaml_block(statefulset->text, "template"), block),
              yaml_block(yaml_block(deployment->text, "template"), block))
        << block << " differs between the ingest StatefulSet and Deployment";
  }
}

// The stateless variant's preStop hook, run against the real binary: it returns at once when
// the spool is empty, waits while the spool holds a record Kafka has not acknowledged (and
// returns once Kafka is back and the record forwarded), and gives up at its limit.
TEST(DeploySpoolOverlays, StatelessPreStopWaitsWhileTheSpoolHoldsRecordsAndNoLonger) {
  if (!have_program("kubectl")) GTEST_SKIP() << "kubectl (with kustomize) is not installed";
  if (!have_program("bash") || !have_program("timeout")) GTEST_SKIP() << "no bash or timeout";
  const auto& manifests = rendered("prod-stateless");
  const auto* ingest = find_in(manifests, "Deployment", "parley-ingest");
  ASSERT_NE(ingest, nullptr);
  const auto script = pre_stop_script(ingest->text);
  ASSERT_TRUE(contains(script, "sleep 5\n") && contains(script, "127.0.0.1/9464") &&
              std::regex_search(script, std::regex(R"(\blimit=[0-9]+\n)")))
      << script;

  auto started =
      kafka::EmbeddedBroker::start(1,
                                   {"parley.events.v1", "parley.enriched.v1",
                                    "parley.deadletter.v1", "parley.directly.watches.v1"},
                                   3);
  ASSERT_TRUE(started) << started.error();
  auto broker = std::move(started).value();
  const auto dir =
      fs::temp_directory_path() / ("parley-deploy-prestop-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  struct RemoveAtExit {
    fs::path dir;
    ~RemoveAtExit() {
      std::error_code ignored;
      fs::remove_all(dir, ignored);
    }
  } remove_at_exit{dir};
  ParleyProcess parley(test_config(broker->bootstrap_servers(),
                                   "spool: {dir: \"" + (dir / "spool").string() + "\"}\n"));
  ASSERT_TRUE(parley.wait_for_log("kafka reachable", 20s));

  // The hook as the pod runs it, but against this process's admin port, without the 5 s for
  // the endpoints and with `limit` seconds.
  const auto hook = [&](int limit) {
    std::string text = std::regex_replace(script, std::regex("127\\.0\\.0\\.1/9464"),
                                          "127.0.0.1/" + std::to_string(parley.admin_port()));
    text = std::regex_replace(text, std::regex("sleep 5\n"), "sleep 0\n");
    text = std::regex_replace(text, std::regex(R"(\blimit=[0-9]+\n)"),
                              "limit=" + std::to_string(limit) + "\n");
    const auto file = dir / ("prestop-" + std::to_string(limit) + ".sh");
    std::ofstream(file) << text;
    const auto start = std::chrono::steady_clock::now();
    const auto result = run("bash " + shell_quote(file.string()));
    return std::make_pair(
        result, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  };
  const auto spool_records = [&] {
    const auto scrape = HttpClient(parley.admin_port()).get("/metrics").body;
    std::smatch value;
    return std::regex_search(scrape, value, std::regex("\nparley_spool_records ([0-9.e+]+)\n"))
               ? std::stod(value[1])
               : -1.0;
  };
  const auto spool_one = [&](const std::string& id) {
    HttpClient client(parley.port());
    const auto answer =
        client.post("/v1/webhooks/justanswer",
                    R"({"eventType":"1","questionId":")" + id + R"(","userToken":"u1"})",
                    {{"X-Parley-Token", "test-token"}});
    EXPECT_EQ(answer.status, 200u) << answer.body;
  };

  // Nothing spooled: the hook ends at once.
  ASSERT_EQ(spool_records(), 0.0);
  const auto [empty, empty_seconds] = hook(60);
  EXPECT_EQ(empty.exit_code, 0) << empty.output;
  EXPECT_LT(empty_seconds, 5.0);

  // Kafka away, one event spooled: the hook waits, and ends once Kafka is back and the spool
  // forwarded it, long before its limit.
  broker->set_broker_up(1, false);
  ASSERT_TRUE(parley.wait_for_log("kafka unreachable", 20s));
  spool_one("prestop-1");
  ASSERT_GT(spool_records(), 0.0);
  auto waiting = std::async(std::launch::async, [&] { return hook(120); });
  EXPECT_EQ(waiting.wait_for(5s), std::future_status::timeout)
      << "the hook returned while the spool held a record";
  broker->set_broker_up(1, true);
  const auto [drained, drained_seconds] = waiting.get();
  EXPECT_EQ(drained.exit_code, 0) << drained.output;
  EXPECT_GE(drained_seconds, 5.0);
  EXPECT_LT(drained_seconds, 60.0) << "ended by the spool emptying, not by its limit";
  EXPECT_EQ(spool_records(), 0.0);

  // Kafka away for longer than the limit: the hook gives up at it (SIGTERM's drain follows).
  broker->set_broker_up(1, false);
  ASSERT_TRUE(parley.wait_for_log("kafka unreachable", 20s, 2));
  spool_one("prestop-2");
  ASSERT_GT(spool_records(), 0.0);
  const auto [bounded, bounded_seconds] = hook(4);
  EXPECT_EQ(bounded.exit_code, 0) << bounded.output;
  EXPECT_GE(bounded_seconds, 3.0);
  EXPECT_LT(bounded_seconds, 4.0 + 4.0 + 1.0) << "limit + the last check's fetch and sleep";
  broker->set_broker_up(1, true);
}

}  // namespace
}  // namespace parley::testing
