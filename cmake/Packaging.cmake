# Install rules and the .deb (CPack). Included from the top CMakeLists.txt
# after src/, since the man page and completion scripts are the built
# binary's own output (`handoff help --man`, `handoff completion SHELL`): they
# describe exactly the commands that binary has.
include(GNUInstallDirs)

set(HANDOFF_MAN_PAGE ${CMAKE_BINARY_DIR}/handoff.1)
set(HANDOFF_COMPLETIONS_DIR ${CMAKE_BINARY_DIR}/completions)
set(HANDOFF_COMPLETIONS
  ${HANDOFF_COMPLETIONS_DIR}/handoff.bash
  ${HANDOFF_COMPLETIONS_DIR}/_handoff
  ${HANDOFF_COMPLETIONS_DIR}/handoff.fish)
add_custom_command(OUTPUT ${HANDOFF_MAN_PAGE} ${HANDOFF_COMPLETIONS}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${HANDOFF_COMPLETIONS_DIR}
  COMMAND ${CMAKE_COMMAND} -DOUT=${HANDOFF_MAN_PAGE} -P ${CMAKE_CURRENT_LIST_DIR}/RunToFile.cmake
          -- $<TARGET_FILE:handoff> help --man
  COMMAND ${CMAKE_COMMAND} -DOUT=${HANDOFF_COMPLETIONS_DIR}/handoff.bash -P ${CMAKE_CURRENT_LIST_DIR}/RunToFile.cmake
          -- $<TARGET_FILE:handoff> completion bash
  COMMAND ${CMAKE_COMMAND} -DOUT=${HANDOFF_COMPLETIONS_DIR}/_handoff -P ${CMAKE_CURRENT_LIST_DIR}/RunToFile.cmake
          -- $<TARGET_FILE:handoff> completion zsh
  COMMAND ${CMAKE_COMMAND} -DOUT=${HANDOFF_COMPLETIONS_DIR}/handoff.fish -P ${CMAKE_CURRENT_LIST_DIR}/RunToFile.cmake
          -- $<TARGET_FILE:handoff> completion fish
  DEPENDS handoff ${CMAKE_CURRENT_LIST_DIR}/RunToFile.cmake
  COMMENT "Generating handoff.1 and the bash, zsh and fish completions from handoff's commands"
  VERBATIM)
# Part of `all`: `cmake --install` and cpack need the files.
add_custom_target(handoff_docs ALL DEPENDS ${HANDOFF_MAN_PAGE} ${HANDOFF_COMPLETIONS})

install(TARGETS handoff RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${HANDOFF_MAN_PAGE} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
# Where each shell finds completions without any set-up (bash-completion
# loads by command name, zsh's Debian fpath has vendor-completions, fish
# reads vendor_completions.d).
install(FILES ${HANDOFF_COMPLETIONS_DIR}/handoff.bash
  DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME handoff)
install(FILES ${HANDOFF_COMPLETIONS_DIR}/_handoff DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions)
install(FILES ${HANDOFF_COMPLETIONS_DIR}/handoff.fish DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d)
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR} FILES_MATCHING PATTERN "*.md")

# The .deb: `cpack -G DEB` in the build dir (after a build of `all`).
set(HANDOFF_PACKAGE_MAINTAINER "handoff maintainers <handoff@users.noreply.github.com>"
  CACHE STRING "Maintainer field of the .deb")
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME handoff)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT ${HANDOFF_PACKAGE_MAINTAINER})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "run data pipelines described in project.yml, locally and on AWS")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
  "A compatible, faster successor of the Python handoff: runs the pipelines of a\n"
  "project.yml (Singer taps and targets, or any Unix commands) locally at full\n"
  "pipe speed, and the same project on AWS: config, files and secrets in SSM and\n"
  "S3, container images, Fargate runs and schedules.")
string(REPLACE ";" "" CPACK_DEBIAN_PACKAGE_DESCRIPTION "${CPACK_DEBIAN_PACKAGE_DESCRIPTION}")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER ${HANDOFF_PACKAGE_MAINTAINER})
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# Projects' virtualenvs need python3 -m venv; container commands need docker.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "python3, python3-venv")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "docker.io")
find_program(HANDOFF_DPKG_SHLIBDEPS dpkg-shlibdeps)
if(HANDOFF_DPKG_SHLIBDEPS)
  # Depends from the libraries the binary really links, with their versions.
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
else()
  # Debian 12's packages for the sonames the binary links (ldd + dpkg -S).
  set(CPACK_DEBIAN_PACKAGE_DEPENDS
    "libc6, libstdc++6, libgcc-s1, libyaml-cpp0.7, libcurl4, libsodium23, libfmt9, libpugixml1v5, libssl3, libsqlite3-0")
endif()
# Symbols stay in the build dir; the package gets a stripped binary (a Debug
# build's is ten times larger, and dpkg-shlibdeps reads all of it).
set(CPACK_STRIP_FILES ON)
include(CPack)
