// s2sim command-line entry point.
#include "sim/cli/cli.h"

int main(int argc, char** argv) { return s2sim::sim::cli_main(argc, argv); }
