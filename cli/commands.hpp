// The subcommands of `neurona`. Each adds itself to the app; its callback sets the exit status.
#pragma once

#include <CLI/CLI.hpp>

namespace neurona::cli {

void add_demo_command(CLI::App& app, int& status);
void add_train_command(CLI::App& app, int& status);
void add_predict_command(CLI::App& app, int& status);
void add_gradcheck_command(CLI::App& app, int& status);
void add_evaluate_command(CLI::App& app, int& status);
void add_explain_command(CLI::App& app, int& status);
void add_report_command(CLI::App& app, int& status);

}  // namespace neurona::cli
