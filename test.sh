#!/usr/bin/env bash
# Runs every test of the solution. Needs only the .NET 10 SDK; restores packages from the machine's NuGet source.
set -uo pipefail
cd "$(dirname "$0")"
log=$(mktemp)
dotnet test ToolAudit.sln -c Release "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
# One closing line for the whole solution, summed over the test assemblies.
awk '/(Passed|Failed)! +- +Failed: +[0-9]+, Passed: +[0-9]+/ {
       gsub(",", ""); for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) } }
     END { printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$log"
rm -f "$log"
exit "$status"
