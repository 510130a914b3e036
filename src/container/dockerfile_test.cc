#include "container/dockerfile.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "util/strings.h"

namespace handoff::container {
namespace {

namespace fs = std::filesystem;

// The Dockerfile's instructions, continuation lines joined, comments dropped.
std::vector<std::string> instructions() {
  std::vector<std::string> out;
  std::string cur;
  std::istringstream in{std::string(k_dockerfile)};
  for (std::string line; std::getline(in, line);) {
    std::string_view t = util::trim(line);
    if (cur.empty() && (t.empty() || t[0] == '#')) continue;
    bool more = !t.empty() && t.back() == '\\';
    if (more) t.remove_suffix(1);
    cur += std::string(t) + " ";
    if (!more) {
      out.push_back(std::string(util::trim(cur)));
      cur.clear();
    }
  }
  return out;
}

// The instructions of the last stage (after the last FROM).
std::vector<std::string> final_stage() {
  auto all = instructions();
  size_t last = 0;
  for (size_t i = 0; i < all.size(); ++i) {
    if (all[i].rfind("FROM ", 0) == 0) last = i;
  }
  return {all.begin() + static_cast<long>(last), all.end()};
}

TEST(Dockerfile, BuildStageCompilesHandoffOnDebian12WithInstallDeps) {
  std::string d(k_dockerfile);
  EXPECT_NE(d.find("FROM debian:12 AS build\n"), std::string::npos);
  EXPECT_NE(d.find("RUN /src/scripts/install-deps.sh"), std::string::npos);
  EXPECT_NE(d.find("COPY handoff/ /src/"), std::string::npos);
  EXPECT_NE(d.find("-DHANDOFF_BUILD_TESTS=OFF -DHANDOFF_BUILD_BENCH=OFF"), std::string::npos);
  EXPECT_NE(d.find("cmake --build /src/build --target handoff"), std::string::npos);
  EXPECT_EQ(d.find("# syntax"), std::string::npos) << "no frontend image to fetch";
}

TEST(Dockerfile, RuntimeIsDebianSlimWithPythonVenvAndTheLinkedLibraries) {
  std::string d(k_dockerfile);
  EXPECT_NE(d.find("FROM debian:12-slim AS runtime\n"), std::string::npos);
  for (const auto& pkg : util::split(k_runtime_packages, ' ')) {
    EXPECT_NE(d.find(" " + pkg + " "), std::string::npos) << pkg;
  }
  // One runtime package per library handoff links (cmake/Dependencies.cmake).
  for (const char* lib : {"python3", "python3-venv", "ca-certificates", "libcurl4", "libssl3",
                          "libyaml-cpp0.7", "libfmt9", "libpugixml1v5", "libsodium23"}) {
    EXPECT_NE(std::string(k_runtime_packages).find(lib), std::string::npos) << lib;
  }
  EXPECT_NE(d.find("ENV HO_STORE=aws\n"), std::string::npos);
}

TEST(Dockerfile, WorkspaceInstalledAndProjectRemovedInTheSameLayer) {
  bool found = false;
  for (const auto& ins : instructions()) {
    if (ins.find("handoff workspace install -p project -w workspace") == std::string::npos) continue;
    found = true;
    EXPECT_EQ(ins.rfind("RUN ", 0), 0u) << ins;
    for (const char* rm : {"rm -rf project ", "workspace/files", "workspace/config", "workspace/artifacts"}) {
      EXPECT_NE(ins.find(rm), std::string::npos) << rm << " in " << ins;
    }
  }
  EXPECT_TRUE(found);
}

TEST(Dockerfile, FinalImageTakesOnlyTheInstalledWorkspace) {
  auto last = final_stage();
  ASSERT_FALSE(last.empty());
  EXPECT_EQ(last[0], "FROM runtime");
  for (const auto& ins : last) {
    if (ins.rfind("COPY", 0) == 0 || ins.rfind("ADD", 0) == 0) {
      EXPECT_EQ(ins, "COPY --from=install /app/workspace /app/workspace");
    }
  }
  EXPECT_EQ(last.back(), R"(ENTRYPOINT ["/usr/bin/tini", "--", "/app/entrypoint.sh"])");
  for (const auto& ins : instructions()) {
    EXPECT_EQ(ins.find(".secret"), std::string::npos) << ins;
  }
}

TEST(Dockerfile, EveryRunIsValidShell) {
  int runs = 0;
  for (const auto& ins : instructions()) {
    if (ins.rfind("RUN ", 0) != 0) continue;
    ++runs;
    std::string cmd = "sh -n -c " + util::shell_quote(ins.substr(4));
    EXPECT_EQ(std::system(cmd.c_str()), 0) << ins;
  }
  EXPECT_EQ(runs, 5);
}

// Runs the entrypoint with a stand-in handoff that prints its arguments.
std::string run_entrypoint(const std::string& env) {
  std::string pattern = (fs::temp_directory_path() / "handoff_entry_XXXXXX").string();
  fs::path dir = ::mkdtemp(pattern.data());
  std::ofstream(dir / "entrypoint.sh") << k_entrypoint;
  std::ofstream(dir / "handoff") << "#!/bin/sh\nfor a in \"$@\"; do printf '[%s]' \"$a\"; done > \"$OUT\"\n";
  fs::permissions(dir / "handoff", fs::perms::owner_all);
  std::string cmd = "cd " + util::shell_quote(dir.string()) + " && env -u __VARS -u COMMAND -u HO_STAGE " +
                    "PATH=" + util::shell_quote(dir.string()) + ":/usr/bin:/bin OUT=out " + env +
                    " /bin/sh entrypoint.sh";
  int rc = std::system(cmd.c_str());
  std::ifstream in(dir / "out");
  std::string got((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  fs::remove_all(dir);
  EXPECT_EQ(rc, 0) << cmd;
  return got;
}

TEST(Entrypoint, DefaultsToRunWithDummyVars) {
  EXPECT_EQ(run_entrypoint(""), "[run][-w][workspace][-a][-s][dev][-v][dummy=1]");
}

TEST(Entrypoint, EvaluatesVarsAtRunTime) {
  // What a schedule stores: the command substitution unevaluated.
  std::string got = run_entrypoint(R"('__VARS=start_date=$(echo 2026-11-24) end=x' HO_STAGE=prod)");
  EXPECT_EQ(got, "[run][-w][workspace][-a][-s][prod][-v][start_date=2026-11-24][end=x]");
}

TEST(Entrypoint, CommandReplacesRun) {
  EXPECT_EQ(run_entrypoint("COMMAND=show_commands"),
            "[show_commands][-w][workspace][-a][-s][dev][-v][dummy=1]");
}

}  // namespace
}  // namespace handoff::container
