# shellcheck shell=bash
# Process helpers for the benchmark scripts (sourced).

# stop_pids: stops every process in the caller's pids array: SIGTERM, up
# to 10 s to exit, then SIGKILL; empties pids.
stop_pids() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  pids=()
}
