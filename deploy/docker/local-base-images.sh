#!/usr/bin/env bash
# Prepares this machine to build and run docker-compose.yml when no image registry is reachable:
#
#   local-base-images.sh [--dockerd-pid-file FILE] [IMAGE ...]
#
# - installs docker.io, debootstrap and docker-compose with apt when they are missing;
# - starts dockerd when no Docker daemon answers, says so, and writes its pid to FILE (empty when it was running);
# - makes every base image present: by default those the Dockerfiles (FROM) and docker-compose.yml (image: of the
#   services that are not built) name, or the IMAGEs given. An image that is missing, or that is a stand-in from an
#   earlier run, is pulled; only when the pull fails is a stand-in built (deploy/docker/stand-ins/) and tagged with
#   that exact name. So a machine that can pull the real images never uses a stand-in.
#
# Stand-ins: a Debian bookworm root file system from debootstrap (from this machine's Debian mirror), plus this
# machine's .NET runtime, ASP.NET Core runtime or SDK (with its NuGet configuration and CA bundle), or Debian's
# redis-server, nginx or prometheus. Each is rebuilt only when its recipe, its .NET version or its base changed, so a
# second run takes seconds.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
recipes=$here/stand-ins
prefix=orleanschat-stand-in
label=org.orleanschat.stand-in

log() { echo "base-images: $*" >&2; }
die() { log "$*"; exit 1; }

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# The package's client where there is one: an unrelated docker binary earlier on PATH may not match the daemon.
# Looked up on each call, since this script may install the package.
docker_path() { if [ -x /usr/bin/docker ]; then echo /usr/bin/docker; else type -P docker; fi; }
docker() { "$(docker_path)" "$@"; }

pid_file=
while [ $# -gt 0 ]; do
  case $1 in
    --dockerd-pid-file) pid_file=$2; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) break ;;
  esac
done
requested=("$@")

install_tools() {
  local packages=()
  command -v dockerd >/dev/null || docker info >/dev/null 2>&1 || packages+=(docker.io)
  command -v debootstrap >/dev/null || [ -x /usr/sbin/debootstrap ] || packages+=(debootstrap)
  command -v docker-compose >/dev/null || packages+=(docker-compose)
  [ ${#packages[@]} -eq 0 ] || "$root/scripts/ensure-packages.sh" "${packages[@]}"
}

start_daemon() {
  [ -z "$pid_file" ] || : >"$pid_file"
  if docker info >/dev/null 2>&1; then
    return
  fi
  local daemon_log=${TMPDIR:-/tmp}/orleanschat-dockerd.log
  # No service manager runs here: dockerd runs detached from this script and outlives it. Its defaults suit these
  # machines (overlay2, cgroupfs on cgroup v1, iptables through nf_tables).
  # Without the lock of this script (fd 9): the daemon would hold it for as long as it runs.
  if [ "$(id -u)" -eq 0 ]; then
    setsid dockerd >"$daemon_log" 2>&1 </dev/null 9>&- &
  else
    sudo setsid dockerd >"$daemon_log" 2>&1 </dev/null 9>&- &
  fi
  local deadline=$((SECONDS + 60))
  until docker info >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || die "dockerd did not answer within 60 s; see $daemon_log"
    sleep 0.2
  done
  local pid
  pid=$(cat /var/run/docker.pid)
  log "started dockerd (pid $pid, log $daemon_log): stop it with 'kill $pid' when done"
  [ -z "$pid_file" ] || echo "$pid" >"$pid_file"
}

# Base images named by the Dockerfiles (not their own stages) and by the services of compose that are not built.
named_images() {
  awk 'toupper($1) == "FROM" {
         image = ($2 ~ /^--/) ? $3 : $2
         if (!(image in stages)) print image
         for (i = 2; i < NF; i++) if (toupper($i) == "AS") stages[$(i + 1)] = 1
       }' "$here"/*Dockerfile
  # Debian's python3, which has yaml as a dependency of docker-compose; another python3 may come first on PATH.
  "$( [ -x /usr/bin/python3 ] && echo /usr/bin/python3 || echo python3)" -c '
import sys, yaml
services = yaml.safe_load(open(sys.argv[1]))["services"]
print("\n".join(s["image"] for s in services.values() if "image" in s and "build" not in s))' "$root/docker-compose.yml"
}

image_exists() { docker image inspect "$1" >/dev/null 2>&1; }

labels_of() { docker image inspect -f "{{index .Config.Labels \"$label\"}}|{{index .Config.Labels \"$label.fingerprint\"}}" "$1" 2>/dev/null; }

# The newest installed version of a .NET component that matches an image tag such as 10.0.
dotnet_version() {
  local kind=$1 tag=$2
  case $kind in
    sdk) dotnet --list-sdks ;;
    *) dotnet --list-runtimes | awk -v name="$kind" '$1 == name { print $2, $3 }' ;;
  esac | awk -v tag="$tag" 'index($1, tag ".") == 1 { print $1 }' | sort -V | tail -n 1
}

