#!/usr/bin/env bash
# Builds OUT_DIR/wirewatch_VERSION_all.deb: the fat jar, the repository's launcher (it knows the installed layout),
# deploy/samples for `wirewatch demo`, and this folder's etc/ (conffiles), systemd/ units and debian/ scripts.
# Maven runs it in the package phase (pom.xml). Usage: build-deb.sh MAVEN_VERSION OUT_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
version=${1/-/\~} # 0.1.0-SNAPSHOT becomes 0.1.0~SNAPSHOT, which sorts before the release 0.1.0
out=$2
jar=$repo/app/target/wirewatch.jar
if [ ! -f "$jar" ]; then
  echo "build-deb: $jar is missing: build app first (mvn -pl packaging -am package)" >&2
  exit 1
fi

stage=$out/deb-root
home=$stage/usr/share/wirewatch
rm -rf "$stage"
install -d "$stage/DEBIAN" "$stage/usr/bin" "$home/deploy" "$stage/etc/wirewatch" "$stage/lib/systemd/system"
install -m 0644 "$jar" "$home/wirewatch.jar"
install -m 0755 "$repo/wirewatch" "$home/wirewatch"
ln -s ../share/wirewatch/wirewatch "$stage/usr/bin/wirewatch"
cp -r "$repo/deploy/samples" "$home/deploy/samples"
chmod -R u+rwX,go=rX "$home/deploy/samples"
install -m 0644 "$here"/etc/* "$stage/etc/wirewatch/"
install -m 0644 "$here"/systemd/* "$stage/lib/systemd/system/"

# Every file under /etc is a conffile: dpkg keeps the admin's changes on upgrade, and removes them only on purge.
(cd "$stage" && find etc -type f -printf '/%p\n' | sort) >"$stage/DEBIAN/conffiles"
(cd "$stage" && find usr lib -type f -print0 | sort -z | xargs -0 md5sum) >"$stage/DEBIAN/md5sums"
size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@INSTALLED_SIZE@/$size/" "$here/debian/control" >"$stage/DEBIAN/control"
install -m 0755 "$here"/debian/postinst "$here"/debian/prerm "$here"/debian/postrm "$stage/DEBIAN/"
# The jar is compressed already: the fastest gzip level costs seconds, not the minute xz takes.
dpkg-deb --root-owner-group -Zgzip -z1 --build "$stage" "$out/wirewatch_${version}_all.deb" >/dev/null
rm -rf "$stage"
echo "build-deb: $out/wirewatch_${version}_all.deb"
