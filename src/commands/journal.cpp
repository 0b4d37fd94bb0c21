#include "parley/commands/journal.hpp"

#include <simdjson.h>

#include <utility>

#include "parley/common/json_writer.hpp"
#include "parley/common/time.hpp"
#include "parley/log/log.hpp"
#include "parley/sources/json.hpp"

namespace parley::commands {

namespace {

constexpr std::chrono::milliseconds kRecordRetry{1000};

}  // namespace

std::string identity_of(std::string_view caller, std::string_view id) {
  std::string key = "[";
  json::append_string(key, caller);
  key.push_back(',');
  json::append_string(key, id);
  key.push_back(']');
  return key;
}

std::string encode(const JournalEntry& entry) {
  std::string out;
  {
    json::ObjectWriter w(out);
    w.string("state", entry.state == JournalEntry::State::done ? "done" : "calling");
    w.key("calls") += std::to_string(entry.calls);
    w.string("since", format_rfc3339(entry.since));
    w.string("resultKey", entry.result_key);
    w.string("result", entry.result);
  }
  return out;
}

Result<JournalEntry, std::string> decode(std::string_view value) {
  auto object = sources::parse_object(std::string(value));
  if (!object) return object.error().message;
  const sources::FieldReader fields(object.value());
  JournalEntry entry;
  auto state = fields.required_string("state");
  auto calls = fields.optional_integer("calls");
  auto since = sources::string_or_empty(fields, "since");
  auto key = sources::string_or_empty(fields, "resultKey");
  auto result = sources::string_or_empty(fields, "result", SIZE_MAX);
  if (!state) return state.error().message;
  if (!calls) return calls.error().message;
  if (!since) return since.error().message;
  if (!key) return key.error().message;
  if (!result) return result.error().message;
  if (state.value() == "done") {
    entry.state = JournalEntry::State::done;
  } else if (state.value() != "calling") {
    return std::string("field state: must be \"calling\" or \"done\"");
  }
  entry.calls = static_cast<unsigned>(calls.value().value_or(0));
  if (!since.value().empty()) {
    auto parsed = parse_rfc3339(since.value());
    if (!parsed) return std::string("field since: not an RFC 3339 date-time");
    entry.since = *parsed;
  }
  entry.result_key = key.value();
  entry.result = result.value();
  if (entry.state == JournalEntry::State::done && entry.result.empty()) {
    return std::string("field result: is required when state is done");
  }
  return entry;
}

Journal::Journal(kafka::Producer& producer, std::string topic,
                 std::chrono::milliseconds ack_timeout, std::size_t max_entries)
    : producer_(producer),
      topic_(std::move(topic)),
      ack_timeout_(ack_timeout),
      max_entries_(max_entries) {}

std::optional<JournalEntry> Journal::find(const std::string& identity) const {
  std::lock_guard lock(mutex_);
  const auto found = entries_.find(identity);
  if (found == entries_.end()) return std::nullopt;
  return found->second;
}

Result<std::size_t, std::string> Journal::load(const kafka::ScanOptions& options) {
  std::size_t loaded = 0;
  auto scanned = kafka::scan_topic(options, [&](const kafka::ConsumedRecord& record) {
    if (record.tombstone) return;
    auto entry = decode(record.value);
    if (!entry) {
      log::warn(
          "unreadable command journal record skipped",
          {{"partition", record.partition}, {"offset", record.offset}, {"error", entry.error()}});
      return;
    }
    remember(record.key, std::move(entry).value(), /*scanned=*/true);
    ++loaded;
  });
  if (!scanned) return scanned.error();
  return loaded;
}

boost::asio::awaitable<bool> Journal::record(std::string identity, JournalEntry entry,
                                             std::function<bool()> keep_trying) {
  const kafka::Record record{.topic = topic_, .key = identity, .value = encode(entry)};
  const kafka::RetryPolicy policy{.ack_timeout = ack_timeout_,
                                  .retry_every = kRecordRetry,
                                  .keep_trying = std::move(keep_trying),
                                  .what = "a command journal entry"};
  const auto published = co_await kafka::publish_until_acknowledged(producer_, record, policy);
  if (published != kafka::Publication::acknowledged) co_return false;
  remember(identity, std::move(entry), /*scanned=*/false);
  co_return true;
}

std::size_t Journal::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

void Journal::remember(const std::string& identity, JournalEntry entry, bool scanned) {
  std::lock_guard lock(mutex_);
  const auto known = entries_.find(identity);
  if (known != entries_.end()) {
    // A scan reads what was written before; what this replica recorded since is newer.
    const auto& held = known->second;
    if (scanned && (held.state == JournalEntry::State::done || held.calls >= entry.calls)) return;
    known->second = std::move(entry);
    return;
  }
  entries_.emplace(identity, std::move(entry));
  order_.push_back(identity);
  // Over the bound, the oldest results go first: an intent without a result is what makes a
  // later owner read back instead of calling again, so it is kept while any result can go.
  for (std::size_t looked = 0; order_.size() > max_entries_; ++looked) {
    auto oldest = entries_.find(order_.front());
    if (oldest->second.state == JournalEntry::State::calling && looked < order_.size()) {
      order_.push_back(order_.front());
      order_.pop_front();
      continue;
    }
    entries_.erase(oldest);
    order_.pop_front();
  }
}

}  // namespace parley::commands
