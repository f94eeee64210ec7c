#!/usr/bin/env bash
# Runs every test of the solution. Needs only the .NET 10 SDK; restores packages from the machine's NuGet source.
set -uo pipefail
cd "$(dirname "$0")"
log=$(mktemp)
dotnet test ToolAudit.sln -c Release "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
if [ "$#" -eq 0 ] && [ "$status" -eq 0 ]; then
  # The line writer escapes with AVX-512 where the CPU has it, else with 256-bit vectors, else char by char: its tests
  # run again with each of the others turned off in the runtime, so that every path is tested on this machine.
  for knob in DOTNET_EnableAVX512 DOTNET_EnableHWIntrinsic; do
    env "$knob=0" dotnet test tests/ToolAudit.Tests -c Release --no-build --filter "FullyQualifiedName~ToolAudit.Tests.Serialization" 2>&1 | tee -a "$log"
    status=${PIPESTATUS[0]}
    [ "$status" -eq 0 ] || break
  done
fi
# One closing line for the whole solution, summed over the test assemblies (and the reruns above).
awk '/(Passed|Failed)! +- +Failed: +[0-9]+, Passed: +[0-9]+/ {
       gsub(",", ""); for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) } }
     END { printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$log"
rm -f "$log"
exit "$status"