dotnet_root() { dirname "$(readlink -f "$(command -v dotnet)")"; }

debian_mirror() {
  local mirror
  mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) { print $i; exit } }')
  [ -n "$mirror" ] || mirror=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '$1 == "URIs:" && $2 !~ /security/ { print $2; exit }')
  echo "${mirror:-http://deb.debian.org/debian}"
}

# The root of every stand-in: a minimal Debian bookworm, imported from debootstrap.
base_image() {
  local tag=$prefix/debian:bookworm
  if ! image_exists "$tag"; then
    local mirror rootfs started=$SECONDS
    mirror=$(debian_mirror)
    rootfs=$(mktemp -d "${TMPDIR:-/tmp}/orleanschat-rootfs.XXXXXX")
    log "debootstrap bookworm from $mirror ..."
    as_root debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$rootfs.log" 2>&1 || die "debootstrap failed; see $rootfs.log"
    # Containers reach the same mirrors as this machine; a Debian bookworm host also lends its security and update suites.
    if grep -qs '^VERSION_CODENAME=bookworm' /etc/os-release && [ -f /etc/apt/sources.list.d/debian.sources ]; then
      as_root cp /etc/apt/sources.list.d/debian.sources "$rootfs/etc/apt/sources.list.d/"
      as_root rm -f "$rootfs/etc/apt/sources.list"
    fi
    # As in Debian's own images: apt keeps neither packages nor its caches in the layers built on this one.
    as_root tee "$rootfs/etc/apt/apt.conf.d/docker-clean" >/dev/null <<'APT'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
APT
    as_root rm -rf "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs/etc/resolv.conf" "$rootfs/etc/hostname"
    as_root tar -C "$rootfs" --numeric-owner -c . | docker import \
      --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      --change 'CMD ["bash"]' - "$tag" >/dev/null
    as_root rm -rf "$rootfs" "$rootfs.log"
    log "built $tag in $((SECONDS - started)) s"
  fi
  echo "$tag"
}

# Builds a stand-in from its recipe unless one with the same fingerprint exists. The context is a tar stream: a
# staging folder with the recipe (stand-ins/RECIPE.* and RECIPE-*) and other small files, and parts of the .NET
# installation, read in place.
#   build_stand_in TAG RECIPE BASE STAGING "DOTNET_PARTS" [--build-arg ...]
build_stand_in() {
  local tag=$1 recipe=$2 base=$3 staging=$4 parts=$5
  shift 5
  cp "$recipes/$recipe".* "$staging/"
  cp "$recipes/$recipe"-* "$staging/" 2>/dev/null || true
  local fingerprint
  fingerprint=$( { docker image inspect -f '{{.Id}}' "$base"; echo "$parts $*"; (cd "$staging" && find . -type f -exec sha256sum {} + | sort); } | sha256sum | cut -c1-16)
  if [ "$(labels_of "$tag")" = "$recipe|$fingerprint" ]; then
    return
  fi
  log "building $tag ..."
  local started=$SECONDS context=(-C "$staging" .)
  # shellcheck disable=SC2206 # parts is a list of paths without spaces
  [ -z "$parts" ] || context+=(-C "$(dotnet_root)" $parts)
  tar -c "${context[@]}" \
    | docker build -q -f "$recipe.Dockerfile" -t "$tag" --label "$label=$recipe" --label "$label.fingerprint=$fingerprint" \
        --build-arg "BASE=$base" "$@" - >/dev/null
  log "built $tag in $((SECONDS - started)) s"
}

