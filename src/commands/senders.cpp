#include "parley/commands/senders.hpp"

namespace parley::commands {

std::optional<Refusal> check_sendable(Command& command, const Senders& senders, bool needs_sender) {
  const auto found = senders.by_source.find(command.data.source);
  if (found == senders.by_source.end()) {
    return Refusal{"invalid", {"data.source", "no source of that name is configured"}};
  }
  const auto& entry = found->second;
  command.platform = entry.platform;
  if (entry.rules.supports == nullptr || !entry.rules.supports(command.type)) {
    return Refusal{"unsupported",
                   {"type", command.platform + " has no " + std::string(type_name(command.type)) +
                                " command"}};
  }
  if (entry.rules.check != nullptr) {
    if (auto problem = entry.rules.check(command)) return Refusal{"invalid", std::move(*problem)};
  }
  if (needs_sender && entry.sender == nullptr) {
    return Refusal{"invalid",
                   {"data.source", "source " + found->first +
                                       " has no api section configured, so parley "
                                       "cannot send through it"}};
  }
  return std::nullopt;
}

}  // namespace parley::commands
