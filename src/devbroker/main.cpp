// parley-devbroker: a Kafka-protocol broker (librdkafka's mock cluster) in its own
// process, for the load benchmark and local experiments. Not durable.
//
//   parley-devbroker [--partitions N] [--topic NAME]...
//
// Prints "bootstrap=<host:port>" on stdout once it accepts connections. SIGUSR1 takes
// the broker down (connections refused), SIGUSR2 brings it back, SIGTERM/SIGINT stop it.
#include <csignal>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "parley/kafka/embedded_broker.hpp"

int main(int argc, char** argv) {
  int partitions = 3;
  std::vector<std::string> topics;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--partitions" && i + 1 < argc) {
      partitions = std::stoi(argv[++i]);
    } else if (arg == "--topic" && i + 1 < argc) {
      topics.emplace_back(argv[++i]);
    } else {
      std::cerr << "usage: parley-devbroker [--partitions N] [--topic NAME]...\n";
      return 2;
    }
  }
  if (topics.empty()) topics = {"parley.events.v1", "parley.enriched.v1", "parley.deadletter.v1"};

  // Signals are taken synchronously by this thread, so no handler races the broker.
  sigset_t signals;
  sigemptyset(&signals);
  for (const int s : {SIGTERM, SIGINT, SIGUSR1, SIGUSR2})
    sigaddset(&signals, s);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto started = parley::kafka::EmbeddedBroker::start(1, topics, partitions);
  if (!started) {
    std::cerr << "parley-devbroker: " << started.error() << "\n";
    return 1;
  }
  auto& broker = *started.value();
  std::cout << "bootstrap=" << broker.bootstrap_servers() << std::endl;
  for (;;) {
    int received = 0;
    sigwait(&signals, &received);
    if (received == SIGUSR1) {
      broker.set_broker_up(1, false);
      std::cout << "broker down" << std::endl;
    } else if (received == SIGUSR2) {
      broker.set_broker_up(1, true);
      std::cout << "broker up" << std::endl;
    } else {
      return 0;
    }
  }
}
