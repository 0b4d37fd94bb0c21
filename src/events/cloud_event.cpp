#include "parley/events/cloud_event.hpp"

#include "parley/common/json_writer.hpp"

namespace parley::events {
namespace {

void append_member(std::string& out, std::string_view name, std::string_view value) {
  json::append_string(out, name);
  out.push_back(':');
  json::append_string(out, value);
}

void append_conversation(std::string& out, const Conversation& conversation) {
  out += "{";
  append_member(out, "id", conversation.id);
  if (!conversation.customer_id.empty()) {
    out.push_back(',');
    append_member(out, "customerId", conversation.customer_id);
  }
  out += "}";
}

void append_data(std::string& out, const EventData& data) {
  out += "{";
  append_member(out, "platform", data.platform);
  out.push_back(',');
  append_member(out, "platformEvent", data.platform_event);
  out += ",\"conversation\":";
  append_conversation(out, data.conversation);
  if (!data.raw_json.empty()) {
    out += ",\"raw\":";
    out += data.raw_json;  // already validated, compact JSON
  }
  out += "}";
}

}  // namespace

std::string to_json(const CloudEvent& event) {
  std::string out;
  out.reserve(256 + event.data.raw_json.size());
  out += "{\"specversion\":\"1.0\",";
  append_member(out, "id", event.id);
  out.push_back(',');
  append_member(out, "source", event.source);
  out.push_back(',');
  append_member(out, "type", event.type);
  out.push_back(',');
  append_member(out, "subject", event.subject);
  out.push_back(',');
  append_member(out, "time", event.time);
  out.push_back(',');
  append_member(out, "partitionkey", event.partition_key);
  out += ",\"datacontenttype\":\"application/json\",\"data\":";
  append_data(out, event.data);
  out += "}";
  return out;
}

EncodedEvent encode(const CloudEvent& event) {
  return EncodedEvent{
      .key = event.partition_key,
      .value = to_json(event),
      .headers = {{"content-type", "application/cloudevents+json; charset=utf-8"},
                  {"ce_specversion", "1.0"},
                  {"ce_id", event.id},
                  {"ce_type", event.type},
                  {"ce_source", event.source},
                  {"ce_subject", event.subject},
                  {"ce_time", event.time}},
  };
}

}  // namespace parley::events
