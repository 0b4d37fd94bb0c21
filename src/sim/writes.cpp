#include "writes.hpp"

#include <algorithm>
#include <array>

#include "json_out.hpp"

namespace parley::sim {
namespace {

struct RouteOf {
  Platform platform;
  std::string_view route;
};

constexpr std::array<RouteOf, 12> kWriteRoutes = {{
    {Platform::justanswer, write_route::kJaQuestionPost},
    {Platform::justanswer, write_route::kJaMessagePost},
    {Platform::justanswer, write_route::kJaMessageAccept},
    {Platform::justanswer, write_route::kJaMessageFeedback},
    {Platform::justanswer, write_route::kJaMessageView},
    {Platform::cao, write_route::kCaoStart},
    {Platform::cao, write_route::kCaoSendMessage},
    {Platform::talkjs, write_route::kTalkJsConversationPut},
    {Platform::talkjs, write_route::kTalkJsMessagePost},
    {Platform::talkjs, write_route::kTalkJsUserPut},
    {Platform::directly, write_route::kDirectlyQuestionPost},
    {Platform::directly, write_route::kDirectlyResponseAccept},
}};

constexpr std::array<std::pair<std::string_view, WriteFaultMode>, 7> kModes = {{
    {"refuse", WriteFaultMode::refuse},
    {"commit_then_500", WriteFaultMode::commit_then_500},
    {"commit_then_drop", WriteFaultMode::commit_then_drop},
    {"commit_then_late", WriteFaultMode::commit_then_late},
    {"failure_body", WriteFaultMode::failure_body},
    {"throttle", WriteFaultMode::throttle},
    {"unauthorized", WriteFaultMode::unauthorized},
}};

void append_record(std::string& out, const WriteRecord& record) {
  json::ObjectWriter object(out);
  put_string(object, "platform", platform_name(record.platform));
  put_string(object, "route", record.route);
  put_string(object, "method", record.method);
  put_string(object, "path", record.path);
  put_string(object, "authorization", record.authorization);
  {
    json::ObjectWriter headers(object.key("headers"));
    for (const auto& [name, value] : record.headers)
      put_string(headers, name, value);
  }
  put_string(object, "body", record.body);
  put_bool(object, "committed", record.committed);
  put_int(object, "status", record.status);
}

}  // namespace

bool is_write_route(Platform platform, std::string_view route) {
  return std::ranges::any_of(kWriteRoutes, [&](const RouteOf& known) {
    return known.platform == platform && known.route == route;
  });
}

std::optional<WriteFaultMode> write_fault_mode(std::string_view name) {
  for (const auto& [known, mode] : kModes) {
    if (known == name) return mode;
  }
  return std::nullopt;
}

bool commits(WriteFaultMode mode) {
  return mode == WriteFaultMode::commit_then_500 || mode == WriteFaultMode::commit_then_drop ||
         mode == WriteFaultMode::commit_then_late;
}

std::uint64_t Writes::begin(WriteRecord record) {
  std::lock_guard lock(mutex_);
  const auto id = next_id_++;
  records_.emplace_back(id, std::move(record));
  return id;
}

void Writes::set_committed(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  if (auto* record = find_locked(id)) record->committed = true;
}

void Writes::set_status(std::uint64_t id, unsigned status) {
  std::lock_guard lock(mutex_);
  if (auto* record = find_locked(id)) record->status = status;
}

std::string Writes::json(std::optional<Platform> platform,
                         std::optional<std::string_view> route) const {
  std::lock_guard lock(mutex_);
  std::string body;
  {
    json::ObjectWriter object(body);
    auto& list = object.key("writes");
    list += '[';
    bool first = true;
    for (const auto& [id, record] : records_) {
      if (platform && record.platform != *platform) continue;
      if (route && record.route != *route) continue;
      if (!first) list += ',';
      first = false;
      append_record(list, record);
    }
    list += ']';
  }
  return body;
}

void Writes::set_fault(Platform platform, std::string route, WriteFault fault) {
  std::lock_guard lock(mutex_);
  faults_.insert_or_assign({platform, std::move(route)}, fault);
}

void Writes::clear_faults(std::optional<Platform> platform, std::optional<std::string_view> route) {
  std::lock_guard lock(mutex_);
  std::erase_if(faults_, [&](const auto& entry) {
    return (!platform || entry.first.first == *platform) &&
           (!route || entry.first.second == *route);
  });
}

std::optional<WriteFault> Writes::take_fault(Platform platform, std::string_view route) {
  std::lock_guard lock(mutex_);
  const auto found = faults_.find({platform, std::string(route)});
  if (found == faults_.end()) return std::nullopt;
  const auto fault = found->second;
  if (found->second.remaining > 0 && --found->second.remaining == 0) faults_.erase(found);
  return fault;
}

void Writes::reset() {
  std::lock_guard lock(mutex_);
  records_.clear();
  faults_.clear();
}

WriteRecord* Writes::find_locked(std::uint64_t id) {
  // Ids are increasing along records_: a binary search, even after reset().
  const auto found =
      std::ranges::lower_bound(records_, id, {}, &decltype(records_)::value_type::first);
  return found != records_.end() && found->first == id ? &found->second : nullptr;
}

}  // namespace parley::sim
