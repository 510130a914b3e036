# cmake -DOUT=FILE -P RunToFile.cmake -- COMMAND ARGS...: run the command and
# write its stdout to FILE (no shell redirection, so any generator works);
# a failing command fails the build and leaves no half-written file.
set(argv "")
set(after_dashes FALSE)
math(EXPR last "${CMAKE_ARGC} - 1")
foreach(i RANGE ${last})
  if(after_dashes)
    list(APPEND argv "${CMAKE_ARGV${i}}")
  elseif(CMAKE_ARGV${i} STREQUAL "--")
    set(after_dashes TRUE)
  endif()
endforeach()
execute_process(COMMAND ${argv} OUTPUT_FILE ${OUT}.tmp RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  file(REMOVE ${OUT}.tmp)
  message(FATAL_ERROR "${argv} failed (${rc})")
endif()
file(RENAME ${OUT}.tmp ${OUT})
