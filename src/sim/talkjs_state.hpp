#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "talkjs_data.hpp"

namespace parley::sim {

/// The members of PUT /v1/{appId}/conversations/{id} that were sent.
struct TalkJsConversationPut {
  std::vector<std::string> participants;
  std::optional<std::string> subject;
  std::optional<std::string> photo_url;
  std::map<std::string, std::string> custom;
};

/// One element of POST /v1/{appId}/conversations/{id}/messages.
struct TalkJsPostedMessage {
  std::string text;
  std::string sender;  ///< empty for a SystemMessage
  std::string type;
  std::string custom_json = "{}";
};

/// The members of PUT /v1/{appId}/users/{id} that were sent.
struct TalkJsUserPut {
  std::optional<std::string> name;
  std::optional<std::vector<std::string>> email;
  std::optional<std::vector<std::string>> phone;
  std::optional<std::string> photo_url;
  std::optional<std::string> role;
  std::optional<std::string> locale;
  std::optional<std::string> welcome_message;
  std::map<std::string, std::string> custom;
};

/// What TalkJS's writes changed: conversations upserted, messages posted, users upserted,
/// and generated continuations added through /_sim/talkjs. Thread-safe (one mutex); every
/// method may be called from any I/O thread.
class TalkJsState {
 public:
  /// Upserts the conversation: one nothing was written to yet is created empty at
  /// `now_ms`; participants are added, subject, photoUrl and custom members replaced.
  /// Repeating a PUT changes nothing more.
  void put_conversation(const std::string& id, const TalkJsConversationPut& put,
                        std::int64_t now_ms);
  /// Appends `posted` in order, each created at max(now_ms, previous message + 1 ms), with
  /// ids derived from the conversation and how many were posted before; the stored messages.
  std::vector<TalkJsMessage> post_messages(const TalkJsConversation& conversation,
                                           const std::vector<TalkJsPostedMessage>& posted,
                                           std::int64_t now_ms);
  /// Appends the conversation's next generated message; the message.
  TalkJsMessage add_generated(const TalkJsConversation& conversation);

  /// What writes changed in conversation `id` (a default state when nothing).
  TalkJsConversationState conversation(const std::string& id) const;

  /// Upserts user `id`, created at `now_ms` when new: the members sent replace the stored
  /// ones, custom members are merged.
  void put_user(const std::string& id, const TalkJsUserPut& put, std::int64_t now_ms);
  std::optional<TalkJsStoredUser> user(const std::string& id) const;

  void reset();

 private:
  mutable std::mutex mutex_;
  std::map<std::string, TalkJsConversationState, std::less<>> conversations_;
  std::map<std::string, TalkJsStoredUser, std::less<>> users_;
};

}  // namespace parley::sim
