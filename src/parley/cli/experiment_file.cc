#include "parley/cli/experiment_file.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>
#include <optional>
#include <stdexcept>

namespace parley {
namespace {

std::string Where(const std::string& path, const toml::node& n) {
  return path + ":" + std::to_string(n.source().begin.line);
}

std::optional<std::string> Scalar(const toml::node& n) {
  if (auto v = n.as_string()) return v->get();
  if (auto v = n.as_integer()) return std::to_string(v->get());
  if (auto v = n.as_floating_point()) {  // shortest text that reads back as the same double
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v->get());
    return std::string(buf, end);
  }
  if (auto v = n.as_boolean()) return v->get() ? "true" : "false";
  return std::nullopt;
}

StatusOr<std::string> FlagValue(const std::string& path, const std::string& key, const toml::node& n) {
  if (auto s = Scalar(n)) return *s;
  if (auto arr = n.as_array()) {
    std::string joined;
    for (const auto& item : *arr) {
      auto s = Scalar(item);
      if (!s || item.is_boolean())
        return InvalidArgument(Where(path, n) + ": '" + key + "' must be an array of strings or numbers");
      if (!joined.empty()) joined += ",";
      joined += *s;
    }
    return joined;
  }
  return InvalidArgument(Where(path, n) + ": '" + key + "' must be a string, number, boolean or array, not a " +
                         (n.is_table() ? "table" : "date or time"));
}

StatusOr<int> RepeatValue(const std::string& path, const toml::node& n) {
  auto v = n.as_integer();
  if (v == nullptr || v->get() < 1 || v->get() > 1000)
    return InvalidArgument(Where(path, n) + ": 'repeat' must be an integer from 1 to 1000");
  return static_cast<int>(v->get());
}

// Adds the keys of `table` (a [workload] or a [[run]]) to `flags`, replacing keys already there.
Status AddFlags(const std::string& path, const toml::table& table, bool is_run, std::vector<Flag>& flags,
                std::optional<int>& repeat) {
  for (const auto& [k, node] : table) {
    std::string key(k.str());
    if (key == "name") {
      if (!is_run) return InvalidArgument(Where(path, node) + ": 'name' belongs in a [[run]] table, not [workload]");
      continue;
    }
    if (key == "repeat") {
      PARLEY_ASSIGN_OR_RETURN(repeat, RepeatValue(path, node));
      continue;
    }
    if (key == "metrics" || key == "summary")
      return InvalidArgument(Where(path, node) + ": '" + key +
                             "' is set by compare (DIR/<name>." + (key == "metrics" ? "jsonl" : "json") + ")");
    if (key.empty() || key[0] == '-')
      return InvalidArgument(Where(path, node) + ": '" + key + "': keys are train's flags without the dashes");
    PARLEY_ASSIGN_OR_RETURN(std::string value, FlagValue(path, key, node));
    Flag f{key, value, static_cast<int>(node.source().begin.line)};
    auto it = std::find_if(flags.begin(), flags.end(), [&](const Flag& g) { return g.key == key; });
    if (it != flags.end()) *it = f;
    else flags.push_back(f);
  }
  return OkStatus();
}

bool ValidName(const std::string& name) {
  if (name.empty() || name[0] == '.' || name.size() > 100) return false;
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && std::string("._-+=,").find(c) == std::string::npos)
      return false;
  return true;
}

}  // namespace

StatusOr<std::vector<RunSpec>> ReadExperiment(const std::string& path, const std::string& cli_target) {
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    const auto& b = e.source().begin;
    if (b.line == 0) return NotFound("--config: cannot read " + path + ": " + std::string(e.description()));
    return InvalidArgument(path + ":" + std::to_string(b.line) + ":" + std::to_string(b.column) + ": " +
                           std::string(e.description()));
  }
  for (const auto& [k, node] : root) {
    if (k.str() != "workload" && k.str() != "run")
      return InvalidArgument(Where(path, node) + ": unknown key '" + std::string(k.str()) +
                             "' (an experiment has a [workload] table and [[run]] tables)");
  }
  std::vector<Flag> workload;
  std::optional<int> workload_repeat;
  if (const toml::node* w = root.get("workload")) {
    if (!w->is_table()) return InvalidArgument(Where(path, *w) + ": 'workload' must be a table ([workload])");
    PARLEY_RETURN_IF_ERROR(AddFlags(path, *w->as_table(), false, workload, workload_repeat));
  }
  const toml::node* runs_node = root.get("run");
  if (runs_node == nullptr)
    return InvalidArgument(path + ": no [[run]] tables; an experiment needs at least one run (name = \"...\" plus the flags it changes)");
  const toml::array* runs = runs_node->as_array();
  if (runs != nullptr && runs->empty())
    return InvalidArgument(path + ": the run list is empty; an experiment needs at least one [[run]]");
  if (runs == nullptr || !runs->is_array_of_tables())
    return InvalidArgument(Where(path, *runs_node) + ": 'run' must be an array of tables: write [[run]], not [run]");

  std::vector<RunSpec> specs;
  std::map<std::string, int> seen;
  for (const auto& node : *runs) {
    const toml::table& t = *node.as_table();
    RunSpec spec;
    spec.line = static_cast<int>(t.source().begin.line);
    const toml::node* name = t.get("name");
    if (name == nullptr)
      return InvalidArgument(path + ":" + std::to_string(spec.line) + ": [[run]] without a name (name = \"...\")");
    if (!name->is_string() || !ValidName(name->as_string()->get()))
      return InvalidArgument(Where(path, *name) +
                             ": a run name must be a non-empty string of letters, digits and ._-+=, (it names the output files)");
    spec.name = name->as_string()->get();
    if (auto it = seen.find(spec.name); it != seen.end())
      return InvalidArgument(Where(path, *name) + ": duplicate run name '" + spec.name + "' (first at line " +
                             std::to_string(it->second) + ")");
    seen[spec.name] = static_cast<int>(name->source().begin.line);
    spec.flags = workload;
    std::optional<int> repeat = workload_repeat;
    PARLEY_RETURN_IF_ERROR(AddFlags(path, t, true, spec.flags, repeat));
    spec.repeat = repeat.value_or(1);
    if (!cli_target.empty()) {
      auto it = std::find_if(spec.flags.begin(), spec.flags.end(), [](const Flag& f) { return f.key == "target"; });
      if (it != spec.flags.end()) it->value = cli_target;
      else spec.flags.push_back({"target", cli_target, 0});
    }
    if (spec.repeat > 1) {
      auto it = std::find_if(spec.flags.begin(), spec.flags.end(), [](const Flag& f) { return f.key == "seed"; });
      if (it != spec.flags.end()) {
        try {
          size_t used = 0;
          spec.seed = std::stoull(it->value, &used);
          if (used != it->value.size()) throw std::invalid_argument("trailing");
        } catch (const std::exception&) {
          return InvalidArgument(path + ":" + std::to_string(it->line) + ": with repeat, 'seed' must be a non-negative integer");
        }
        spec.flags.erase(it);
      }
    }
    specs.push_back(std::move(spec));
  }
  return specs;
}

}  // namespace parley
