#include "parley/platforms/directly/watch_endpoint.hpp"

#include <boost/beast/core/string.hpp>

#include "parley/common/json_writer.hpp"
#include "parley/common/time.hpp"
#include "parley/http/answers.hpp"
#include "parley/http/router.hpp"
#include "parley/kafka/errors.hpp"
#include "parley/log/log.hpp"
#include "parley/platforms/directly/question.hpp"
#include "parley/sources/errors.hpp"
#include "parley/sources/json.hpp"

namespace parley::directly {
namespace {

namespace bhttp = boost::beast::http;

constexpr std::string_view kBearer = "Bearer ";
/// How much of a bad uuid an error message quotes.
constexpr std::size_t kQuotedBytes = 64;

Error bad_uuid(std::string_view where, std::string_view value) {
  return Error{sources::Errc::invalid, std::string(where) +
                                           ": must be a UUID of 8-4-4-4-12 hex digits, got '" +
                                           std::string(value.substr(0, kQuotedBytes)) + "'"};
}

std::string lowercase(std::string_view text) {
  std::string out(text);
  for (auto& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string answer_body(const std::string& uuid, bool watching) {
  std::string body;
  {
    json::ObjectWriter object(body);
    object.string("uuid", uuid);
    object.key("watching") += watching ? "true" : "false";
  }
  return body;
}

}  // namespace

WatchEndpoint::WatchEndpoint(const config::DirectlySource::Watch& watch, kafka::Producer& producer,
                             ingest::WebhookStats& stats, kafka::ProduceStats& produced,
                             WatchPublishing publishing, std::string source)
    : tokens_(watch.tokens),
      allow_unauthenticated_(watch.allow_unauthenticated),
      producer_(producer),
      stats_(stats),
      produced_(produced),
      publishing_(std::move(publishing)),
      source_(std::move(source)),
      route_(watch_route(source_)) {}

std::string watches_path(std::string_view source) {
  return "/v1/" + std::string(source) + "/watches";
}

std::string watch_route(std::string_view source) {
  return watches_path(source) + "/*";
}

http::Response WatchEndpoint::reject(const Error& error) {
  stats_.answered(source_, http::metric_outcome(error.code));
  return http::error_response(error, http::generic_error_body(error));
}

Result<http::HeadProof, Error> WatchEndpoint::check_head(const http::Request& head) {
  if (auto refused = verify(head)) return *refused;
  return http::HeadProof::verified;
}

std::optional<Error> WatchEndpoint::verify(const http::Request& request) const {
  if (tokens_.empty() && allow_unauthenticated_) return std::nullopt;
  std::string_view token = request.headers["X-Parley-Token"];
  const std::string_view authorization = request.headers[bhttp::field::authorization];
  if (token.empty() && authorization.size() > kBearer.size() &&
      boost::beast::iequals(authorization.substr(0, kBearer.size()), kBearer)) {
    token = authorization.substr(kBearer.size());
  }
  if (token.empty()) {
    return Error{sources::Errc::unauthorized,
                 "missing credentials: send X-Parley-Token or Authorization: Bearer <token>"};
  }
  if (!tokens_.contains(token)) {
    return Error{
        sources::Errc::unauthorized,
        "X-Parley-Token / Authorization: not an accepted sources." + source_ + ".watch token"};
  }
  return std::nullopt;
}

Result<std::string, Error> WatchEndpoint::target_uuid(const http::Request& request) const {
  if (request.method == bhttp::verb::delete_) {
    const auto tail = http::Router::wildcard(route_, request.path);
    if (!is_uuid(tail)) return bad_uuid("path segment {uuid}", tail);
    return lowercase(tail);
  }
  auto object = sources::parse_object(request.body);
  if (!object) return object.error();
  const sources::FieldReader fields(object.value());
  auto uuid = fields.required_string("uuid");
  if (!uuid) return uuid.error();
  if (!is_uuid(uuid.value())) return bad_uuid("field uuid", uuid.value());
  return lowercase(uuid.value());
}

boost::asio::awaitable<http::Response> WatchEndpoint::handle(const http::Request& request) {
  const ingest::WebhookTimer timer(stats_, source_, request.received_at);
  if (!producer_.reachable()) {
    co_return reject(Error{kafka::Errc::unavailable, "Kafka is unreachable; retry later"});
  }
  if (!request.verified_at_head) {
    if (auto refused = verify(request)) co_return reject(*refused);
  }
  auto uuid = target_uuid(request);
  if (!uuid) {
    co_return reject(uuid.error());
  }
  const bool watch = request.method == bhttp::verb::post;
  kafka::Record record{
      .topic = publishing_.topic, .key = watch_key(source_, uuid.value()), .tombstone = !watch};
  if (watch) {
    {
      json::ObjectWriter value(record.value);
      value.string("uuid", uuid.value());
      value.string("watchedAt", format_rfc3339(std::chrono::system_clock::now()));
    }
    record.headers.emplace_back("content-type", "application/json");
  }
  const auto failure =
      co_await kafka::produce_acknowledged(producer_, record, publishing_.ack_timeout, &produced_);
  if (failure) {
    log::warn("watch not acknowledged by kafka",
              {{"uuid", uuid.value()}, {"topic", publishing_.topic}, {"error", failure->message}});
    co_return reject(*failure);
  }
  stats_.answered(source_, "accepted");
  log::info(watch ? "directly question watched" : "directly question unwatched",
            {{"uuid", uuid.value()}});
  co_return http::Response{.status = 200, .body = answer_body(uuid.value(), watch)};
}

}  // namespace parley::directly
