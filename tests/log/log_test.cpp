#include "parley/log/log.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "parley/common/utf8.hpp"

namespace parley::log {
namespace {

// What `write` puts on stderr (fd 2), captured through a temporary file.
template <class Write>
std::string captured(Write write) {
  std::fflush(stderr);
  FILE* file = std::tmpfile();
  if (file == nullptr) return {};
  const int saved = ::dup(STDERR_FILENO);
  ::dup2(::fileno(file), STDERR_FILENO);
  write();
  ::dup2(saved, STDERR_FILENO);
  ::close(saved);
  std::rewind(file);
  std::string out;
  char buffer[4096];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, file)) > 0)
    out.append(buffer, n);
  std::fclose(file);
  return out;
}

TEST(Log, IllFormedUtf8InMessageAndFieldsBecomesReplacementCharacters) {
  const std::string line = captured([] {
    error("bad \xff message", {{"path", "/v1/\xc0\xaf\xed\xa0\x80"}, {"ok", "caf\xc3\xa9"}});
  });
  ASSERT_FALSE(line.empty());
  EXPECT_TRUE(is_valid_utf8(line)) << line;
  EXPECT_NE(line.find("bad \xef\xbf\xbd message"), std::string::npos) << line;
  EXPECT_NE(line.find(R"("path":"/v1/)"
                      "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
                      R"(")"),
            std::string::npos)
      << line;
  EXPECT_NE(line.find("\"caf\xc3\xa9\""), std::string::npos) << line;  // valid text unchanged
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  EXPECT_EQ(parser.parse(line).get(root), simdjson::SUCCESS) << line;
}

TEST(Log, ControlCharactersCannotForgeALineOrReverseText) {
  const std::string line = captured([] {
    error("refused", {{"questionId", "12345\r\n{\"level\":\"info\"}\x1b[2J\xe2\x80\xae"}});
  });
  EXPECT_EQ(line.find('\n'), line.size() - 1) << line;  // one line, ended once
  EXPECT_EQ(line.find('\r'), std::string::npos);
  EXPECT_EQ(line.find('\x1b'), std::string::npos);
  EXPECT_EQ(line.find("\xe2\x80\xae"), std::string::npos);
  EXPECT_NE(line.find(R"(12345\r\n{\"level\":\"info\"}\u001b[2J\u202e)"), std::string::npos)
      << line;
}

}  // namespace
}  // namespace parley::log
