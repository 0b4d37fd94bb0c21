#include "parley/metrics/registry.hpp"

#include <prometheus/text_serializer.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "parley/version.hpp"

namespace parley::metrics {
namespace {

double resident_memory_bytes() {
  std::ifstream statm("/proc/self/statm");
  double size_pages = 0;
  double resident_pages = 0;
  statm >> size_pages >> resident_pages;
  return resident_pages * static_cast<double>(sysconf(_SC_PAGESIZE));
}

double open_file_descriptors() {
  std::error_code ec;
  double count = 0;
  for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    ++count;
  }
  return count;
}

}  // namespace

Registry::Registry()
    : registry_(std::make_shared<prometheus::Registry>()),
      resident_memory_(
          gauge("process_resident_memory_bytes", "Resident memory size in bytes").Add({})),
      open_fds_(gauge("process_open_fds", "Number of open file descriptors").Add({})) {
  gauge("parley_build_info", "Always 1; the version label says which parley runs")
      .Add({{"version", kVersion}})
      .Set(1);
}

prometheus::Family<prometheus::Counter>& Registry::counter(const std::string& name,
                                                           const std::string& help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(*registry_);
}

prometheus::Family<prometheus::Gauge>& Registry::gauge(const std::string& name,
                                                       const std::string& help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(*registry_);
}

prometheus::Family<prometheus::Histogram>& Registry::histogram(const std::string& name,
                                                               const std::string& help) {
  return prometheus::BuildHistogram().Name(name).Help(help).Register(*registry_);
}

void Registry::on_scrape(std::function<void()> collect) {
  collectors_.push_back(std::move(collect));
}

std::string Registry::scrape() {
  for (const auto& collect : collectors_)
    collect();
  resident_memory_.Set(resident_memory_bytes());
  open_fds_.Set(open_file_descriptors());
  return prometheus::TextSerializer().Serialize(registry_->Collect());
}

}  // namespace parley::metrics
