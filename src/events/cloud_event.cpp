#include "parley/events/cloud_event.hpp"

#include "parley/common/json_writer.hpp"

namespace parley::events {
namespace {

using json::ObjectWriter;

void append_author(std::string& out, const Author& author) {
  ObjectWriter w(out);
  w.string("role", author.role);
  w.string("id", author.id);
  w.string("name", author.name);
  w.string("avatarUrl", author.avatar_url);
}

}  // namespace

void append_message(std::string& out, const Message& message) {
  ObjectWriter w(out);
  w.string("id", message.id);
  w.string("externalId", message.external_id);
  w.string("text", message.text);
  append_author(w.key("author"), message.author);
  w.string("sentAt", message.sent_at);
  auto& list = w.key("attachments");
  list.push_back('[');
  for (std::size_t i = 0; i < message.attachments.size(); ++i) {
    if (i > 0) list.push_back(',');
    ObjectWriter a(list);
    a.string("url", message.attachments[i].url);
    a.string("name", message.attachments[i].name);
  }
  list.push_back(']');
}

namespace {

void append_receipt(std::string& out, const Receipt& receipt) {
  ObjectWriter w(out);
  w.string("messageId", receipt.message_id);
  w.string("status", receipt.status);
  w.string("platformStatus", receipt.platform_status);
  w.string("externalMessageId", receipt.external_message_id);
  w.string("readerId", receipt.reader_id);
}

void append_user(std::string& out, const User& user) {
  ObjectWriter w(out);
  w.string("id", user.id);
  w.string("name", user.name);
  w.string("role", user.role);
  w.string("avatarUrl", user.avatar_url);
  if (user.emails.empty()) return;
  auto& list = w.key("emails");
  list.push_back('[');
  for (std::size_t i = 0; i < user.emails.size(); ++i) {
    if (i > 0) list.push_back(',');
    json::append_string(list, user.emails[i]);
  }
  list.push_back(']');
}

void append_changes(std::string& out, const std::vector<Change>& changes) {
  out.push_back('[');
  for (std::size_t i = 0; i < changes.size(); ++i) {
    if (i > 0) out.push_back(',');
    ObjectWriter c(out);
    c.string("field", changes[i].field);
    c.key("from") += changes[i].from;  // JSON values built by the caller
    c.key("to") += changes[i].to;
  }
  out.push_back(']');
}

void append_data(std::string& out, const EventData& data) {
  ObjectWriter w(out);
  w.string("platform", data.platform);
  w.string("source", data.source_name);
  w.string("platformEvent", data.platform_event);
  if (!data.conversation.id.empty()) {
    ObjectWriter c(w.key("conversation"));
    c.string("id", data.conversation.id);
    c.string("customerId", data.conversation.customer_id);
    c.string("sessionId", data.conversation.session_id);
    c.string("subject", data.conversation.subject);
    c.string("status", data.conversation.status);
    if (data.conversation.closed) c.key("closed") += *data.conversation.closed ? "true" : "false";
  }
  if (data.message) append_message(w.key("message"), *data.message);
  if (data.receipt) append_receipt(w.key("receipt"), *data.receipt);
  if (data.user) append_user(w.key("user"), *data.user);
  if (data.notification) {
    ObjectWriter n(w.key("notification"));
    n.string("id", data.notification->id);
    n.string("recipientId", data.notification->recipient_id);
  }
  if (!data.changes.empty()) append_changes(w.key("changes"), data.changes);
  if (!data.raw_json.empty()) w.key("raw") += data.raw_json;  // validated, compact JSON
}

}  // namespace

std::string dataschema_of(std::string_view type) {
  std::string id(kSchemaBase);
  id.append("events/").append(type).append(".v1.json");
  return id;
}

std::string to_json(const CloudEvent& event) {
  std::string out;
  out.reserve(384 + event.data.raw_json.size());
  {
    ObjectWriter w(out);
    w.string("specversion", "1.0");
    w.string("id", event.id);
    w.string("source", event.source);
    w.string("type", event.type);
    w.string("subject", event.subject);
    w.string("time", event.time);
    w.string("partitionkey", event.partition_key);
    w.string("datacontenttype", "application/json");
    w.string("dataschema", dataschema_of(event.type));
    append_data(w.key("data"), event.data);
  }
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
