// Micro benchmarks of the request path's parts, in-process: routing, the whole
// dispatch of GetDetector (routing, identity, handler, SQLite read, JSON response),
// and the time formatting every response uses.
#include <benchmark/benchmark.h>
#include <spdlog/spdlog.h>

#include "api/routes.h"
#include "core/time.h"
#include "http/dispatcher.h"

namespace {

using namespace vigil;

constexpr std::string_view kAuthorization =
    "AWS4-HMAC-SHA256 Credential=111111111111/20260101/us-east-1/guardduty/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=0";

// A router, metrics, store and dispatcher wired as `vigil serve` wires them.
struct Fixture {
  Fixture() : store(std::move(OpenSqliteStore(":memory:").value())) {
    services.store = store.get();
    api::RegisterRoutes(router, services);
    metrics = std::make_unique<http::Metrics>(http::MetricSlots(router));
    dispatcher =
        std::make_unique<http::Dispatcher>(router, *metrics, clock, http::IdentityDefaults{});
  }
  std::string Call(std::string_view method, std::string_view target, std::string body) {
    return dispatcher->Handle({method, target, kAuthorization, std::move(body)}).body;
  }

  std::unique_ptr<Store> store;
  api::Services services;
  http::Router router;
  std::unique_ptr<http::Metrics> metrics;
  SystemClock clock;
  std::unique_ptr<http::Dispatcher> dispatcher;
};

void BM_RouterFind(benchmark::State& state) {
  Fixture fixture;
  const std::string path =
      "/detector/12abc34d567e8fa901bc2d34e56789f0/threatintelset/0cb0141ab9fbde177613ab9436212e90";
  for (auto _ : state) {
    auto match = fixture.router.Find("GET", path);
    benchmark::DoNotOptimize(match);
  }
}
BENCHMARK(BM_RouterFind);

void BM_DispatchGetDetector(benchmark::State& state) {
  Fixture fixture;
  const std::string created = fixture.Call("POST", "/detector", R"({"enable":true})");
  const std::string id = created.substr(created.find(':') + 2, 32);
  const std::string target = "/detector/" + id;
  for (auto _ : state) {
    auto response = fixture.dispatcher->Handle({"GET", target, kAuthorization, ""});
    benchmark::DoNotOptimize(response);
  }
}
BENCHMARK(BM_DispatchGetDetector);

void BM_FormatIsoMillis(benchmark::State& state) {
  int64_t millis = 1516744412815;
  for (auto _ : state) benchmark::DoNotOptimize(FormatIsoMillis(millis++));
}
BENCHMARK(BM_FormatIsoMillis);

}  // namespace

int main(int argc, char** argv) {
  spdlog::set_level(spdlog::level::warn);  // `vigil serve --log-level warn`, as under load
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
