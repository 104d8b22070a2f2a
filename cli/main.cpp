// neurona: train and run multilayer perceptrons from the shell. Errors are printed as
// "error: ..." with exit status 2 for a usage error and 1 for anything else.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <new>

#include "commands.hpp"
#include "neurona/neurona.hpp"
#include "options.hpp"

int main(int argc, char** argv) {
  CLI::App app{
      "neurona: train and run multilayer perceptrons, as derived in the tutorial "
      "\"Red neuronal 1\"."};
  app.set_version_flag("--version", std::string("neurona ") + neurona::version);
  app.require_subcommand(1);
  int status = 0;
  neurona::cli::invocation() = neurona::cli::training_command(argc, argv);
  neurona::cli::add_demo_command(app, status);
  neurona::cli::add_train_command(app, status);
  neurona::cli::add_predict_command(app, status);
  neurona::cli::add_evaluate_command(app, status);
  neurona::cli::add_gradcheck_command(app, status);
  neurona::cli::add_explain_command(app, status);
  neurona::cli::add_report_command(app, status);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    fmt::print(stderr, "error: {} (run with --help for the usage)\n", e.what());
    return 2;
  } catch (const neurona::UsageError& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return 2;
  } catch (const neurona::Error& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return 1;
  } catch (const std::bad_alloc&) {
    fmt::print(stderr, "error: out of memory\n");
    return 1;
  }
  return status;
}
