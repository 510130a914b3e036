#include "container/dockerfile.h"

namespace handoff::container {

// Kept in step with k_dockerfile's runtime stage (a unit test checks).
const std::string_view k_runtime_packages =
    "python3 python3-venv ca-certificates tini "
    "libcurl4 libssl3 libyaml-cpp0.7 libfmt9 libpugixml1v5 libsodium23";

// No `# syntax=` line: that would make BuildKit fetch a frontend image, and the
// file uses nothing beyond the classic builder's instructions, so both
// builders take it.
const std::string_view k_dockerfile = R"(# handoff's default Dockerfile, written by `handoff container build`.
# The build context holds handoff/ (the source), project/ (without .secrets/ or
# any *.secret* file), script/entrypoint.sh and this file.

# 1. build: handoff from source, with the packages of scripts/install-deps.sh.
FROM debian:12 AS build
COPY handoff/scripts/install-deps.sh /src/scripts/install-deps.sh
RUN /src/scripts/install-deps.sh && rm -rf /var/lib/apt/lists/*
COPY handoff/ /src/
RUN cmake -S /src -B /src/build -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DHANDOFF_BUILD_TESTS=OFF -DHANDOFF_BUILD_BENCH=OFF \
 && cmake --build /src/build --target handoff \
 && strip /src/build/handoff

# 2. runtime: python3 and venv for the project's installs, the libraries
#    handoff links, tini as PID 1, the binary and the entrypoint.
FROM debian:12-slim AS runtime
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      python3 python3-venv ca-certificates tini \
      libcurl4 libssl3 libyaml-cpp0.7 libfmt9 libpugixml1v5 libsodium23 \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/build/handoff /usr/local/bin/handoff
COPY script/entrypoint.sh /app/entrypoint.sh
RUN chmod 755 /app/entrypoint.sh && handoff --version
WORKDIR /app
ENV HO_STORE=aws

# 3. install: the project's venvs, then the project and the workspace's
#    files, config and artifacts removed in the same layer (of this stage).
FROM runtime AS install
ARG HO_INSTALL=1
COPY project/ /app/project/
RUN if [ "$HO_INSTALL" = 1 ]; then \
      handoff workspace install -p project -w workspace; \
    else \
      mkdir -p workspace; \
    fi \
 && rm -rf project workspace/files workspace/config workspace/artifacts \
      workspace/templates workspace/project.yml workspace/.handoff

# 4. final: the runtime and the installed workspace only. Secrets come from
#    SSM at run time through the task role, never from the image.
FROM runtime
COPY --from=install /app/workspace /app/workspace
ENTRYPOINT ["/usr/bin/tini", "--", "/app/entrypoint.sh"]
)";

const std::string_view k_entrypoint = R"(#!/bin/sh
# handoff's container entrypoint, written by `handoff container build`.
# __VARS is evaluated by this shell when the container starts, as the original
# does, so -e __VARS='start_date=$(date -I -d "-7 day")' is the run's date;
# COMMAND may replace `run`. An absent __VARS gives -v dummy=1.
# shellcheck disable=SC2046,SC2086
exec handoff ${COMMAND:-run} -w workspace -a -s "${HO_STAGE:-dev}" -v $(eval echo ${__VARS:-dummy=1})
)";

}  // namespace handoff::container
