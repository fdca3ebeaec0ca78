# What `cmake --install` puts where, and the Debian package CPack builds from it
# (scripts/package.sh). The programs are installed by app/CMakeLists.txt, the packaged core
# library by core/CMakeLists.txt; this file adds the data, the menu entry and the package.
# The date the changelog and the man pages carry: that of the last commit (or
# $SOURCE_DATE_EPOCH), not of the build, so that building the same sources twice gives the
# same bytes.
if(DEFINED ENV{SOURCE_DATE_EPOCH})
  set(ATTNSCOPE_SOURCE_EPOCH $ENV{SOURCE_DATE_EPOCH})
else()
  execute_process(COMMAND git -C ${PROJECT_SOURCE_DIR} log -1 --format=%ct
                  OUTPUT_VARIABLE ATTNSCOPE_SOURCE_EPOCH OUTPUT_STRIP_TRAILING_WHITESPACE
                  RESULT_VARIABLE status ERROR_QUIET)
endif()
if(NOT ATTNSCOPE_SOURCE_EPOCH MATCHES "^[0-9]+$")
  set(ATTNSCOPE_SOURCE_EPOCH 0)
endif()
include(${PROJECT_SOURCE_DIR}/cmake/manpages.cmake)

# The bundled models, found by the programs relative to their own place (app/about.h). The
# random model only serves the tests.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/assets/models/
        DESTINATION ${CMAKE_INSTALL_DATADIR}/attnscope/models
        PATTERN random-en-fr EXCLUDE)
install(FILES ${PROJECT_SOURCE_DIR}/assets/desktop/attnscope.desktop
        DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
if(ATTNSCOPE_ICON_FILES)
  install(FILES ${ATTNSCOPE_ICON_DIR}/attnscope.svg
          DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps)
  foreach(size ${ATTNSCOPE_ICON_SIZES})
    install(FILES ${ATTNSCOPE_ICON_DIR}/${size}x${size}/attnscope.png
            DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/${size}x${size}/apps)
  endforeach()
endif()

# Debian's documentation folder: the copyright, and a changelog compressed the way Debian
# wants it (gzip -9n: no name, no time stamp, so two builds give the same bytes).
set(ATTNSCOPE_DOC_DIR ${CMAKE_INSTALL_DATADIR}/doc/attnscope)
set(ATTNSCOPE_MAINTAINER "$ENV{DEBFULLNAME}")
if(NOT ATTNSCOPE_MAINTAINER)
  set(ATTNSCOPE_MAINTAINER "attnscope maintainers")
endif()
set(ATTNSCOPE_MAINTAINER_EMAIL "$ENV{DEBEMAIL}")
if(NOT ATTNSCOPE_MAINTAINER_EMAIL)
  set(ATTNSCOPE_MAINTAINER_EMAIL "maintainers@attnscope.invalid")
endif()
set(ATTNSCOPE_CHANGELOG ${PROJECT_BINARY_DIR}/package/changelog)
execute_process(COMMAND date -u -R -d @${ATTNSCOPE_SOURCE_EPOCH}
                OUTPUT_VARIABLE changelog_date OUTPUT_STRIP_TRAILING_WHITESPACE)
file(WRITE ${ATTNSCOPE_CHANGELOG}
"attnscope (${PROJECT_VERSION}) unstable; urgency=medium

  * attnscope ${PROJECT_VERSION}: see the README for what it does.

 -- ${ATTNSCOPE_MAINTAINER} <${ATTNSCOPE_MAINTAINER_EMAIL}>  ${changelog_date}
")
execute_process(COMMAND gzip -9nf ${ATTNSCOPE_CHANGELOG})
install(FILES ${ATTNSCOPE_CHANGELOG}.gz ${PROJECT_SOURCE_DIR}/assets/desktop/copyright
        DESTINATION ${ATTNSCOPE_DOC_DIR})

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME attnscope)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "${ATTNSCOPE_MAINTAINER} <${ATTNSCOPE_MAINTAINER_EMAIL}>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "see the attention inside a Transformer translation model")
set(CPACK_PACKAGE_DESCRIPTION
"attnscope computes a Transformer encoder-decoder exactly as PyTorch does and
records every attention weight: encoder self-attention, decoder masked
self-attention and cross-attention, per layer, head and decoding step.
.
The desktop app shows them live as heatmaps and token links while you type,
and exports them as PNG, SVG, CSV or JSON. It comes with small translation
models trained on a toy English-French language whose true word alignments
are known. attnscope-cli translates, traces and scores models from the
command line; attnscope-train trains new ones.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# The libraries the programs link are found by dpkg-shlibdeps; what they open by name is not.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS ${CMAKE_INSTALL_PREFIX}/${ATTNSCOPE_CORE_INSTALL_DIR})
set(CPACK_DEBIAN_PACKAGE_DEPENDS "fonts-dejavu-core")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "libgl1-mesa-dri")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "xvfb, xauth")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_INSTALL_DIRECTORY attnscope)
include(CPack)
