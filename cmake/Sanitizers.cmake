# HANDOFF_SANITIZE=address,undefined builds everything with those sanitizers.
add_library(handoff_sanitizers INTERFACE)
if(HANDOFF_SANITIZE)
  target_compile_options(handoff_sanitizers INTERFACE
    -fsanitize=${HANDOFF_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  target_link_options(handoff_sanitizers INTERFACE -fsanitize=${HANDOFF_SANITIZE})
endif()
if(CMAKE_BUILD_TYPE STREQUAL "Debug")
  target_compile_definitions(handoff_sanitizers INTERFACE _GLIBCXX_ASSERTIONS)
endif()
