#include "parley/kafka/embedded_broker.hpp"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

namespace parley::kafka {

class EmbeddedBroker::Impl {
 public:
  // The mock cluster needs a client handle to live on; this one never connects anywhere.
  rd_kafka_t* host = nullptr;
  rd_kafka_mock_cluster_t* cluster = nullptr;

  ~Impl() {
    if (cluster != nullptr) rd_kafka_mock_cluster_destroy(cluster);
    if (host != nullptr) rd_kafka_destroy(host);
  }
};

Result<std::unique_ptr<EmbeddedBroker>, std::string> EmbeddedBroker::start(
    int brokers, const std::vector<std::string>& topics, int partitions) {
  auto impl = std::make_unique<Impl>();
  char error[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "log_level", "3", nullptr, 0);
  impl->host = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof error);
  if (impl->host == nullptr) {
    rd_kafka_conf_destroy(conf);
    return std::string("embedded broker: ") + error;
  }
  impl->cluster = rd_kafka_mock_cluster_new(impl->host, brokers);
  if (impl->cluster == nullptr) return std::string("embedded broker: could not start");
  for (const auto& topic : topics) {
    const auto err = rd_kafka_mock_topic_create(impl->cluster, topic.c_str(), partitions, 1);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return "embedded broker: topic " + topic + ": " + rd_kafka_err2str(err);
    }
  }
  return std::unique_ptr<EmbeddedBroker>(new EmbeddedBroker(std::move(impl)));
}

EmbeddedBroker::EmbeddedBroker(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
EmbeddedBroker::~EmbeddedBroker() = default;

std::string EmbeddedBroker::bootstrap_servers() const {
  return rd_kafka_mock_cluster_bootstraps(impl_->cluster);
}

void EmbeddedBroker::set_broker_up(int id, bool up) {
  if (up) {
    rd_kafka_mock_broker_set_up(impl_->cluster, id);
  } else {
    rd_kafka_mock_broker_set_down(impl_->cluster, id);
  }
}

void EmbeddedBroker::set_broker_rtt(int id, std::chrono::milliseconds rtt) {
  rd_kafka_mock_broker_set_rtt(impl_->cluster, id, static_cast<int>(rtt.count()));
}

}  // namespace parley::kafka

namespace parley::kafka {

void EmbeddedBroker::fail_next_requests(int api_key, const std::vector<int>& errors) {
  std::vector<rd_kafka_resp_err_t> codes;
  codes.reserve(errors.size());
  for (const int error : errors)
    codes.push_back(static_cast<rd_kafka_resp_err_t>(error));
  rd_kafka_mock_push_request_errors_array(impl_->cluster, static_cast<int16_t>(api_key),
                                          codes.size(), codes.data());
}

}  // namespace parley::kafka
