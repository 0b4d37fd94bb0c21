#pragma once

#include "api_endpoint.hpp"
#include "parley/http/router.hpp"

namespace parley::sim {

// Each adds one platform's simulated routes, or the control routes, to `router`. The
// endpoints keep a reference to `simulator`, which must outlive the router.

/// POST /connect/token, GET /api/v2/questions/{questionToken}, GET /api/v2/questions?page=
/// &pageSize= (the UserIdToken's posted questions), and the write routes below.
void add_justanswer_routes(http::Router& router, Simulator& simulator);

/// Writes, by route name (GET /_sim/writes, POST /_sim/write-faults): question.post
/// POST /api/v2/questions/post; message.post POST /api/v2/questions/{q}/messages;
/// message.accept, message.feedback, message.view POST
/// /api/v2/questions/{q}/messages/{m}/{accept,feedback,view} ({m} as "<q>_<n>" or "!<q>_<n>!").
void add_justanswer_write_routes(http::Router& router, Simulator& simulator);

/// GET /api/v1.0/AsyncConversation/GetTranscript/{VisitId},
/// GET /api/v1.0/AsyncConversation/GetConversations/{ConsumerId}, and the writes below.
void add_cao_routes(http::Router& router, Simulator& simulator);

/// Writes: start POST /api/v1.0/AsyncConversation/Start; send-message
/// POST /api/v1.0/AsyncConversation/SendMessage.
void add_cao_write_routes(http::Router& router, Simulator& simulator);

/// True for a CAO VisitId: digits, no leading zero, at most 18.
bool is_cao_visit_id(std::string_view text);

/// GET /v1/{appId}/conversations/{conversationId}[/messages], GET /v1/{appId}/users/{id}
/// (users PUT only), and the writes below.
void add_talkjs_routes(http::Router& router, Simulator& simulator);

/// Writes: conversation.put PUT /v1/{appId}/conversations/{id}; message.post
/// POST /v1/{appId}/conversations/{id}/messages; user.put PUT /v1/{appId}/users/{id}.
void add_talkjs_write_routes(http::Router& router, Simulator& simulator);

/// What a path after "/v1/" names in the TalkJS API.
struct TalkJsTarget {
  enum class Kind { conversation, messages, user };
  std::string app;
  std::string id;  ///< the conversation's or the user's
  Kind kind = Kind::conversation;
};
/// "{app}/conversations/{id}", "{app}/conversations/{id}/messages" or "{app}/users/{id}";
/// nullopt for anything else.
std::optional<TalkJsTarget> talkjs_target(std::string_view tail);

/// POST /oauth/token, POST /oauth/logout, GET /questions/{uuid}[?lastChecked=...]: the
/// Directly messaging API, polled (Directly sends no webhooks).
void add_directly_routes(http::Router& router, Simulator& simulator);

/// Writes: question.post POST /questions (201); response.accept POST /responses/{uuid}/accept.
void add_directly_write_routes(http::Router& router, Simulator& simulator);

/// GET /_sim/stats; POST /_sim/faults, /_sim/reset, /_sim/justanswer/expire-tokens,
/// /_sim/justanswer/questions/{token}/messages, /_sim/talkjs/conversations/{id}/messages,
/// /_sim/cao/visits/{VisitId}/messages (a message appears upstream, no webhook sent);
/// GET /_sim/directly/questions/{uuid};
/// POST /_sim/directly/questions/{uuid}/{respond,message,accept,close,expire,reroute,play}
/// (questions change here, on a timer for play, and polls see it);
/// GET /_sim/writes[?platform=&route=] (every write request in arrival order: platform,
/// route, method, path, authorization, headers, body, committed, status);
/// POST /_sim/write-faults {"platform","route","mode","remaining","status","retry_after_s",
/// "delay_ms"} and DELETE /_sim/write-faults[?platform=&route=] (faults per write route:
/// writes.hpp's WriteFaultMode); GET, POST {"to","ja_token","cao_key","talkjs_secret",
/// "delay_ms"} and DELETE /_sim/echo (where echo webhooks go: echo.hpp). /_sim/faults and
/// --error-rate/--throttle-rate fail reads only; /_sim/reset also clears the writes, their
/// faults, what they changed and the echoes sent.
void add_control_routes(http::Router& router, Simulator& simulator);

}  // namespace parley::sim
