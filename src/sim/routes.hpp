#pragma once

#include "api_endpoint.hpp"
#include "parley/http/router.hpp"

namespace parley::sim {

// Each adds one platform's simulated routes, or the control routes, to `router`. The
// endpoints keep a reference to `simulator`, which must outlive the router.

/// POST /connect/token, GET /api/v2/questions/{questionToken}.
void add_justanswer_routes(http::Router& router, Simulator& simulator);

/// GET /api/v1.0/AsyncConversation/GetTranscript/{VisitId}.
void add_cao_routes(http::Router& router, Simulator& simulator);

/// GET /v1/{appId}/conversations/{conversationId}[/messages].
void add_talkjs_routes(http::Router& router, Simulator& simulator);

/// POST /oauth/token, POST /oauth/logout, GET /questions/{uuid}[?lastChecked=...]: the
/// Directly messaging API, polled (Directly sends no webhooks).
void add_directly_routes(http::Router& router, Simulator& simulator);

/// GET /_sim/stats; POST /_sim/faults, /_sim/reset, /_sim/justanswer/expire-tokens,
/// /_sim/justanswer/questions/{token}/messages, /_sim/talkjs/conversations/{id}/messages,
/// /_sim/cao/visits/{VisitId}/messages (a message appears upstream, no webhook sent);
/// GET /_sim/directly/questions/{uuid};
/// POST /_sim/directly/questions/{uuid}/{respond,message,accept,close,expire,reroute,play}
/// (questions change here, on a timer for play, and polls see it).
void add_control_routes(http::Router& router, Simulator& simulator);

}  // namespace parley::sim
