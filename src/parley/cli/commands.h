// The subcommands of the `parley` program. Each registers its flags on a CLI11 subcommand and
// runs after parsing; Run* functions return the process exit code.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <vector>

#include "parley/core/status.h"
#include "parley/runtime/run_options.h"

namespace parley {

struct TrainCommand;
struct EvalCommand;
struct GenCommand;
struct SplitCommand;
struct PlotCommand;
struct CompareCommand;

std::shared_ptr<TrainCommand> AddTrainCommand(CLI::App& app);
int RunTrainCommand(TrainCommand& c);
// The flags of `parley train` (args: the flags alone, e.g. {"--model", "logreg"}) parsed into
// RunOptions exactly as the command line parses them, for in-process callers (the Python
// module). Errors: InvalidArgument with CLI11's message or the flag's (a bad --target, --slowdown).
StatusOr<RunOptions> ParseTrainFlags(const std::vector<std::string>& args);
std::shared_ptr<EvalCommand> AddEvalCommand(CLI::App& app);
int RunEvalCommand(EvalCommand& c);
std::shared_ptr<GenCommand> AddGenCommand(CLI::App& app);
int RunGenCommand(GenCommand& c);
std::shared_ptr<SplitCommand> AddSplitCommand(CLI::App& app);
int RunSplitCommand(SplitCommand& c);
std::shared_ptr<PlotCommand> AddPlotCommand(CLI::App& app);
int RunPlotCommand(PlotCommand& c);
std::shared_ptr<CompareCommand> AddCompareCommand(CLI::App& app);
int RunCompareCommand(CompareCommand& c);

}  // namespace parley
