{
  # The shipping build (node-gyp / prebuildify). Sources come from native/sources.txt, the
  # same list CMakeLists.txt reads.
  "targets": [
    {
      "target_name": "tensorgrad",
      "sources": [
        "<!@(node -p \"require('fs').readFileSync('native/sources.txt','utf8').split('\\n').filter(l=>l&&!l.startsWith('#')).join(' ')\")"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_EXPERIMENTAL", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags!": ["-fno-exceptions", "-O2"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-O2"],
      "cflags_cc": ["-std=c++17", "-O3", "-fexceptions", "-frtti", "-Werror=switch", "-fvisibility=hidden"],
      "xcode_settings": {
        "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
        "GCC_ENABLE_CPP_RTTI": "YES",
        "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
        "MACOSX_DEPLOYMENT_TARGET": "11.0",
        "OTHER_CPLUSPLUSFLAGS": ["-O3", "-Werror=switch"]
      },
      "msvs_settings": {
        "VCCLCompilerTool": {
          "ExceptionHandling": 1,
          # /permissive- and /Zc:preprocessor: standard C++ and the standard preprocessor, the
          # language GCC and Clang compile this code as; /utf-8: the sources are UTF-8;
          # /bigobj: the binding and derivative tables are large objects.
          "AdditionalOptions": ["/std:c++17", "/O2", "/permissive-", "/Zc:preprocessor", "/Zc:__cplusplus", "/utf-8", "/bigobj"]
        }
      },
      "configurations": {
        # Node's common.gypi turns RTTI off for Release builds on Windows (RuntimeTypeInfo:
        # false, set per configuration, so only a per-configuration setting overrides it);
        # the engine and binding use dynamic_cast.
        "Release": { "msvs_settings": { "VCCLCompilerTool": { "RuntimeTypeInfo": "true", "ExceptionHandling": 1 } } }
      },
      "conditions": [
        # M_PI and friends (<cmath>) are behind _USE_MATH_DEFINES on MSVC; NOMINMAX keeps
        # <windows.h>, should anything include it, from defining min/max macros. MSVC builds
        # take the portable kernels (the AVX2/AVX-512 files compile to nothing without GCC/Clang
        # target attributes; see native/kernels/gemm_kernels.h).
        ["OS=='win'", { "defines": ["_USE_MATH_DEFINES", "NOMINMAX"] }]
      ]
    }
  ]
}
