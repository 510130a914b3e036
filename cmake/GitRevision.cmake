# The git revision goes into `handoff --version`.
# Only the source tree's own .git counts: a tarball unpacked inside another
# repository must not report that repository's revision.
if(EXISTS ${CMAKE_SOURCE_DIR}/.git)
  execute_process(COMMAND git rev-parse --short=12 HEAD
    WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}
    OUTPUT_VARIABLE HANDOFF_GIT_REVISION OUTPUT_STRIP_TRAILING_WHITESPACE
    ERROR_QUIET)
endif()
if(NOT HANDOFF_GIT_REVISION)
  set(HANDOFF_GIT_REVISION "unknown")
endif()
