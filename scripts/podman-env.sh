#!/usr/bin/env bash
# A podman set up to build and run the project's Dockerfile on a machine with no Docker engine and
# no container registry: installs podman when missing (Debian, as root), keeps its config and
# storage in the git-ignored .cache/podman/, and builds once a local stand-in for the base image
# python:3.11-slim (Debian bookworm's Python 3.11 in a venv on PATH), so the Dockerfile builds unchanged.
#
#   scripts/podman-env.sh                  prints the environment as export lines: eval "$(scripts/podman-env.sh)"
#   scripts/podman-env.sh COMMAND [ARG..]  runs COMMAND in it, e.g. scripts/podman-env.sh podman images
#
# Exit status 77: podman is missing and cannot be installed here (the reason is on stderr).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE="$ROOT/.cache/podman"
# Run-time state belongs where a reboot clears it; one folder per checkout, like its storage.
RUNDIR="${XDG_RUNTIME_DIR:-/run}/scam-podman-$(cksum <<<"$CACHE" | cut -d' ' -f1)"
BASE=docker.io/library/python:3.11-slim
PACKAGES=(podman runc debootstrap curl)

say() { echo "podman-env: $*" >&2; }

install_missing() {
  local missing=() tool
  for tool in "${PACKAGES[@]}"; do
    command -v "$tool" >/dev/null || missing+=("$tool")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    say "SKIP: ${missing[*]} missing and cannot be installed here (needs root and apt-get)"
    exit 77
  fi
  say "installing ${missing[*]} with apt-get"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

# Rootful podman without a daemon, runc (crun refuses hybrid cgroups), rlimits kept under the hard
# limits (no CAP_SYS_RESOURCE), overlay storage and run-time state of our own (not /run/libpod).
write_config() {
  local nofile nproc
  nofile=$(ulimit -Hn)
  nproc=$(ulimit -Hu)
  [ "$nofile" = unlimited ] && nofile=1048576
  { [ "$nproc" = unlimited ] || [ "$nproc" -gt 32768 ]; } && nproc=32768
  mkdir -p "$CACHE/storage" "$RUNDIR"
  cat >"$CACHE/containers.conf.new" <<EOF
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
tmp_dir = "$RUNDIR/libpod"
EOF
  cat >"$CACHE/storage.conf.new" <<EOF
[storage]
driver = "overlay"
graphroot = "$CACHE/storage"
runroot = "$RUNDIR/storage"
EOF
  mv "$CACHE/containers.conf.new" "$CACHE/containers.conf"
  mv "$CACHE/storage.conf.new" "$CACHE/storage.conf"
}

# The first Debian mirror apt already uses (debootstrap fetches bookworm from it).
debian_mirror() {
  local uri
  uri=$(grep -rhoE '^(URIs:|deb) +https?://[^ ]+/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/ \
    2>/dev/null | awk '{print $2; exit}' || true)
  echo "${uri:-http://deb.debian.org/debian}"
}

# pip inside a build may go out through a TLS-intercepting proxy: the stand-in trusts the host's
# CA bundle, at a path of its own (the ca-certificates package rewrites the system one).
build_base() {
  local started=$SECONDS rootfs="$CACHE/rootfs" context="$CACHE/base-context"
  if ! podman image exists localhost/debian-base; then
    say "debootstrap bookworm from $(debian_mirror) (once, ~30 s)"
    rm -rf "$rootfs"
    debootstrap --variant=minbase bookworm "$rootfs" "$(debian_mirror)" >"$CACHE/debootstrap.log" 2>&1 \
      || { tail -20 "$CACHE/debootstrap.log" >&2; exit 1; }
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/lib/apt/lists/*
    tar -C "$rootfs" -c . | podman import --quiet - localhost/debian-base >/dev/null
    rm -rf "$rootfs"
  fi
  say "building the stand-in for $BASE (once)"
  rm -rf "$context"
  mkdir -p "$context"
  cp /etc/ssl/certs/ca-certificates.crt "$context/build-ca.crt"
  cat >"$context/Containerfile" <<'EOF'
FROM localhost/debian-base
LABEL org.opencontainers.image.description="Local stand-in for python:3.11-slim: Debian's Python 3.11"
COPY build-ca.crt /usr/local/share/build-ca.crt
ENV PIP_CERT=/usr/local/share/build-ca.crt \
    SSL_CERT_FILE=/usr/local/share/build-ca.crt \
    REQUESTS_CA_BUNDLE=/usr/local/share/build-ca.crt \
    LANG=C.UTF-8
RUN apt-get update -qq \
    && apt-get install -y -qq --no-install-recommends python3 python3-venv ca-certificates >/dev/null \
    && apt-get clean && rm -rf /var/lib/apt/lists/* \
    && python3 -m venv /usr/local/python
ENV PATH=/usr/local/python/bin:$PATH
CMD ["python3"]
EOF
  podman build --pull=never --quiet --tag "$BASE" "$context" >/dev/null
  rm -rf "$context"
  say "base image ready in $((SECONDS - started)) s"
}

install_missing
mkdir -p "$CACHE"
exec 9>"$CACHE/lock"
flock 9  # one setup at a time; podman itself locks its storage
write_config
export CONTAINERS_CONF="$CACHE/containers.conf" CONTAINERS_STORAGE_CONF="$CACHE/storage.conf"
export BUILDAH_ISOLATION=chroot
podman image exists "$BASE" || build_base
flock -u 9
exec 9>&-

if [ $# -gt 0 ]; then
  exec "$@"
fi
for name in CONTAINERS_CONF CONTAINERS_STORAGE_CONF BUILDAH_ISOLATION; do
  printf 'export %s=%q\n' "$name" "${!name}"
done
