#include "parley/runtime/emulation.h"

#include <cmath>
#include <cstdlib>
#include <sstream>

namespace parley {
namespace {

std::vector<std::string> SplitList(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string item;
  std::istringstream in(s);
  while (std::getline(in, item, sep))
    if (!item.empty()) out.push_back(item);
  return out;
}

bool ParseDouble(const std::string& s, double* v) {
  if (s.empty()) return false;
  char* end = nullptr;
  *v = std::strtod(s.c_str(), &end);
  return end == s.c_str() + s.size() && std::isfinite(*v);
}

bool ParseInt(const std::string& s, int64_t* v) {
  if (s.empty()) return false;
  char* end = nullptr;
  *v = std::strtoll(s.c_str(), &end, 10);
  return end == s.c_str() + s.size();
}

}  // namespace

nlohmann::json EmulationOptions::ToJson() const {
  nlohmann::json j;
  j["step_time"] = step_time;
  j["slowdowns"] = nlohmann::json::array();
  for (const auto& s : slowdowns)
    j["slowdowns"].push_back({{"worker", s.worker}, {"factor", s.factor}, {"from", s.from_time}});
  j["stragglers"] = {{"prob", straggle_prob}, {"factor", straggle_factor}};
  j["step_sigma"] = step_sigma;
  j["kills"] = nlohmann::json::array();
  for (const auto& k : kills) {
    nlohmann::json e = k.server >= 0 ? nlohmann::json{{"server", k.server}}
                                     : nlohmann::json{{"worker", k.worker}};
    if (k.at_time >= 0) e["time"] = k.at_time;
    if (k.at_step >= 0) e["step"] = k.at_step;
    j["kills"].push_back(e);
  }
  j["network"] = {{"profile", network.profile}, {"latency", network.latency},
                  {"bandwidth", network.bandwidth}, {"jitter", network.jitter},
                  {"variation_period", network.variation_period},
                  {"variation_low", network.variation_low}};
  return j;
}

StatusOr<std::vector<SlowdownRule>> ParseSlowdowns(const std::string& spec) {
  std::vector<SlowdownRule> rules;
  for (const std::string& item : SplitList(spec, ',')) {
    const auto bad = [&](const std::string& why) {
      return InvalidArgument("--slowdown '" + item + "': " + why +
                             "; expected WORKER=FACTOR or WORKER=FACTOR@SECONDS, e.g. 3=4,5=2@10");
    };
    const size_t eq = item.find('=');
    if (eq == std::string::npos) return bad("no '='");
    SlowdownRule r;
    int64_t w;
    if (!ParseInt(item.substr(0, eq), &w) || w < 0) return bad("worker must be an index >= 0");
    r.worker = static_cast<int>(w);
    std::string rest = item.substr(eq + 1);
    const size_t at = rest.find('@');
    if (at != std::string::npos) {
      if (!ParseDouble(rest.substr(at + 1), &r.from_time) || r.from_time < 0)
        return bad("time after '@' must be seconds >= 0");
      rest = rest.substr(0, at);
    }
    if (!rest.empty() && (rest.back() == 'x' || rest.back() == 'X')) rest.pop_back();
    if (!ParseDouble(rest, &r.factor) || r.factor <= 0) return bad("factor must be > 0");
    rules.push_back(r);
  }
  return rules;
}

Status ParseStragglers(const std::string& spec, double* prob, double* factor) {
  const size_t colon = spec.find(':');
  const auto bad = [&](const std::string& why) {
    return InvalidArgument("--stragglers '" + spec + "': " + why +
                           "; expected PROBABILITY:FACTOR, e.g. 0.05:8");
  };
  if (colon == std::string::npos) return bad("no ':'");
  if (!ParseDouble(spec.substr(0, colon), prob) || *prob < 0 || *prob > 1)
    return bad("probability must be in [0, 1]");
  if (!ParseDouble(spec.substr(colon + 1), factor) || *factor < 1)
    return bad("factor must be >= 1");
  return OkStatus();
}

StatusOr<std::vector<KillRule>> ParseKills(const std::string& spec) {
  std::vector<KillRule> rules;
  for (const std::string& item : SplitList(spec, ',')) {
    const auto bad = [&](const std::string& why) {
      return InvalidArgument("--kill '" + item + "': " + why +
                             "; expected WORKER@t=SECONDS or WORKER@step=N, e.g. 2@t=5, or "
                             "sSERVER@t=SECONDS for a parameter server, e.g. s1@t=5");
    };
    const size_t at = item.find('@');
    if (at == std::string::npos) return bad("no '@'");
    KillRule k;
    int64_t w;
    const bool server = item.rfind("s", 0) == 0;
    if (!ParseInt(item.substr(server ? 1 : 0, at - (server ? 1 : 0)), &w) || w < 0)
      return bad(server ? "server must be an index >= 0" : "worker must be an index >= 0");
    (server ? k.server : k.worker) = static_cast<int>(w);
    const std::string when = item.substr(at + 1);
    if (server && when.rfind("t=", 0) != 0) return bad("a server dies at a time (t=SECONDS)");
    if (when.rfind("t=", 0) == 0) {
      if (!ParseDouble(when.substr(2), &k.at_time) || k.at_time < 0) return bad("time must be >= 0");
    } else if (when.rfind("step=", 0) == 0) {
      if (!ParseInt(when.substr(5), &k.at_step) || k.at_step < 0) return bad("step must be >= 0");
    } else {
      return bad("after '@' give t=SECONDS or step=N");
    }
    rules.push_back(k);
  }
  return rules;
}

ComputeEmulator::ComputeEmulator(const EmulationOptions& o, std::vector<int> rank_to_worker,
                                 uint64_t seed)
    : o_(o), rank_to_worker_(std::move(rank_to_worker)) {
  Rng base = Rng(seed).Fork("emulation");
  for (size_t r = 0; r < rank_to_worker_.size(); ++r) {
    const int w = rank_to_worker_[r];
    ranks_.push_back(PerRank{base.Fork(static_cast<uint64_t>(w < 0 ? 1000000 + r : w))});
  }
}

ComputeEmulator::Outcome ComputeEmulator::Step(int rank, double measured, double now) {
  Outcome out{measured, false};
  const int w = rank_to_worker_.at(rank);
  if (w < 0) return out;
  PerRank& pr = ranks_[rank];
  const int64_t step = pr.steps++;
  for (const KillRule& k : o_.kills) {
    if (k.server >= 0 || k.worker != w) continue;
    if ((k.at_step >= 0 && step >= k.at_step) || (k.at_time >= 0 && now >= k.at_time)) {
      out.killed = true;
      return out;
    }
  }
  double t = o_.step_time > 0 ? o_.step_time : measured;
  double factor = 1;
  double latest = -1;
  for (const SlowdownRule& s : o_.slowdowns) {
    if (s.worker == w && now >= s.from_time && s.from_time >= latest) {
      factor = s.factor;
      latest = s.from_time;
    }
  }
  t *= factor;
  // Draw both every step so that the stream does not depend on the options' values.
  const double u = pr.rng.Uniform();
  const double z = pr.rng.Normal();
  if (o_.straggle_prob > 0 && u < o_.straggle_prob) {
    t *= o_.straggle_factor;
    std::lock_guard<std::mutex> lock(mu_);
    pr.stragglers++;
  }
  if (o_.step_sigma > 0) t *= std::exp(o_.step_sigma * z - 0.5 * o_.step_sigma * o_.step_sigma);
  out.seconds = std::max(t, measured);
  return out;
}

std::vector<int64_t> ComputeEmulator::Stragglers() const {
  std::vector<int64_t> out;
  std::lock_guard<std::mutex> lock(mu_);
  for (size_t r = 0; r < ranks_.size(); ++r)
    if (rank_to_worker_[r] >= 0) {
      if (out.size() <= static_cast<size_t>(rank_to_worker_[r])) out.resize(rank_to_worker_[r] + 1);
      out[rank_to_worker_[r]] = ranks_[r].stragglers;
    }
  return out;
}

}  // namespace parley
