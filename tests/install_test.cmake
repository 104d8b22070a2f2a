# Installs neurona into a scratch prefix, then configures, builds and runs a project that uses it
# through find_package(neurona). Run by ctest with SOURCE_DIR, BINARY_DIR and WORK_DIR set.
file(REMOVE_RECURSE ${WORK_DIR})
execute_process(COMMAND ${CMAKE_COMMAND} --install ${BINARY_DIR} --prefix ${WORK_DIR}/prefix
                RESULT_VARIABLE result OUTPUT_QUIET)
if(result)
  message(FATAL_ERROR "cmake --install failed: ${result}")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -S ${SOURCE_DIR}/tests/consumer -B ${WORK_DIR}/build
                        -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix
                        "-DCMAKE_CXX_FLAGS=${CONSUMER_FLAGS}"
                RESULT_VARIABLE result)
if(result)
  message(FATAL_ERROR "configuring a find_package(neurona) project failed: ${result}")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --build ${WORK_DIR}/build RESULT_VARIABLE result)
if(result)
  message(FATAL_ERROR "building against the installed neurona failed: ${result}")
endif()
execute_process(COMMAND ${WORK_DIR}/build/consumer OUTPUT_VARIABLE output RESULT_VARIABLE result)
if(result OR NOT output MATCHES "3-2-4-1")
  message(FATAL_ERROR "the consumer program failed (${result}): ${output}")
endif()
file(REMOVE_RECURSE ${WORK_DIR})
