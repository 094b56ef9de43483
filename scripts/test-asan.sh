#!/usr/bin/env bash
# npm run test:asan — the whole test suite against an AddressSanitizer + UBSan build.
#
#   1. Builds the addon with -fsanitize=address,undefined (CMake option TG_SANITIZE) into
#      build-asan/ (the normal build in build/ is left alone).
#   2. Runs vitest with that addon (TG_ADDON_PATH, read by ts/native.ts) and libasan
#      preloaded (Node itself is not instrumented, so the ASan runtime must come first).
#      Child processes (leak, fuzz and worker scripts) inherit all of it.
#
# Options: any arguments go to vitest (e.g. `npm run test:asan -- test/fuzz.test.ts`).
# ASan reports and UBSan errors abort the process that hit them, so they fail their test.
#   detect_leaks=0                Node's own allocations at exit are not ours to judge;
#                                 test/leak.test.ts checks our tensors exactly instead.
#   allocator_may_return_null=1   an impossible tensor size must come back as our
#                                 RangeError, not as an ASan abort.
# The leak scenarios run fewer steps (ASan is ~3x slower) and skip their RSS bound (freed
# memory waits in ASan's quarantine); their live-tensor counts are still exact.
# Linux with gcc or clang only. Takes a few minutes on two cores; run it before merging
# changes to native/ (CI runs it too when its time budget allows).
set -euo pipefail
cd "$(dirname "$0")/.."

PAR="${JOBS:-2}"
[[ "$PAR" =~ ^[0-9]+$ ]] || PAR="$(nproc 2>/dev/null || echo 2)"
npx cmake-js compile --out build-asan --CDTG_SANITIZE=ON --parallel "$PAR"
node scripts/build-ts.mjs

LIBASAN="$(${CXX:-c++} -print-file-name=libasan.so)"
if [ ! -e "$LIBASAN" ]; then
  echo "test-asan: libasan.so not found (looked at '$LIBASAN'); install the compiler's sanitizer runtime" >&2
  exit 1
fi

export TG_ADDON_PATH="$PWD/build-asan/Release/tensorgrad.node"
export LD_PRELOAD="$LIBASAN${LD_PRELOAD:+:$LD_PRELOAD}"
export ASAN_OPTIONS="detect_leaks=0:allocator_may_return_null=1:abort_on_error=1:halt_on_error=1:print_summary=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1:suppressions=$PWD/scripts/ubsan.supp${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
export TG_LEAK_STEPS="${TG_LEAK_STEPS:-3200}"
exec npx vitest run "$@"
