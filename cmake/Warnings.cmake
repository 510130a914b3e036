# Warning flags for our own targets, on an INTERFACE target.
add_library(handoff_warnings INTERFACE)
target_compile_options(handoff_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Woverloaded-virtual
  # g++ 12 reports false positives from inside libstdc++ on string concatenation
  # at -O2 (GCC bugs 105329, 105651); silenced by name, -Werror stays.
  $<$<CXX_COMPILER_ID:GNU>:-Wno-restrict -Wno-stringop-overflow -Wno-array-bounds>
  # nlohmann/json and CLI11 trip -Wnull-dereference style checks in some builds.
)
if(HANDOFF_WERROR)
  target_compile_options(handoff_warnings INTERFACE -Werror)
endif()
