// parley: distributed stochastic gradient descent. Entry point: parses the subcommand and its
// flags (and --config TOML files) and runs it.
#include <cstdio>
#include <cstring>
#include <exception>
#include <new>
#include <string>
#include <vector>

#include "parley/cli/commands.h"
#include "parley/cli/config_file.h"

int main(int argc, char** argv) {
  CLI::App app{"parley: distributed stochastic gradient descent, one flag to choose how workers cooperate"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Print the help of every subcommand");
  auto train = parley::AddTrainCommand(app);
  auto eval = parley::AddEvalCommand(app);
  auto gen = parley::AddGenCommand(app);
  auto split = parley::AddSplitCommand(app);
  auto plot = parley::AddPlotCommand(app);
  auto compare = parley::AddCompareCommand(app);

  // Expand --config FILE into flags placed before the command line's own, so those win.
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) args.emplace_back(argv[i]);
  for (size_t i = 0; i < args.size(); ++i) {
    std::string path;
    size_t consumed = 0;
    if (args[i] == "--config" && i + 1 < args.size()) {
      path = args[i + 1];
      consumed = 2;
    } else if (args[i].rfind("--config=", 0) == 0) {
      path = args[i].substr(9);
      consumed = 1;
    } else {
      continue;
    }
    if (args.empty()) break;
    if (args[0] == "compare") break;  // compare's --config is an experiment file it reads itself
    CLI::App* sub = nullptr;
    for (CLI::App* candidate : app.get_subcommands([](CLI::App*) { return true; }))
      if (candidate->get_name() == args[0]) sub = candidate;
    if (sub == nullptr || sub->get_option_no_throw("--config") == nullptr) {
      std::fprintf(stderr, "error: --config belongs after a subcommand that takes it (parley train --config run.toml)\n");
      return 2;
    }
    auto flags = parley::ConfigToFlags(path, *sub);
    if (!flags.ok()) {
      std::fprintf(stderr, "error: %s\n", flags.status().message().c_str());
      return 2;
    }
    args.erase(args.begin() + static_cast<long>(i), args.begin() + static_cast<long>(i + consumed));
    args.insert(args.begin() + 1, flags->begin(), flags->end());
    break;
  }
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  // What escapes a command (roles' exceptions are the run's error already, see
  // runtime/role_guard.h) ends it with a message instead of std::terminate.
  try {
    if (app.got_subcommand("train")) return parley::RunTrainCommand(*train);
    if (app.got_subcommand("eval")) return parley::RunEvalCommand(*eval);
    if (app.got_subcommand("gen")) return parley::RunGenCommand(*gen);
    if (app.got_subcommand("split")) return parley::RunSplitCommand(*split);
    if (app.got_subcommand("plot")) return parley::RunPlotCommand(*plot);
    if (app.got_subcommand("compare")) return parley::RunCompareCommand(*compare);
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr,
                 "error: out of memory (std::bad_alloc): the data or the model needs more memory "
                 "than this machine gives the process (a model's width comes from the data: the "
                 "largest feature index of a LIBSVM file, the users and items of ratings)\n");
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 2;
}
