#!/usr/bin/env bash
# Builds the container image wirewatch:VERSION (the tag deploy/kubernetes names) as an OCI image layout, without a
# container engine or a registry: a Debian root filesystem from this machine's apt sources (mmdebstrap) holding the
# runtime and the .deb the build made (packaging/target), packed by umoci. Root; after `mvn -B -DskipTests package`.
#   deploy/image/build.sh [OUT_DIR]           (default: target/image)
#   skopeo inspect oci:target/image:wirewatch:0.1.0
#   skopeo copy oci:target/image:wirewatch:0.1.0 docker://REGISTRY/wirewatch:0.1.0   (to where a cluster pulls)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
debs=("$repo"/packaging/target/wirewatch_*_all.deb)
if [ ! -f "${debs[0]}" ] || [ ${#debs[@]} != 1 ]; then
  echo "image: want exactly one packaging/target/wirewatch_*_all.deb: run mvn -B -DskipTests package first" >&2
  exit 1
fi
for tool in mmdebstrap umoci; do
  command -v $tool >/dev/null || { echo "image: $tool is missing: apt-get install mmdebstrap umoci skopeo" >&2; exit 1; }
done
deb=${debs[0]}
version=$(dpkg-deb --field "$deb" Version)
tag=${version%%~*} # 0.1.0~SNAPSHOT is tagged 0.1.0, as the manifests expect
out=${1:-$repo/target/image}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# This machine's release and apt sources (deb822 files: mmdebstrap takes them as the mirror). Debian's essential set
# (no apt in the image) plus the package and what it depends on; no docs or translations (man pages stay: the JRE's
# postinst links its own).
suite=$(. /etc/os-release && echo "$VERSION_CODENAME")
sources=(/etc/apt/sources.list.d/*.sources)
[ -f /etc/apt/sources.list ] && sources+=(/etc/apt/sources.list)
# apt installs the .deb inside the chroot and mmdebstrap checks it outside: the same path in both, removed after.
staged=$work/$(basename "$deb")
cp "$deb" "$staged"
mmdebstrap --quiet --variant=essential --include="$staged" --skip=output/dev \
  --setup-hook="mkdir -p \"\$1$work\" && cp '$staged' \"\$1$work/\"" --customize-hook="rm -rf \"\$1$work\"" \
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/locale/*' "$suite" "$work/rootfs" "${sources[@]}"

rm -rf "$out"
umoci init --layout "$out"
umoci new --image "$out:wirewatch:$tag"
umoci unpack --image "$out:wirewatch:$tag" "$work/bundle"
rm -rf "$work/bundle/rootfs"
mv "$work/rootfs" "$work/bundle/rootfs"
umoci repack --image "$out:wirewatch:$tag" "$work/bundle"
# The manifests pass the command and its options as args and choose the user per pod (the sensor root with NET_RAW
# only, the others 65534); alone, it runs unprivileged.
umoci config --image "$out:wirewatch:$tag" --config.entrypoint /usr/bin/wirewatch --config.cmd --help \
  --config.env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  --config.user 65534:65534 --config.workingdir /var/lib/wirewatch --config.label "org.opencontainers.image.version=$version"
umoci gc --layout "$out"
echo "image: oci:$out:wirewatch:$tag ($(du -sh "$out" | cut -f1))"
