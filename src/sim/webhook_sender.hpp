#pragma once

#include "options.hpp"

namespace parley::sim {

/// Posts the sample webhooks `options` asks for (for each of --count rounds, one per
/// platform), each on its own connection with a 10 s deadline. Prints every answer on
/// stdout as "<platform> #<n> POST <path> -> <status> <reason> <body>"; stops at the
/// first webhook that could not be delivered, naming the problem on stderr. Returns the
/// exit code: 0 when every webhook was answered 2xx, else 1.
int send_webhooks(const SendOptions& options);

}  // namespace parley::sim
