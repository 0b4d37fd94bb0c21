#include "parley/commands/command.hpp"

#include <simdjson.h>

#include <array>
#include <string>

#include "parley/common/time.hpp"
#include "parley/sources/json.hpp"

namespace parley::commands {

namespace {

constexpr std::array kTypeNames = {
    std::pair{CommandType::conversation_start, std::string_view("conversation.start")},
    std::pair{CommandType::message_send, std::string_view("message.send")},
    std::pair{CommandType::answer_accept, std::string_view("answer.accept")},
    std::pair{CommandType::answer_rate, std::string_view("answer.rate")},
    std::pair{CommandType::message_read, std::string_view("message.read")},
    std::pair{CommandType::user_upsert, std::string_view("user.upsert")},
};

constexpr std::size_t kMaxIdLength = 200;
// Read past the limit so check_id names it ("must be 1-200 ... got 250 bytes").
constexpr std::size_t kMaxIdBytesRead = 4096;
constexpr std::size_t kMaxListItems = 100;  // attachments, participants, emails
constexpr std::size_t kMaxTextBytes = std::size_t{64} * 1024;

using sources::FieldReader;

// FieldReader's errors read "field <path>: <problem>"; a FieldProblem keeps the two apart.
FieldProblem problem_of(const Error& error, std::string field) {
  std::string message = error.message;
  const std::string prefix = "field " + field + ": ";
  if (message.starts_with(prefix)) message.erase(0, prefix.size());
  return {std::move(field), std::move(message)};
}

// Reads one member through FieldReader, turning its Error into a FieldProblem.
template <class Read>
auto read(const FieldReader& object, std::string_view name, Read&& reader)
    -> Result<std::remove_cvref_t<decltype(reader().value())>, FieldProblem> {
  auto result = reader();
  if (!result) return problem_of(result.error(), object.path_of(name));
  return std::move(result).value();
}

Result<std::string, FieldProblem> optional_text(const FieldReader& object, std::string_view name,
                                                std::size_t max_bytes = sources::kMaxIdBytes) {
  return read(object, name, [&] { return sources::string_or_empty(object, name, max_bytes); });
}

Result<std::string, FieldProblem> optional_key(const FieldReader& object, std::string_view name) {
  return read(object, name, [&] { return sources::key_or_empty(object, name); });
}

std::optional<FieldProblem> check_id(std::string_view id) {
  if (id.empty() || id.size() > kMaxIdLength) {
    return FieldProblem{"id", "must be 1-200 printable ASCII characters (got " +
                                  std::to_string(id.size()) + " bytes)"};
  }
  for (std::size_t i = 0; i < id.size(); ++i) {
    const auto c = static_cast<unsigned char>(id[i]);
    if (c < 0x20 || c > 0x7e) {
      return FieldProblem{"id", "must be printable ASCII; byte " + std::to_string(i) + " is not"};
    }
  }
  return std::nullopt;
}

Result<std::vector<std::string>, FieldProblem> string_list(const FieldReader& object,
                                                           std::string_view name) {
  auto member = read(object, name, [&] { return object.member(name); });
  if (!member) return member.error();
  std::vector<std::string> items;
  if (!member.value() || member.value()->is_null()) return items;
  const auto field = object.path_of(name);
  simdjson::dom::array array;
  if (member.value()->get_array().get(array) != simdjson::SUCCESS) {
    return FieldProblem{field, "must be an array of strings"};
  }
  for (auto item : array) {
    std::string_view text;
    if (item.get_string().get(text) != simdjson::SUCCESS || text.empty()) {
      return FieldProblem{field + "[" + std::to_string(items.size()) + "]",
                          "must be a non-empty string"};
    }
    if (items.size() == kMaxListItems) {
      return FieldProblem{field, "has more than " + std::to_string(kMaxListItems) + " items"};
    }
    if (auto bad = sources::check_key(field, text)) return problem_of(*bad, field);
    items.emplace_back(text);
  }
  return items;
}

std::optional<FieldProblem> read_person(const FieldReader& data, std::string_view name,
                                        Person& person) {
  auto object = read(data, name, [&] { return data.optional_object(name); });
  if (!object) return object.error();
  if (!object.value()) return std::nullopt;
  const FieldReader& fields = *object.value();
  auto id = optional_key(fields, "id");
  auto first = optional_text(fields, "firstName");
  auto last = optional_text(fields, "lastName");
  auto phone = optional_text(fields, "phone");
  for (auto* r : {&id, &first, &last, &phone}) {
    if (!*r) return r->error();
  }
  person = {id.value(), first.value(), last.value(), phone.value()};
  return std::nullopt;
}

std::optional<FieldProblem> read_attachments(const FieldReader& data,
                                             std::vector<Attachment>& attachments) {
  auto items =
      read(data, "attachments", [&] { return sources::object_array(data, "attachments"); });
  if (!items) return items.error();
  if (items.value().size() > kMaxListItems) {
    return FieldProblem{"data.attachments",
                        "has more than " + std::to_string(kMaxListItems) + " items"};
  }
  for (const auto& item : items.value()) {
    auto url =
        read(item, "url", [&] { return item.required_string("url", sources::kMaxUrlBytes); });
    if (!url) return url.error();
    auto name = optional_text(item, "name");
    if (!name) return name.error();
    attachments.push_back({std::string(url.value()), name.value()});
  }
  return std::nullopt;
}

std::optional<FieldProblem> read_user(const FieldReader& data, std::optional<User>& user) {
  auto object = read(data, "user", [&] { return data.optional_object("user"); });
  if (!object) return object.error();
  if (!object.value()) return std::nullopt;
  const FieldReader& fields = *object.value();
  User read_user;
  auto id = read(fields, "id", [&] { return fields.required_key("id"); });
  if (!id) return id.error();
  read_user.id = id.value();
  auto name = optional_text(fields, "name", kMaxTextBytes);
  auto photo = optional_text(fields, "photoUrl", sources::kMaxUrlBytes);
  auto role = optional_key(fields, "role");
  for (auto* r : {&name, &photo, &role}) {
    if (!*r) return r->error();
  }
  read_user.name = name.value();
  read_user.photo_url = photo.value();
  read_user.role = role.value();
  auto email = string_list(fields, "email");
  if (!email) return email.error();
  read_user.email = std::move(email).value();
  auto custom = read(fields, "custom", [&] { return fields.optional_object("custom"); });
  if (!custom) return custom.error();
  if (custom.value()) read_user.custom_json = sources::compact(custom.value()->object());
  user = std::move(read_user);
  return std::nullopt;
}

std::optional<FieldProblem> read_data(const FieldReader& data, CommandData& out) {
  auto source = read(data, "source", [&] { return data.required_key("source"); });
  if (!source) return source.error();
  out.source = source.value();
  auto text = optional_text(data, "text", kMaxTextBytes);
  auto author = read(data, "author", [&] { return data.optional_object("author"); });
  if (!text) return text.error();
  if (!author) return author.error();
  out.text = text.value();
  if (author.value()) {
    auto id = optional_key(*author.value(), "id");
    if (!id) return id.error();
    out.author_id = id.value();
  }
  if (auto bad = read_person(data, "customer", out.customer)) return bad;
  if (auto bad = read_attachments(data, out.attachments)) return bad;
  auto category = optional_key(data, "category");
  auto advertiser = read(data, "advertiserId", [&] { return data.optional_id("advertiserId"); });
  auto title = optional_text(data, "title", kMaxTextBytes);
  auto message = read(data, "messageId", [&] { return data.optional_id("messageId"); });
  auto rating = read(data, "rating", [&] { return data.optional_integer("rating"); });
  if (!category) return category.error();
  if (!advertiser) return advertiser.error();
  if (!title) return title.error();
  if (!message) return message.error();
  if (!rating) return rating.error();
  out.category = category.value();
  out.advertiser_id = advertiser.value().value_or("");
  out.title = title.value();
  out.message_id = message.value().value_or("");
  if (rating.value()) {
    if (*rating.value() < 1 || *rating.value() > 5) {
      return FieldProblem{"data.rating", "must be an integer from 1 to 5"};
    }
    out.rating = static_cast<int>(*rating.value());
  }
  auto participants = string_list(data, "participants");
  if (!participants) return participants.error();
  out.participants = std::move(participants).value();
  return read_user(data, out.user);
}

FieldProblem required(std::string field, const Command& command) {
  return {std::move(field), std::string("is required for ") + std::string(kTypePrefix) +
                                std::string(type_name(command.type))};
}

// The fields a type needs on every platform; the platform's own needs are its sender's.
std::optional<FieldProblem> check_type_fields(const Command& command) {
  const auto& data = command.data;
  const bool in_conversation =
      command.type != CommandType::conversation_start && command.type != CommandType::user_upsert;
  if (in_conversation && command.subject.empty()) return required("subject", command);
  switch (command.type) {
    case CommandType::message_send:
      if (data.text.empty() && data.attachments.empty()) return required("data.text", command);
      break;
    case CommandType::answer_rate:
      if (data.rating == 0) return required("data.rating", command);
      [[fallthrough]];
    case CommandType::answer_accept:
    case CommandType::message_read:
      if (data.message_id.empty()) return required("data.messageId", command);
      break;
    case CommandType::user_upsert:
      if (!data.user) return required("data.user", command);
      break;
    case CommandType::conversation_start:
      break;
  }
  return std::nullopt;
}

std::string default_key(const Command& command) {
  const auto& source = command.data.source;
  switch (command.type) {
    case CommandType::conversation_start:
      return source + ":start:" + command.id;
    case CommandType::user_upsert:
      return source + ":user:" + command.data.user->id;
    default:
      return source + ":" + command.subject;
  }
}

std::optional<FieldProblem> read_envelope(const FieldReader& event, Command& command) {
  auto version = read(event, "specversion", [&] { return event.required_string("specversion"); });
  if (!version) return version.error();
  if (version.value() != "1.0") return FieldProblem{"specversion", "must be \"1.0\""};
  auto id = read(event, "id", [&] { return event.required_string("id", kMaxIdBytesRead); });
  if (!id) return id.error();
  if (auto bad = check_id(id.value())) return bad;
  command.id = id.value();
  auto caller = read(event, "source", [&] { return event.required_key("source"); });
  if (!caller) return caller.error();
  command.caller = caller.value();
  auto type = read(event, "type", [&] { return event.required_string("type"); });
  if (!type) return type.error();
  auto known = parse_type(type.value());
  if (!known) {
    return FieldProblem{"type",
                        "unknown command type (parley.command. + conversation.start, "
                        "message.send, answer.accept, answer.rate, message.read or "
                        "user.upsert)"};
  }
  command.type = *known;
  auto subject = optional_key(event, "subject");
  auto key = optional_key(event, "partitionkey");
  auto expiry = optional_text(event, "expirytime");
  if (!subject) return subject.error();
  if (!key) return key.error();
  if (!expiry) return expiry.error();
  command.subject = subject.value();
  command.key = key.value();
  if (!expiry.value().empty()) {
    command.expiry = parse_rfc3339(expiry.value());
    if (!command.expiry) return FieldProblem{"expirytime", "must be an RFC 3339 date-time"};
  }
  return std::nullopt;
}

}  // namespace

std::string_view type_name(CommandType type) {
  for (const auto& [value, name] : kTypeNames) {
    if (value == type) return name;
  }
  return "unknown";
}

std::optional<CommandType> parse_type(std::string_view cloud_event_type) {
  if (!cloud_event_type.starts_with(kTypePrefix)) return std::nullopt;
  cloud_event_type.remove_prefix(kTypePrefix.size());
  for (const auto& [value, name] : kTypeNames) {
    if (name == cloud_event_type) return value;
  }
  return std::nullopt;
}

std::string FieldProblem::to_string() const {
  return field.empty() ? message : "field " + field + ": " + message;
}

Result<Command, FieldProblem> parse_command(std::string_view json) {
  auto object = sources::parse_object(std::string(json));
  if (!object) return FieldProblem{"", object.error().message};
  const FieldReader event(object.value());
  Command command;
  if (auto bad = read_envelope(event, command)) return *bad;
  auto data = read(event, "data", [&] { return event.required_object("data"); });
  if (!data) return data.error();
  if (auto bad = read_data(data.value(), command.data)) return *bad;
  if (auto bad = check_type_fields(command)) return *bad;
  // One command, one key: the same id under two keys could run on two partitions at once.
  const auto key = default_key(command);
  if (!command.key.empty() && command.key != key) {
    return FieldProblem{"partitionkey", "must be \"" + key + "\" (or absent: parley fills it)"};
  }
  command.key = key;
  return command;
}

}  // namespace parley::commands
