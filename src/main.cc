#include "cli/main.h"

int main(int argc, char** argv) { return handoff::cli::main(argc, argv); }
