// TOML config files for the command line. A config holds the same keys as the subcommand's
// flags, without the leading dashes (`lr = 0.05`, `hidden = [256, 128]`, `quiet = true`);
// flags given on the command line win over the file.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "parley/core/status.h"

namespace parley {

// Reads `path` and returns the equivalent flags ("--lr", "0.05", ...) for subcommand `cmd`.
// Errors name the file, the line and what is wrong (TOML syntax, a key `cmd` has no flag for,
// a value of the wrong shape).
StatusOr<std::vector<std::string>> ConfigToFlags(const std::string& path, const CLI::App& cmd);

}  // namespace parley
