#!/usr/bin/env bash
# Fuzz/build.sh -- builds the libFuzzer harnesses into $FUZZ_BUILD (.build/fuzz).
#
# SwiftPM renames an executable's main (and would instrument every dependency), so the
# library is compiled here with swiftc: SwitchpointCore's sources as one module with
# -sanitize=fuzzer,address (coverage and ASan on our code only), then each harness
# (Harnesses/Fuzz*.swift plus Common.swift, -parse-as-library, its
# LLVMFuzzerTestOneInput a @_cdecl) linked against it and the dependencies' objects from
# the package's own debug build (NIOHPACK, Crypto, … uninstrumented), libpcap and zlib.
# The compiler flags for SwitchpointCore are taken from that build's description.json.
#
# Usage: Fuzz/build.sh [NAME...]     (default: every harness; NAME as in FuzzNAME.swift)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=${FUZZ_BUILD:-$ROOT/.build/fuzz}
DEBUG=$ROOT/.build/x86_64-unknown-linux-gnu/debug
mkdir -p "$OUT/Modules"

[ -f "$DEBUG/description.json" ] && [ -f "$DEBUG/switchpoint.product/Objects.LinkFileList" ] || swift build >&2

# SwitchpointCore's compile flags (module maps and include paths of the C dependencies).
mapfile -t FLAGS < <(python3 - "$DEBUG/description.json" <<'PY'
import json, sys
command = json.load(open(sys.argv[1]))["swiftCommands"]
core = next(v for k, v in command.items() if k.startswith("C.SwitchpointCore-") and k.endswith("debug.module"))
drop_with_value = {"-index-store-path", "-emit-objc-header-path", "-j2", "-module-cache-path"}
skip = False
for argument in core["otherArguments"]:
    if skip:
        skip = False
        continue
    if argument in drop_with_value:
        skip = argument != "-j2"
        continue
    if argument in {"-incremental", "-enable-batch-mode", "-serialize-diagnostics", "-parseable-output", "-emit-objc-header"}:
        continue
    print(argument)
print("-I" + core["importPath"])
PY
)
mapfile -t SOURCES < <(find "$ROOT/Sources/SwitchpointCore" -name '*.swift' | sort)
# Every dependency object the executable links, minus our own modules and ArgumentParser.
mapfile -t DEPENDENCIES < <(tr -d "'" < "$DEBUG/switchpoint.product/Objects.LinkFileList" \
    | grep -v -e '/switchpoint.build/' -e '/SwitchpointCore.build/' -e '/ArgumentParser')

SANITIZE=(-sanitize=fuzzer,address)
CORE_OBJECT=$OUT/SwitchpointCore.o
# `|| true`: head closing the pipe early makes ls die of SIGPIPE, which pipefail would report.
newest_source=$(ls -t "${SOURCES[@]}" | head -1 || true)
if [ ! -f "$CORE_OBJECT" ] || [ "$newest_source" -nt "$CORE_OBJECT" ]; then
    echo "compiling SwitchpointCore with ${SANITIZE[*]}" >&2
    # One package name for the library and the harnesses: its API is `package`, not public.
    swiftc -module-name SwitchpointCore -package-name switchpoint -parse-as-library -wmo -Onone -g -enable-testing \
        "${SANITIZE[@]}" "${FLAGS[@]}" -module-cache-path "$OUT/ModuleCache" \
        -emit-module -emit-module-path "$OUT/Modules/SwitchpointCore.swiftmodule" \
        -c "${SOURCES[@]}" -o "$CORE_OBJECT"
fi

names=("$@")
if [ ${#names[@]} -eq 0 ]; then
    for file in Fuzz/Harnesses/Fuzz*.swift; do names+=("$(basename "$file" .swift | sed 's/^Fuzz//')"); done
fi
for name in "${names[@]}"; do
    harness=Fuzz/Harnesses/Fuzz$name.swift
    binary=$OUT/fuzz-$(echo "$name" | tr '[:upper:]' '[:lower:]')
    if [ -f "$binary" ] && [ "$binary" -nt "$CORE_OBJECT" ] && [ "$binary" -nt "$harness" ] && [ "$binary" -nt Fuzz/Harnesses/Common.swift ]; then
        continue
    fi
    echo "linking $binary" >&2
    swiftc -module-name "Fuzz$name" -package-name switchpoint -parse-as-library -Onone -g "${SANITIZE[@]}" "${FLAGS[@]}" \
        -module-cache-path "$OUT/ModuleCache" -I "$OUT/Modules" \
        "$harness" Fuzz/Harnesses/Common.swift "$CORE_OBJECT" "${DEPENDENCIES[@]}" -lpcap -lz -o "$binary"
done
