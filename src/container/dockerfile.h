#pragma once
// handoff's own Dockerfile and the container's entrypoint script (spec §9.1,
// §9.2; issue 5 point 1), as text embedded in the binary.
//
// Four stages, so that nothing of the project but its installed workspace
// reaches the image:
//   build    debian:12 with the packages of scripts/install-deps.sh (the
//            script itself runs), handoff built from handoff/ with cmake
//   runtime  debian:12-slim with python3, python3-venv, CA certificates, tini
//            and the shared libraries handoff links; the binary; ENV HO_STORE=aws
//   install  runtime + project/, `handoff workspace install -p project -w
//            workspace`, then project/ and workspace/{files,artifacts,…}
//            removed in the same RUN (a layer of this stage only)
//   final    runtime + /app/workspace copied from install: the project's
//            files and the build stage's layers are in no layer of the image
// The build context never holds `.secrets/` or a file whose name contains
// `.secret` (build_context.h), so no layer of any stage can.
#include <string_view>

namespace handoff::container {

/// The Dockerfile text. Expects the build context of build_context.h:
/// handoff/ (the source tree), project/, script/entrypoint.sh. Build argument
/// HO_INSTALL=0 skips `workspace install` (a project without installs).
extern const std::string_view k_dockerfile;

/// script/entrypoint.sh: runs `handoff ${COMMAND:-run} -w workspace -a -s
/// ${HO_STAGE:-dev} -v $(eval echo ${__VARS:-dummy=1})` from /app, so
/// `$(date …)` inside __VARS is computed by the container's shell when it
/// starts, as the original's CMD does.
extern const std::string_view k_entrypoint;

/// The Debian runtime packages of the final image (also in k_dockerfile).
extern const std::string_view k_runtime_packages;

}  // namespace handoff::container
