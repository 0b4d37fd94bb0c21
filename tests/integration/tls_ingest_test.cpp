// parley serving HTTPS itself (tls.cert_file / tls.key_file), for deployments without a
// TLS-terminating ingress: a webhook over TLS still ends up on Kafka.
#include <random>

#include "integration/fixture.hpp"
#include "support/tls_client.hpp"

namespace parley::testing {
namespace {

using namespace std::chrono_literals;

class TlsIngest : public IngestFixture {
 protected:
  std::string extra_config() const override {
    write_self_signed(dir_, "parley.example");
    return "tls:\n  cert_file: " + (dir_ / "cert.pem").string() +
           "\n  key_file: " + (dir_ / "key.pem").string() + "\n";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path dir_ = std::filesystem::temp_directory_path() /
                               ("parley-tls-it-" + std::to_string(std::random_device{}()));
};

TEST_F(TlsIngest, WebhookOverTlsIsPublished) {
  const auto answer = https_request(parley_->port(), "/v1/webhooks/justanswer", ja_body("q-tls"),
                                    {{"X-Parley-Token", "test-token"}});
  EXPECT_EQ(answer.status, 200u) << answer.body;
  EXPECT_EQ(answer.server_common_name, "parley.example");
  const auto events = reader().read(1, 10s);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].key, "justanswer:q-tls");
}

}  // namespace
}  // namespace parley::testing
