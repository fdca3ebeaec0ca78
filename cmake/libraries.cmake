# The three libraries under the programs, each a folder with include/ and src/:
#   core/        attnscope_core   the model: config, tokenizer, checkpoint, weights, forward
#                                 pass, decoding, Trace and its aggregates, text -> Trace
#   core/data/   attnscope_data   the toy language and the symbol tasks, corpora, vocabularies
#   core/train/  attnscope_train  training and evaluation
# Each links the one above it. None knows about drawing: colormaps and export formats are
# the app's (app/views/).
#
# attnscope_library(NAME DIR [DEPENDS lib...]) adds the library NAME from DIR/src/*.cpp with
# the public headers of DIR/include.
#
# With ATTNSCOPE_DISPATCH the three are compiled into one private shared library,
# libattnscope_core.so, built three times: for any x86-64 in lib/, and for x86-64-v3 and
# x86-64-v4 in lib/glibc-hwcaps/x86-64-v{3,4}/. The dynamic loader (glibc 2.33 or later)
# loads the best copy this CPU runs, so the matrix products run 2-3 times faster with AVX2
# or AVX-512 while the programs stay plain x86-64. The version script keeps each copy's
# Eigen and standard library code internal, so no copy calls into code compiled for another
# CPU. The names attnscope_core, attnscope_data and attnscope_train then stand for that one
# library with the headers of each part.
set(ATTNSCOPE_DISPATCH_LEVELS base v3 v4)

function(attnscope_library name dir)
  cmake_parse_arguments(ARG "" "" "DEPENDS" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS ${dir}/src/*.cpp)
  if(NOT ATTNSCOPE_DISPATCH)
    add_library(${name} STATIC ${sources})
    target_include_directories(${name} PUBLIC ${dir}/include)
    target_link_libraries(${name} PUBLIC Eigen3::Eigen OpenMP::OpenMP_CXX ${ARG_DEPENDS}
                                  PRIVATE nlohmann_json::nlohmann_json)
    return()
  endif()
  add_library(${name} INTERFACE)
  target_include_directories(${name} INTERFACE ${dir}/include)
  target_link_libraries(${name} INTERFACE Eigen3::Eigen OpenMP::OpenMP_CXX ${ARG_DEPENDS})
  # The objects see the headers of this part and of those added before it (its dependencies),
  # but link nothing: the shared library they end up in does.
  set_property(GLOBAL APPEND PROPERTY ATTNSCOPE_DISPATCH_INCLUDES ${dir}/include)
  get_property(includes GLOBAL PROPERTY ATTNSCOPE_DISPATCH_INCLUDES)
  foreach(level ${ATTNSCOPE_DISPATCH_LEVELS})
    add_library(${name}_${level} OBJECT ${sources})
    set_target_properties(${name}_${level} PROPERTIES POSITION_INDEPENDENT_CODE ON)
    target_include_directories(${name}_${level} PRIVATE ${includes})
    target_link_libraries(${name}_${level} PRIVATE Eigen3::Eigen OpenMP::OpenMP_CXX
                                                   nlohmann_json::nlohmann_json)
    target_compile_definitions(${name}_${level} PRIVATE ${ATTNSCOPE_ALIGN_DEFINITIONS})
    if(NOT level STREQUAL "base")
      target_compile_options(${name}_${level} PRIVATE -march=x86-64-${level}
                                                      ${ATTNSCOPE_VECTOR_FLAGS})
    endif()
  endforeach()
  set_property(GLOBAL APPEND PROPERTY ATTNSCOPE_DISPATCH_PARTS ${name})
endfunction()

# Links the parts added above into the shared libraries (ATTNSCOPE_DISPATCH only).
function(attnscope_dispatch_libraries)
  if(NOT ATTNSCOPE_DISPATCH)
    return()
  endif()
  get_property(parts GLOBAL PROPERTY ATTNSCOPE_DISPATCH_PARTS)
  set(exports ${PROJECT_SOURCE_DIR}/core/exports.map)
  foreach(level ${ATTNSCOPE_DISPATCH_LEVELS})
    set(target attnscope_shared_${level})
    set(subdir "")
    if(NOT level STREQUAL "base")
      set(subdir /glibc-hwcaps/x86-64-${level})
    endif()
    set(objects "")
    foreach(part ${parts})
      list(APPEND objects $<TARGET_OBJECTS:${part}_${level}>)
    endforeach()
    add_library(${target} SHARED ${objects})
    target_link_libraries(${target} PRIVATE Eigen3::Eigen OpenMP::OpenMP_CXX)
    set_target_properties(${target} PROPERTIES
      OUTPUT_NAME attnscope_core
      LIBRARY_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/lib${subdir}
      LINK_DEPENDS ${exports})
    target_link_options(${target} PRIVATE -Wl,--version-script=${exports} -Wl,--no-undefined)
    install(TARGETS ${target} LIBRARY DESTINATION ${ATTNSCOPE_CORE_INSTALL_DIR}${subdir})
  endforeach()
  # The programs link the plain copy; whatever links it gets the faster copies built too.
  target_link_libraries(attnscope_core INTERFACE attnscope_shared_base)
  target_compile_definitions(attnscope_core INTERFACE ${ATTNSCOPE_ALIGN_DEFINITIONS})
  add_dependencies(attnscope_shared_base attnscope_shared_v3 attnscope_shared_v4)
endfunction()

if(ATTNSCOPE_DISPATCH)
  set(ATTNSCOPE_CORE_INSTALL_DIR ${CMAKE_INSTALL_LIBDIR}/attnscope CACHE INTERNAL
      "where the packaged core library goes")
  # Eigen objects cross between the programs and the library: both must agree on their
  # alignment, which Eigen otherwise derives from the instruction set (16 bytes for SSE, 64
  # for AVX-512). Memory allocated on one side would then be freed wrongly on the other.
  set(ATTNSCOPE_ALIGN_DEFINITIONS EIGEN_MAX_ALIGN_BYTES=64 EIGEN_MAX_STATIC_ALIGN_BYTES=64)
endif()