# The chain runtime → aspnet → sdk of this machine's .NET, for the major.minor of the requested tag.
dotnet_stand_in() {
  local kind=$1 tag=$2 staging runtime aspnet sdk
  runtime=$(dotnet_version Microsoft.NETCore.App "$tag")
  [ -n "$runtime" ] || die "no .NET $tag runtime is installed here (dotnet --list-runtimes) to stand in for $kind:$tag"
  staging=$(mktemp -d)
  build_stand_in "$prefix/dotnet-runtime:$runtime" runtime "$(base_image)" "$staging" \
    "dotnet host shared/Microsoft.NETCore.App" --build-arg "DOTNET_VERSION=$runtime"
  rm -rf "$staging"
  [ "$kind" != runtime ] || { echo "$prefix/dotnet-runtime:$runtime"; return; }

  aspnet=$(dotnet_version Microsoft.AspNetCore.App "$tag")
  [ -n "$aspnet" ] || die "no ASP.NET Core $tag runtime is installed here to stand in for $kind:$tag"
  staging=$(mktemp -d)
  build_stand_in "$prefix/dotnet-aspnet:$aspnet" aspnet "$prefix/dotnet-runtime:$runtime" "$staging" \
    "shared/Microsoft.AspNetCore.App" --build-arg "ASPNET_VERSION=$aspnet"
  rm -rf "$staging"
  [ "$kind" != aspnet ] || { echo "$prefix/dotnet-aspnet:$aspnet"; return; }

  sdk=$(dotnet_version sdk "$tag")
  [ -n "$sdk" ] || die "no .NET $tag SDK is installed here (dotnet --list-sdks) to stand in for sdk:$tag"
  staging=$(mktemp -d)
  mkdir -p "$staging/nuget/user" "$staging/nuget/machine"
  cp "$HOME/.nuget/NuGet/NuGet.Config" "$staging/nuget/user/" 2>/dev/null || true
  cp /etc/opt/NuGet/Config/*.[Cc]onfig "$staging/nuget/machine/" 2>/dev/null || true
  cp "${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}" "$staging/ca-certificates.crt"
  build_stand_in "$prefix/dotnet-sdk:$sdk" sdk "$prefix/dotnet-aspnet:$aspnet" "$staging" \
    "sdk sdk-manifests packs templates" --build-arg "DOTNET_SDK_VERSION=$sdk" \
    --build-arg "NUGET_CERT_REVOCATION_MODE=${NUGET_CERT_REVOCATION_MODE:-online}"
  rm -rf "$staging"
  echo "$prefix/dotnet-sdk:$sdk"
}

package_stand_in() {
  local recipe=$1 staging
  staging=$(mktemp -d)
  build_stand_in "$prefix/$recipe:bookworm" "$recipe" "$(base_image)" "$staging" ""
  rm -rf "$staging"
  echo "$prefix/$recipe:bookworm"
}

stand_in_for() {
  local image=$1 name=${1%:*} tag=${1##*:}
  [ "$name" != "$image" ] || tag=latest
  case $name in
    */dotnet/sdk) dotnet_stand_in sdk "${tag%%-*}" ;;
    */dotnet/aspnet) dotnet_stand_in aspnet "${tag%%-*}" ;;
    */dotnet/runtime) dotnet_stand_in runtime "${tag%%-*}" ;;
    redis|*/redis) package_stand_in redis ;;
    nginx|*/nginx) package_stand_in nginx ;;
    *prometheus) package_stand_in prometheus ;;
    *) die "no stand-in recipe for $image" ;;
  esac
}

ensure_image() {
  local image=$1 labels
  labels=$(labels_of "$image" || true)
  if [ -n "$labels" ] && [ "${labels%%|*}" = "" ]; then
    return
  fi
  if timeout 900 "$(docker_path)" pull -q "$image" >/dev/null 2>&1; then
    log "$image: pulled"
    return
  fi
  docker tag "$(stand_in_for "$image")" "$image"
  log "$image: stand-in (cannot be pulled here)"
}

started=$SECONDS
# One run at a time: two would start dockerd or build the same stand-ins side by side.
exec 9>"${TMPDIR:-/tmp}/orleanschat-base-images.lock"
flock 9
install_tools
start_daemon
if [ ${#requested[@]} -eq 0 ]; then
  mapfile -t requested < <(named_images | sort -u)
fi
for image in "${requested[@]}"; do
  ensure_image "$image"
done
log "${#requested[@]} base images ready in $((SECONDS - started)) s"
