# The render core (src/scene + src/render) compiled with Emscripten to WebAssembly + WebGL2.
# Included by the top CMakeLists.txt when configured with emcmake (see web/build.sh).
# Output: <build>/web/{thumbgen_wasm.mjs, thumbgen_wasm.wasm, thumbgen.mjs, index.html}.

# Header-only dependencies from Debian. Adding -I/usr/include would shadow Emscripten's own libc headers, so a
# private include dir links to just these headers (made at configure time, never committed).
set(WEB_THIRD_PARTY_INCLUDE ${CMAKE_BINARY_DIR}/third_party_include)
file(MAKE_DIRECTORY ${WEB_THIRD_PARTY_INCLUDE})
foreach(header tiny_gltf.h nlohmann glm stb boost)
  if(NOT EXISTS /usr/include/${header})
    message(FATAL_ERROR "/usr/include/${header} is missing: run scripts/deps.sh")
  endif()
  if(NOT EXISTS ${WEB_THIRD_PARTY_INCLUDE}/${header})
    file(CREATE_LINK /usr/include/${header} ${WEB_THIRD_PARTY_INCLUDE}/${header} SYMBOLIC)
  endif()
endforeach()

# The libraries the native loaders link, built with Emscripten from Debian's source packages by
# web/deps/build-wasm-deps.sh (web/build.sh passes their install prefix). Static, imported here one by one.
set(THUMBGEN_WASM_DEPS "" CACHE PATH "prefix of the WebAssembly builds of zlib, zstd, draco, meshoptimizer, assimp")
if(NOT EXISTS "${THUMBGEN_WASM_DEPS}/BUILD-INFO")
  message(FATAL_ERROR "THUMBGEN_WASM_DEPS='${THUMBGEN_WASM_DEPS}' holds no built libraries: build with web/build.sh")
endif()
# Link order: users before what they use (assimp uses minizip, which uses zlib).
set(WEB_DEPENDENCY_LIBRARIES assimp draco meshoptimizer minizip webpdecoder zstd z)
foreach(library ${WEB_DEPENDENCY_LIBRARIES})
  add_library(wasm_dep_${library} STATIC IMPORTED)
  set_target_properties(wasm_dep_${library} PROPERTIES IMPORTED_LOCATION ${THUMBGEN_WASM_DEPS}/lib/lib${library}.a)
  list(APPEND WEB_DEPENDENCY_TARGETS wasm_dep_${library})
endforeach()

# Everything under src/util, src/scene and src/render, as the native build, except encoding (it uses the browser's
# canvas.toBlob / convertToBlob instead) and the util files only the server and the worker use: logging (spdlog),
# the Prometheus text format, request ids and listen addresses.
set(WEB_EXCLUDED_SOURCES
  "/render/encode\\.cpp$"
  "/util/(logging|metrics_text|request_id|listen_address)\\.cpp$"
)
file(GLOB WEB_SCENE_SOURCES CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/scene/*.cpp ${PROJECT_SOURCE_DIR}/src/util/*.cpp)
file(GLOB WEB_RENDER_SOURCES CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/render/*.cpp)
foreach(pattern ${WEB_EXCLUDED_SOURCES})
  list(FILTER WEB_SCENE_SOURCES EXCLUDE REGEX "${pattern}")
  list(FILTER WEB_RENDER_SOURCES EXCLUDE REGEX "${pattern}")
endforeach()

# C++ exceptions carry LoadError reasons to JS, so they must work everywhere (compile and link).
set(WEB_EXCEPTION_FLAGS -fexceptions)

add_library(thumbgen_scene STATIC ${WEB_SCENE_SOURCES})
target_include_directories(thumbgen_scene PUBLIC ${PROJECT_SOURCE_DIR}/src)
target_compile_definitions(thumbgen_scene PUBLIC THUMBGEN_WITH_DRACO=1 THUMBGEN_WITH_MESHOPT=1 THUMBGEN_WITH_ASSIMP=1
                                                 THUMBGEN_WITH_ZSTD=1)
target_link_libraries(thumbgen_scene PUBLIC ${WEB_DEPENDENCY_TARGETS})
# Every file that includes tiny_gltf.h must see the options tinygltf_impl.cpp compiles it with: otherwise the
# TinyGLTF class refers to stb-based image callbacks that nothing defines (empty values: identical redefinitions).
target_compile_definitions(thumbgen_scene PRIVATE TINYGLTF_USE_CPP14= TINYGLTF_NO_STB_IMAGE= TINYGLTF_NO_STB_IMAGE_WRITE=
  TINYGLTF_NO_INCLUDE_STB_IMAGE= TINYGLTF_NO_INCLUDE_STB_IMAGE_WRITE= TINYGLTF_NO_EXTERNAL_IMAGE=)
target_include_directories(thumbgen_scene SYSTEM PUBLIC ${WEB_THIRD_PARTY_INCLUDE} ${WEB_THIRD_PARTY_INCLUDE}/stb
                                                        ${THUMBGEN_WASM_DEPS}/include ${THUMBGEN_WASM_DEPS}/include/minizip)
target_compile_options(thumbgen_scene PUBLIC ${WEB_EXCEPTION_FLAGS})
target_link_options(thumbgen_scene PUBLIC ${WEB_EXCEPTION_FLAGS})

add_library(thumbgen_render STATIC ${WEB_RENDER_SOURCES})
target_link_libraries(thumbgen_render PUBLIC thumbgen_scene)

file(GLOB WEB_SOURCES CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/web/*.cpp)
add_executable(thumbgen_wasm ${WEB_SOURCES})
target_link_libraries(thumbgen_wasm PRIVATE thumbgen_render)
set_target_properties(thumbgen_wasm PROPERTIES
  SUFFIX ".mjs"
  RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/web)
target_link_options(thumbgen_wasm PRIVATE
  -sMIN_WEBGL_VERSION=2
  -sMAX_WEBGL_VERSION=2
  -sALLOW_MEMORY_GROWTH=1
  -sMAXIMUM_MEMORY=4GB
  -sMODULARIZE=1
  -sEXPORT_ES6=1
  -sEXPORT_NAME=createThumbgenModule
  -sENVIRONMENT=web,worker
  -sFILESYSTEM=0
  -sEXPORTED_FUNCTIONS=_malloc,_free
  -sEXPORTED_RUNTIME_METHODS=UTF8ToString,stringToUTF8,lengthBytesUTF8,specialHTMLTargets
  # A "$" does not survive CMake → Ninja → shell quoting, so this setting comes from a file.
  -sDEFAULT_LIBRARY_FUNCS_TO_INCLUDE=@${CMAKE_BINARY_DIR}/library_funcs.json)
file(WRITE ${CMAKE_BINARY_DIR}/library_funcs.json "[\"$specialHTMLTargets\"]\n")

file(MAKE_DIRECTORY ${CMAKE_BINARY_DIR}/web)
# The JS wrapper and the page are served next to the module (copied on every build, so edits show up).
add_custom_target(thumbgen_web_assets ALL
  COMMAND ${CMAKE_COMMAND} -E copy_if_different ${PROJECT_SOURCE_DIR}/web/thumbgen.mjs ${PROJECT_SOURCE_DIR}/web/index.html
          ${CMAKE_BINARY_DIR}/web/
  COMMENT "Copying web/thumbgen.mjs and web/index.html")
