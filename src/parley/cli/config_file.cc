#include "parley/cli/config_file.h"

#include <toml++/toml.h>

#include <sstream>

namespace parley {
namespace {

std::string Where(const std::string& path, const toml::source_region& r) {
  return path + ":" + std::to_string(r.begin.line);
}

// A scalar TOML value as a flag argument; empty optional for other node types.
std::optional<std::string> Scalar(const toml::node& n) {
  if (auto v = n.as_string()) return v->get();
  if (auto v = n.as_integer()) return std::to_string(v->get());
  if (auto v = n.as_floating_point()) {
    std::ostringstream s;
    s.precision(17);
    s << v->get();
    return s.str();
  }
  if (auto v = n.as_boolean()) return v->get() ? "true" : "false";
  return std::nullopt;
}

}  // namespace

StatusOr<std::vector<std::string>> ConfigToFlags(const std::string& path, const CLI::App& cmd) {
  toml::table table;
  try {
    table = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    const auto& b = e.source().begin;
    if (b.line == 0) return NotFound("--config: cannot read " + path + ": " + std::string(e.description()));
    return InvalidArgument(path + ":" + std::to_string(b.line) + ":" + std::to_string(b.column) +
                           ": " + std::string(e.description()));
  }
  std::vector<std::string> flags;
  for (const auto& [key, node] : table) {
    std::string name(key.str());
    std::string where = Where(path, node.source());
    const CLI::Option* opt = cmd.get_option_no_throw("--" + name);
    if (opt == nullptr || name == "config")
      return InvalidArgument(where + ": unknown key '" + name + "' (keys are the flags of 'parley " +
                             cmd.get_name() + "' without dashes; see --help)");
    if (auto s = Scalar(node)) {
      if (opt->get_expected_min() == 0) {  // a switch
        if (!node.is_boolean())
          return InvalidArgument(where + ": '" + name + "' is a switch: use true or false");
        if (node.as_boolean()->get()) flags.push_back("--" + name);
        continue;
      }
      flags.push_back("--" + name);
      flags.push_back(*s);
    } else if (auto arr = node.as_array()) {
      std::string joined;
      for (const auto& item : *arr) {
        auto s = Scalar(item);
        if (!s) return InvalidArgument(where + ": '" + name + "' must be an array of scalars");
        if (!joined.empty()) joined += ",";
        joined += *s;
      }
      flags.push_back("--" + name);
      flags.push_back(joined);
    } else {
      return InvalidArgument(where + ": '" + name + "' must be a value or an array, not a table");
    }
  }
  return flags;
}

}  // namespace parley
