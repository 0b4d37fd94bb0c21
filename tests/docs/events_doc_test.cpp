// docs/events.md documents every event type the code can emit, with an example that
// parses; the sources emit no type outside the registry.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "parley/events/cloud_event.hpp"

namespace parley::events {
namespace {

std::string read(const std::filesystem::path& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

const std::string& events_md() {
  static const std::string text = read(std::filesystem::path(PARLEY_SOURCE_DIR) / "docs/events.md");
  return text;
}

/// The first ```json block after the heading of `type`, or empty.
std::string example_of(std::string_view type) {
  const auto heading = events_md().find("### `" + std::string(type) + "`");
  if (heading == std::string::npos) return {};
  const auto next_heading = events_md().find("\n### ", heading + 1);
  const auto start = events_md().find("```json\n", heading);
  if (start == std::string::npos || start > next_heading) return {};
  const auto end = events_md().find("```", start + 8);
  return events_md().substr(start + 8, end - start - 8);
}

TEST(EventsDoc, EveryTypeHasASectionWithAnExampleThatParses) {
  for (const auto type : type::kAll) {
    SCOPED_TRACE(std::string(type));
    const std::string example = example_of(type);
    ASSERT_FALSE(example.empty()) << "docs/events.md has no '### `" << type
                                  << "`' with a json example";
    simdjson::dom::parser parser;
    simdjson::dom::element event;
    ASSERT_EQ(parser.parse(example).get(event), simdjson::SUCCESS) << example;
    EXPECT_EQ(std::string_view(event["type"]), type);
    EXPECT_EQ(std::string_view(event["specversion"]), "1.0");
    for (const char* attribute : {"id", "source", "subject", "time", "partitionkey"}) {
      std::string_view value;
      EXPECT_EQ(event[attribute].get(value), simdjson::SUCCESS) << attribute;
      EXPECT_FALSE(value.empty()) << attribute;
    }
    std::string_view platform;
    EXPECT_EQ(event["data"]["platform"].get(platform), simdjson::SUCCESS);
  }
}

TEST(EventsDoc, DocumentsNoTypeTheCodeDoesNotKnow) {
  const std::set<std::string_view> known(type::kAll.begin(), type::kAll.end());
  const std::regex heading("### `(parley\\.[a-z_.]+)`");
  const auto& text = events_md();
  std::size_t headings = 0;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), heading);
       it != std::sregex_iterator(); ++it) {
    ++headings;
    EXPECT_TRUE(known.contains((*it)[1].str())) << (*it)[1].str();
  }
  // Every known type has its heading (the test above): fewer matches means the pattern no
  // longer finds the headings, and the loop above checked nothing.
  EXPECT_GE(headings, type::kAll.size());
}

/// The kinds of the id table under "Ids and duplicates" (`| \`kind\` | id | types |`) by
/// event type; "(none)" for parley-minted UUIDs.
std::map<std::string, std::set<std::string>> id_kinds_by_type() {
  const auto& text = events_md();
  const auto section = text.find("## Ids and duplicates");
  const auto table = text.find("| kind | id | types |", section);
  std::map<std::string, std::set<std::string>> kinds;
  if (section == std::string::npos || table == std::string::npos) return kinds;
  std::istringstream lines(text.substr(table));
  std::string line;
  std::getline(lines, line);  // header
  std::getline(lines, line);  // |---|
  const std::regex row(R"(^\s*\| (`([a-z]+)`|\(none\)) \|[^|]*\|(.*)\|\s*$)");
  const std::regex type("`(parley\\.[a-z_.]+)`");
  while (std::getline(lines, line)) {
    std::smatch match;
    if (!std::regex_match(line, match, row)) break;
    const std::string kind = match[2].matched ? match[2].str() : "(none)";
    const std::string types = match[3].str();
    for (auto it = std::sregex_iterator(types.begin(), types.end(), type);
         it != std::sregex_iterator(); ++it) {
      kinds[(*it)[1].str()].insert(kind);
    }
  }
  return kinds;
}

TEST(EventsDoc, EveryTypeHasItsIdInTheIdTable) {
  const auto kinds = id_kinds_by_type();
  ASSERT_FALSE(kinds.empty()) << "docs/events.md: no id table under 'Ids and duplicates'";
  for (const auto type : type::kAll) {
    EXPECT_TRUE(kinds.contains(std::string(type))) << type << " has no row in the id table";
  }
  for (const auto& [type, _] : kinds) {
    EXPECT_NE(std::find(type::kAll.begin(), type::kAll.end(), type), type::kAll.end()) << type;
  }
}

TEST(EventsDoc, EveryExampleIdHasTheDocumentedShape) {
  const auto kinds = id_kinds_by_type();
  const std::regex uuid("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  for (const auto type : type::kAll) {
    SCOPED_TRACE(std::string(type));
    const std::string example = example_of(type);
    simdjson::dom::parser parser;
    simdjson::dom::element event;
    ASSERT_EQ(parser.parse(example).get(event), simdjson::SUCCESS);
    const std::string id{std::string_view(event["id"])};
    const std::string source{std::string_view(event["data"]["source"])};
    const auto found = kinds.find(std::string(type));
    ASSERT_NE(found, kinds.end());
    bool matches = false;
    for (const auto& kind : found->second) {
      matches |= kind == "(none)" ? std::regex_match(id, uuid)
                                  : id.rfind(source + ":" + kind + ":", 0) == 0;
    }
    EXPECT_TRUE(matches) << id;
  }
}

TEST(EventsDoc, SourcesEmitOnlyRegisteredTypes) {
  const std::set<std::string_view> known(type::kAll.begin(), type::kAll.end());
  const std::regex literal(
      "\"(parley\\.(message|conversation|user|notification|platform)[a-z_.]*)\"");
  int files = 0;
  std::set<std::string> found;
  // Headers too: the registry itself (cloud_event.hpp) spells every type, so the scan must
  // find at least those -- a pattern that matches nothing would check nothing.
  for (const char* folder : {"src", "include"}) {
    const auto root = std::filesystem::path(PARLEY_SOURCE_DIR) / folder;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
      if (entry.path().extension() != ".cpp" && entry.path().extension() != ".hpp") continue;
      ++files;
      const auto text = read(entry.path());
      for (auto it = std::sregex_iterator(text.begin(), text.end(), literal);
           it != std::sregex_iterator(); ++it) {
        found.insert((*it)[1].str());
        EXPECT_TRUE(known.contains((*it)[1].str())) << entry.path() << ": " << (*it)[1].str();
      }
    }
  }
  EXPECT_GT(files, 10);
  EXPECT_EQ(found, std::set<std::string>(type::kAll.begin(), type::kAll.end()));
}

}  // namespace
}  // namespace parley::events
