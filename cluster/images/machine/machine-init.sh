#!/bin/sh
# managed by firedrill — a lab machine's init (PID 2 under tini, which reaps orphans): sshd and the
# machine's own Docker engine, nothing else. A shell rather than systemd: the machine boots in about
# a second, needs no tmpfs, stop signal or cgroup juggling for systemd, and power-on (a `docker start`
# of the machine) is simply this script again.
set -eu

# /run is a tmpfs on a machine started by firedrill, as on a VM; without one, what a killed boot
# left there (containerd's pid file names a pid this boot may reuse: dockerd then waits for it) goes.
rm -rf /run/docker /run/containerd /run/docker.pid /run/docker.sock /run/firedrill-machine
state=/run/firedrill-machine
mkdir -p "$state" /run/sshd
log() { echo "machine-init: $*"; }

# The run's public key for the sudo user (a fresh pair per run; the private half stays on the host).
if [ -n "${FIREDRILL_SSH_KEY:-}" ]; then
  install -d -m 0700 -o firedrill -g firedrill /home/firedrill/.ssh
  printf '%s\n' "$FIREDRILL_SSH_KEY" >/home/firedrill/.ssh/authorized_keys
  chown firedrill:firedrill /home/firedrill/.ssh/authorized_keys
  chmod 0600 /home/firedrill/.ssh/authorized_keys
fi
# Host keys are made on the first boot, so each machine has its own.
ssh-keygen -A >/dev/null

# The inner engine's containers must live inside this machine's cgroup, so that pausing the machine
# container freezes them too and killing it takes them along, as with a VM.
cgroup_parent=""
if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
  # cgroup v2, private cgroup namespace: this machine's cgroup is the root here. A cgroup with
  # processes cannot hand controllers to its children, so this script moves to a leaf first (as
  # Docker's own dind image does).
  mount -o remount,rw /sys/fs/cgroup 2>/dev/null || true
  mkdir -p /sys/fs/cgroup/init
  xargs -rn1 </sys/fs/cgroup/cgroup.procs >/sys/fs/cgroup/init/cgroup.procs 2>/dev/null || true
  sed -e 's/ / +/g' -e 's/^/+/' </sys/fs/cgroup/cgroup.controllers \
    >/sys/fs/cgroup/cgroup.subtree_control
else
  # cgroup v1, the host's hierarchy mounted at /sys/fs/cgroup: our own path (the freezer's, which
  # `docker pause` writes) becomes the parent of every inner container's cgroup.
  cgroup_parent=$(awk -F: '$2 ~ /(^|,)freezer(,|$)/ { print $3 }' /proc/self/cgroup)
  log "cgroup v1: inner containers under ${cgroup_parent}"
fi

# First boot of this machine on a cached /var/lib/docker: containers left there by an earlier run
# (a run killed before its down) must not start. Their restart policy is cleared before the engine
# reads it, and they are removed once it answers; the images stay, which is what the cache is for.
first_boot=false
if [ ! -e /etc/firedrill-machine-booted ]; then
  first_boot=true
  for f in /var/lib/docker/containers/*/hostconfig.json; do
    [ -e "$f" ] || continue
    sed -i 's/"RestartPolicy":{"Name":"[a-z-]*"/"RestartPolicy":{"Name":"no"/' "$f"
  done
fi

/usr/sbin/sshd -D -e &
sshd_pid=$!
if [ -n "$cgroup_parent" ]; then
  dockerd --cgroup-parent="$cgroup_parent" &
else
  dockerd &
fi
dockerd_pid=$!

stop() {
  log "stopping"
  kill -TERM "$dockerd_pid" "$sshd_pid" 2>/dev/null || true
  wait "$dockerd_pid" 2>/dev/null || true
  exit 0
}
trap stop TERM INT

tries=0
until docker info >/dev/null 2>&1; do
  tries=$((tries + 1))
  if [ "$tries" -gt 600 ] || ! kill -0 "$dockerd_pid" 2>/dev/null; then
    log "the Docker engine did not start"
    exit 1
  fi
  sleep 0.1
done

if $first_boot; then
  stale=$(docker ps -aq)
  if [ -n "$stale" ]; then
    log "removing $(echo "$stale" | wc -l) containers left by an earlier run"
    # shellcheck disable=SC2086
    docker rm -f -v $stale >/dev/null
  fi
  docker network prune -f >/dev/null
  docker volume prune -f >/dev/null
  touch /etc/firedrill-machine-booted
fi

touch "$state/ready"
log "ready (sshd and dockerd)"
# The machine lives as long as its engine: an engine that dies is a failed machine, seen from outside.
wait "$dockerd_pid"
log "dockerd exited"
exit 1
