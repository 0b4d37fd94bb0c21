#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "parley/commands/command.hpp"
#include "parley/commands/platform_sender.hpp"

namespace parley::commands {

/// What a platform accepts as commands, known without credentials: the platform table's
/// entry for it (pure functions; null `supports` = the platform has no command at all).
struct CommandRules {
  bool (*supports)(CommandType type) = nullptr;
  /// The first field a call of `command` needs and lacks (PlatformSender::check).
  std::optional<FieldProblem> (*check)(const Command& command) = nullptr;
};

/// Every configured source that can be named in data.source: its platform, what the platform
/// accepts, and its send client (null when its api section is empty, or where parley only
/// checks commands: the HTTP door). Built by the app from the platform table. Not
/// thread-safe beyond const reads (see PlatformSender).
struct Senders {
  struct Entry {
    std::string platform;
    CommandRules rules;
    std::unique_ptr<PlatformSender> sender;
  };
  std::map<std::string, Entry, std::less<>> by_source;
};

/// Why a command cannot be performed at all: kind "invalid" (a field) or "unsupported" (the
/// platform lacks the command), and the field that says so.
struct Refusal {
  std::string kind;
  FieldProblem problem;
};

/// Checks what parse_command could not: that data.source names a configured source, that its
/// platform has the command, the platform's own fields (CommandRules::check), and, with
/// `needs_sender` (the executor, which performs it), that the source can send. Fills
/// command.platform when the source is known. Pure.
std::optional<Refusal> check_sendable(Command& command, const Senders& senders, bool needs_sender);

}  // namespace parley::commands
