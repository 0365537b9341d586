# Shared by the bench scripts: start a container the way a pod runs it and measure it.
# shellcheck shell=bash

now_ms() { date +%s%3N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# The four images and their default admin ports.
HELPERS=(log-sidecar:9701 tcp-ambassador:9702 request-splitter:9703 metrics-adapter:9187)

# wait_ready URL WHAT: polls URL/readyz every 10 ms; fails after 60 s, naming WHAT.
wait_ready() {
  local deadline=$(( $(now_ms) + 60000 ))
  until curl -fs -o /dev/null "$1/readyz"; do
    if [ "$(now_ms)" -ge "$deadline" ]; then echo "$2: not ready within 60 s" >&2; return 1; fi
    sleep 0.01
  done
}

# measure_once NAME IMAGE PORT IDLE_SECONDS [docker run args...] -- [command...]
# Prints "<ms from docker run to /readyz 200> <RSS in MiB after IDLE_SECONDS> <ms from JVM start to
# ready, as the helper logs it>".
measure_once() {
  local name=$1 image=$2 port=$3 idle=$4; shift 4
  local run_args=() begin url deadline rss jvm
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do run_args+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  begin=$(now_ms)
  docker run -d --rm --name "$name" --read-only -p "127.0.0.1::$port" "${run_args[@]}" "$image" "$@" >/dev/null
  url="http://$(docker port "$name" "$port/tcp" | head -1)"
  wait_ready "$url" "$image" || { docker rm -f "$name" >/dev/null; return 1; }
  local ready=$(( $(now_ms) - begin ))
  sleep "$idle"
  rss=$(curl -fs "$url/metrics" | awk '/^process_resident_memory_bytes /{print $2}')
  jvm=$(docker logs "$name" 2>&1 | sed -n 's/.* ready \([0-9]*\) ms after process start.*/\1/p' | head -1)
  docker stop -t 10 "$name" >/dev/null
  awk -v ms="$ready" -v b="$rss" -v jvm="${jvm:-0}" 'BEGIN{printf "%d %.1f %d\n", ms, b/1024/1024, jvm}'
}

# measure RUNS IMAGE PORT IDLE [docker run args...] -- [command...]
# Prints the medians of measure_once's three numbers over RUNS runs.
measure() {
  local runs=$1; shift
  local results=() i
  for i in $(seq "$runs"); do
    results+=("$(measure_once "podkit-bench-$$-$i" "$@")") || return 1
  done
  local column
  for column in 1 2 3; do
    printf '%s\n' "${results[@]}" | awk -v c="$column" '{print $c}' | median
  done | paste -sd' '

}

# ---- equal footing for the scheduler ----
# A container's threads share the weight of its one cgroup, while each process in the shell's
# cgroup weighs as much as that whole group. A peer started from the shell (nginx, HAProxy, socat)
# would so get a larger share of a busy machine than the image it is compared with. beside_container
# moves the peer into a cgroup of its own next to the container's, where both weigh the same.

# cpu_cgroup_dir PID: the directory of the process's cpu cgroup (cgroup v1 or v2), or nothing.
cpu_cgroup_dir() {
  local mnt rel
  mnt=$(awk '$(NF-2) == "cgroup" && ("," $NF ",") ~ /,cpu,/ {print $5; exit}' /proc/self/mountinfo)
  if [ -n "$mnt" ]; then
    rel=$(awk -F: '("," $2 ",") ~ /,cpu,/ {print $3; exit}' "/proc/$1/cgroup")
  else
    mnt=$(awk '$(NF-2) == "cgroup2" {print $5; exit}' /proc/self/mountinfo)
    rel=$(awk -F: '$1 == "0" {print $3; exit}' "/proc/$1/cgroup")
  fi
  if [ -n "$mnt" ] && [ -n "$rel" ] && [ "$rel" != / ]; then echo "$mnt$rel"; fi
}

bench_cgroups=()
# beside_container CONTAINER NAME PID...: moves the processes (with all their threads; children
# they fork later follow) into a new cgroup next to CONTAINER's, and sets beside to say so. When
# that is not possible (no write access to the cgroup tree), says so on stderr, leaves them and
# sets beside to the empty string.
beside_container() {
  local container=$1 name=$2 dir group p
  shift 2
  beside=
  dir=$(cpu_cgroup_dir "$(docker inspect -f '{{.State.Pid}}' "$container")" 2>/dev/null) || dir=
  group=$(dirname "${dir:-/nonexistent}")/podkit-bench-$name-$$
  if [ -z "$dir" ] || ! mkdir "$group" 2>/dev/null; then
    echo "note: no cgroup could be made beside $container's; $name stays in the shell's cgroup," \
      "where a busy machine gives it a larger share than the container" >&2
    return 0
  fi
  bench_cgroups+=("$group")
  for p in "$@"; do echo "$p" > "$group/cgroup.procs"; done
  beside="in a cgroup beside the container's"
}

# release_cgroups: removes the cgroups beside_container made, once their processes are gone.
release_cgroups() {
  local g i
  for g in "${bench_cgroups[@]}"; do
    for i in $(seq 50); do rmdir "$g" 2>/dev/null && break; sleep 0.1; done
  done
}
