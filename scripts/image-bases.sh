#!/usr/bin/env bash
# Base images for building the shipwatch image where no registry is reachable (the image test):
# root file systems made from this machine's own files, loaded with `docker import`.
#
#   runtime  this machine's `node` and the shared libraries it links (ldd), with busybox-static
#            for a shell: what node:20-bookworm-slim is to the Dockerfile's runtime stage.
#   build    the files of the installed Debian packages nodejs, g++, make, python3, libpcap-dev,
#            libjs-d3 and what they depend on (apt-cache depends --recurse --installed), plus npm's cache
#            and `npm_config_offline=true`: what node:20-bookworm is to the build stage, except
#            that `npm ci` installs from the cache and can never reach a registry.
#
# Each image is tagged by a hash of what went into it, so a second run only checks.
# Prints BUILD_BASE=… and RUNTIME_BASE=… for `docker build --build-arg`. Uses $DOCKER_HOST.
set -euo pipefail

NPM_CACHE=${NPM_CACHE:-$(npm config get cache)}
BUILD_PACKAGES=(nodejs g++ make python3 libpcap-dev libjs-d3 bash dash coreutils libc-bin util-linux sed grep findutils)
log() { echo "image-bases: $*" >&2; }

# Every applet of busybox-static where the root file system has no such command yet.
add_busybox() {
  local root=$1 applet
  mkdir -p "$root/bin"
  cp /bin/busybox "$root/bin/busybox"
  while read -r applet; do
    [[ -e $root/$applet || -L $root/$applet ]] && continue
    mkdir -p "$root/$(dirname "$applet")"
    ln -s /bin/busybox "$root/$applet"
  done < <(/bin/busybox --list-full)
}

skeleton() {
  local root=$1
  mkdir -p "$root"/{etc,tmp,root,proc,sys,dev,usr/bin}
  chmod 1777 "$root/tmp"
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$root/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
  echo 'hosts: files dns' >"$root/etc/nsswitch.conf"
}

import_root() { # root tag changes...
  local root=$1 tag=$2
  shift 2
  local changes=()
  for change in "$@"; do changes+=(-c "$change"); done
  tar -C "$root" -c . | docker import "${changes[@]}" - "$tag" >/dev/null
}

have() { docker image inspect "$1" >/dev/null 2>&1; }

runtime_base() {
  local node libs hash tag root
  node=$(readlink -f "$(command -v node)")
  libs=$(ldd "$node" | awk '/=>/ {print $3} /^[ \t]*\/lib/ {print $1}' | sort -u)
  hash=$( (sha256sum "$node" /bin/busybox; for lib in $libs; do sha256sum "$(readlink -f "$lib")"; done) | sha256sum | cut -c1-16)
  tag=shipwatch-test/node-runtime:$hash
  if ! have "$tag"; then
    log "making $tag (node $(node --version) and its libraries, busybox)"
    root=$(mktemp -d)
    skeleton "$root"
    cp "$node" "$root/usr/bin/node"
    for lib in $libs; do
      mkdir -p "$root$(dirname "$lib")"
      cp -L "$lib" "$root$lib"
    done
    # The loader is asked for by its canonical path: /lib64 is a link on Debian.
    [[ -e /lib64 && ! -e $root/lib64 ]] && ln -s /lib/x86_64-linux-gnu "$root/lib64"
    add_busybox "$root"
    import_root "$root" "$tag" 'ENV PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin'
    rm -rf "$root"
  fi
  echo "RUNTIME_BASE=$tag"
}

build_base() {
  local packages files hash tag root
  packages=$(apt-cache depends --recurse --installed --no-recommends --no-suggests --no-conflicts \
    --no-breaks --no-replaces --no-enhances "${BUILD_PACKAGES[@]}" 2>/dev/null |
    grep -v '^[ <]' | sort -u |
    while read -r pkg; do dpkg-query -W -f='${db:Status-Abbrev}${binary:Package}=${Version}\n' "$pkg" 2>/dev/null | sed -n 's/^ii *//p'; done)
  hash=$( (echo "$packages"; npm --version; sha256sum /bin/busybox; find "$NPM_CACHE/_cacache/index-v5" -type f -printf '%P %s\n' | sort) | sha256sum | cut -c1-16)
  tag=shipwatch-test/node-build:$hash
  if ! have "$tag"; then
    log "making $tag ($(echo "$packages" | wc -l) Debian packages and npm's cache; takes a minute once)"
    root=$(mktemp -d)
    skeleton "$root"
    files=$(mktemp)
    # Debian's merged /usr: /bin, /sbin, /lib, /lib64 are links into /usr, and packages list their
    # files under either name. The same links in the image; each file under its /usr name.
    local merged=()
    for dir in bin sbin lib lib64; do
      if [[ -L /$dir ]]; then
        ln -s "$(readlink "/$dir")" "$root/$dir"
        merged+=("$dir")
      fi
    done
    local rewrite='s#^##'
    if ((${#merged[@]})); then
      rewrite=$(IFS='|' && echo "s#^/(${merged[*]})(/|\$)#/usr/\\1\\2#")
    fi
    # Regular files and links of each package, without documentation; directories come with them.
    for pkg in $packages; do dpkg -L "${pkg%%=*}"; done | grep '^/' | sed -E "$rewrite" |
      grep -Ev '^/usr/share/(doc|man|info|locale|lintian|bug)/' | sort -u |
      while read -r path; do if [[ -f $path || -L $path ]]; then echo "${path#/}"; fi; done >"$files"
    # Commands Debian provides through alternatives (cc, c++, awk…) are links the packages do not
    # list: keep each whose final target is one of the files.
    for link in /usr/bin/* /usr/sbin/*; do
      [[ -L $link && $(readlink "$link") == /etc/alternatives/* ]] || continue
      if grep -qxF "$(readlink -f "$link" | sed 's|^/||')" "$files"; then
        printf '%s\n%s\n' "${link#/}" "$(readlink "$link" | sed 's|^/||')" >>"$files"
      fi
    done
    # --no-recursion and relative paths: exactly the listed files, from the host root.
    tar -C / --no-recursion -cf - -T "$files" | tar -C "$root" -xf -
    # npm as this machine runs it: it may have been upgraded past the files nodejs's package lists.
    local npm_dir
    npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
    rm -rf "${root:?}$npm_dir" && mkdir -p "$root$(dirname "$npm_dir")" && cp -a "$npm_dir" "$root$npm_dir"
    mkdir -p "$root/root/.npm"
    cp -a "$NPM_CACHE/_cacache" "$root/root/.npm/_cacache"
    add_busybox "$root"
    rm -f "$files"
    import_root "$root" "$tag" \
      'ENV PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin' \
      'ENV npm_config_offline=true' \
      'ENV npm_config_nodedir=/usr' \
      'ENV npm_config_update_notifier=false'
    rm -rf "$root"
  fi
  echo "BUILD_BASE=$tag"
}

runtime_base
build_base
