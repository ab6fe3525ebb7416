// Running another program without a shell: argv is passed as is (no quoting or injection
// issues), stdin is /dev/null, stdout and stderr go to a file. Used by `parley compare` (which
// runs `parley train` once per setting) and `parley plot` (which runs the plotting script).
#pragma once

#include <string>
#include <vector>

#include "parley/core/status.h"

namespace parley {

struct ProcessResult {
  int exit_code = -1;  // the exit status when the program exited, else -1
  int signal = 0;      // the signal that ended it, else 0
  bool ok() const { return exit_code == 0; }
  // "exit 2" or "killed by signal 9".
  std::string Describe() const;
};

// Runs argv[0] (a path; PATH is not searched) with arguments argv and this process's
// environment, and waits for it. stdout and stderr are written to `output_path` (truncated
// first); an empty path discards them. Fails only when the program cannot be started.
StatusOr<ProcessResult> RunProcess(const std::vector<std::string>& argv, const std::string& output_path);

// The absolute path of the running executable (/proc/self/exe resolved).
StatusOr<std::string> SelfExecutable();

// Whether `path` names an executable file.
bool IsExecutable(const std::string& path);

}  // namespace parley
