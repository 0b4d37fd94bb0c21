#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "directly_data.hpp"
#include "issued_tokens.hpp"

namespace parley::sim {

/// What the simulated Directly API remembers: its bearer tokens, its questions, who
/// polled them and how the polls were answered. Thread-safe (one mutex); every method
/// may be called from any I/O thread.
class DirectlyState {
 public:
  using Clock = std::chrono::steady_clock;

  /// A new token ("sim-directly-<n>", never issued before) valid until `expires`.
  std::string issue_token(Clock::time_point expires);
  /// True for a token issued, not expired and not logged out.
  bool token_valid(std::string_view token, Clock::time_point now) const;
  /// Logs `token` out: false when it was not valid. Counts the logout.
  bool revoke_token(std::string_view token, Clock::time_point now);

  /// What a poll of a question answers.
  struct Poll {
    bool modified;     ///< false: updatedAt <= lastChecked (304)
    std::string data;  ///< the question JSON when modified
  };
  /// GET /questions/{uuid} by `token`: creates the question at `now` when missing,
  /// remembers `token` among its pollers.
  Poll poll(const std::string& uuid, std::string_view token,
            std::optional<DirectlyTime> last_checked, DirectlyTime now);
  /// Counts one answer of directly.question with `status`.
  void record_poll_status(unsigned status);

  /// The question JSON, or nullopt when it does not exist.
  std::optional<std::string> question_json(const std::string& uuid) const;
  /// Applies `change` to the question, created at `now` when missing. With `generation`,
  /// a conflict when reset() ran since generation() returned it (a play outlived it).
  Result<DirectlyChanged, DirectlyConflict> change(
      const std::string& uuid, const DirectlyChange& change, DirectlyTime now,
      std::optional<std::uint64_t> generation = std::nullopt);
  /// The question's generation for a play of it: creates it at `now` when missing;
  /// a conflict when it is closed.
  Result<std::uint64_t, DirectlyConflict> start_play(const std::string& uuid, DirectlyTime now);

  /// POST /questions: a new question asked at `now`, its uuid derived from how many were
  /// asked before (the same sequence of asks gives the same uuids); its uuid and JSON.
  std::pair<std::string, std::string> ask(std::string text, std::string language,
                                          std::string author, DirectlyTime now);
  /// Why POST /responses/{uuid}/accept cannot apply (answered `status`).
  struct Refusal {
    unsigned status;
    std::string message;
  };
  /// POST /responses/{uuid}/accept: accepts the response wherever it is; the response's
  /// JSON. Refused 404 when no question holds it, 409 on a conflict (nothing changes).
  Result<std::string, Refusal> accept_response(std::string_view response_uuid, DirectlyTime now);

  /// Appends the `directly` member of GET /_sim/stats:
  /// {"polls":{"200":n,"304":n,...},"pollers":{"<uuid>":["<token>",...]},"logouts":n,
  /// "questions":n}.
  void append_stats(std::string& out) const;

  /// Forgets the questions, their pollers and the counters; stops running plays. Tokens
  /// stay valid.
  void reset();

 private:
  DirectlyQuestion& question_locked(const std::string& uuid, DirectlyTime now);

  mutable std::mutex mutex_;
  IssuedTokens tokens_{"sim-directly-"};
  std::map<std::string, DirectlyQuestion, std::less<>> questions_;
  std::map<std::string, std::set<std::string, std::less<>>, std::less<>> pollers_;
  std::map<unsigned, std::uint64_t> polls_;
  std::uint64_t logouts_ = 0;
  std::uint64_t generation_ = 0;
  std::uint64_t asked_ = 0;
};

}  // namespace parley::sim
