#include "parley/commands/result.hpp"

#include <algorithm>

#include "parley/common/json_writer.hpp"
#include "parley/common/time.hpp"
#include "parley/events/cloud_event.hpp"
#include "parley/sources/json.hpp"

namespace parley::commands {

namespace {

void write_ids(std::string& out, const PlatformIds& ids) {
  json::ObjectWriter w(out);
  for (const auto& [name, value] : ids)
    json::append_string(w.key(name), value);
}

void write_error(std::string& out, const Outcome& outcome) {
  json::ObjectWriter w(out);
  w.string("kind", outcome.error_kind);
  if (outcome.status != 0) w.key("status") += std::to_string(outcome.status);
  w.string("message", outcome.message);
}

void write_event(std::string& out, const About& about, const Outcome& outcome,
                 const std::string& type, const std::string& time) {
  json::ObjectWriter event(out);
  event.string("specversion", "1.0");
  event.string("id", about.id + ":result");
  event.string("source", about.source.empty() ? "/parley" : "/parley/" + about.source);
  event.string("type", type);
  event.string("subject", about.subject);
  event.string("time", time);
  event.string("partitionkey", about.key);
  event.string("datacontenttype", "application/json");
  event.string("dataschema", std::string(events::kSchemaBase) + "results/" + type + ".v1.json");
  json::ObjectWriter data(event.key("data"));
  {
    json::ObjectWriter command(data.key("command"));
    command.string("id", about.id);
    command.string("type", about.type);
    command.string("source", about.caller);
  }
  data.string("source", about.source);
  data.string("platform", about.platform);
  data.key("attempts") += std::to_string(outcome.attempts);
  data.key("reconciled") += outcome.reconciled ? "true" : "false";
  write_ids(data.key("platformIds"), outcome.ids);
  if (outcome.kind != Outcome::Kind::succeeded) write_error(data.key("error"), outcome);
  data.string("checked", outcome.checked);
}

std::string result_json(const About& about, const Outcome& outcome, const std::string& type,
                        const std::string& time) {
  std::string out;
  write_event(out, about, outcome, type, time);
  return out;
}

}  // namespace

std::string_view outcome_name(Outcome::Kind kind) {
  switch (kind) {
    case Outcome::Kind::succeeded:
      return "succeeded";
    case Outcome::Kind::failed:
      return "failed";
    case Outcome::Kind::unknown:
      return "unknown";
  }
  return "unknown";
}

About about(const Command& command) {
  return About{.id = command.id,
               .type = std::string(kTypePrefix) + std::string(type_name(command.type)),
               .caller = command.caller,
               .source = command.data.source,
               .platform = command.platform,
               .subject = command.subject,
               .key = command.key};
}

About about_invalid(std::string_view json, std::string key, std::string fallback_id) {
  About about{.id = std::move(fallback_id), .key = std::move(key)};
  auto object = sources::parse_object(std::string(json));
  if (!object) return about;
  const sources::FieldReader event(object.value());
  const auto usable = [](const sources::FieldReader& fields, std::string_view name) {
    auto value = sources::key_or_empty(fields, name);
    return value ? value.value() : std::string();
  };
  if (auto id = usable(event, "id");
      !id.empty() && id.size() <= 200 &&
      std::ranges::all_of(id, [](char c) { return c >= 0x20 && c < 0x7f; })) {
    about.id = std::move(id);
  }
  about.type = usable(event, "type");
  about.caller = usable(event, "source");
  about.subject = usable(event, "subject");
  if (auto data = event.optional_object("data"); data && data.value()) {
    about.source = usable(*data.value(), "source");
  }
  return about;
}

kafka::Record result_record(const std::string& topic, const About& about, const Outcome& outcome,
                            std::chrono::system_clock::time_point now) {
  const std::string type = "parley.command." + std::string(outcome_name(outcome.kind));
  return result_record(topic, about.key, result_json(about, outcome, type, format_rfc3339(now)));
}

kafka::Record result_record(const std::string& topic, std::string key, std::string value) {
  kafka::Record record{.topic = topic, .key = std::move(key), .value = std::move(value)};
  record.headers = {{"content-type", "application/cloudevents+json; charset=utf-8"},
                    {"ce_specversion", "1.0"}};
  auto object = sources::parse_object(record.value);
  if (!object)
    return record;  // parley wrote it: never, but a record without headers is still whole
  const sources::FieldReader event(object.value());
  for (const auto& [member, header] :
       {std::pair{"id", "ce_id"}, std::pair{"type", "ce_type"}, std::pair{"source", "ce_source"},
        std::pair{"subject", "ce_subject"}, std::pair{"time", "ce_time"}}) {
    auto text = sources::string_or_empty(event, member);
    if (text && !text.value().empty()) record.headers.emplace_back(header, text.value());
  }
  return record;
}

}  // namespace parley::commands
