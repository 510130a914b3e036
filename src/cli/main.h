#pragma once
// The command line: parse, delegate, and turn errors into one clear message and
// a documented exit code. The only place that catches handoff::Error.
namespace handoff::cli {

int main(int argc, char** argv);

}  // namespace handoff::cli
