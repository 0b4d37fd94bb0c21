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

/// GET /_sim/stats; POST /_sim/faults, /_sim/reset, /_sim/justanswer/expire-tokens,
/// /_sim/justanswer/questions/{token}/messages.
void add_control_routes(http::Router& router, Simulator& simulator);

}  // namespace parley::sim
