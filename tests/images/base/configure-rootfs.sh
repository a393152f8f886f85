#!/bin/sh
# Turn a fresh `debootstrap --variant=minbase` tree into a small container base
# (the same kind of tweaks the official Debian images carry), before
# `docker import`.  Runs on the build host against the tree; no chroot.
#
# usage: configure-rootfs.sh ROOT SUITE MIRROR SECURITY_MIRROR
set -eu
root=$1 suite=$2 mirror=$3 security=$4
case $root in ''|/) echo "configure-rootfs: refusing ROOT '$root'" >&2; exit 2 ;; esac
[ -x "$root/usr/bin/apt-get" ] || { echo "configure-rootfs: $root is not a Debian tree" >&2; exit 2; }

case $suite in
    sid|unstable|experimental)
        printf 'deb %s %s main\n' "$mirror" "$suite" ;;
    *)
        printf 'deb %s %s main\ndeb %s %s-updates main\ndeb %s %s-security main\n' \
            "$mirror" "$suite" "$mirror" "$suite" "$security" "$suite" ;;
esac > "$root/etc/apt/sources.list"

# The mirror serves Release files that can be past their Valid-Until (sid is
# already); without this every later `apt-get update` would need extra flags.
cat > "$root/etc/apt/apt.conf.d/90proxy-obs" <<'APT'
Acquire::Check-Valid-Until "false";
Acquire::Languages "none";
APT

# As in the official Debian images: keep no .deb files or pkgcache around.
cat > "$root/etc/apt/apt.conf.d/docker-clean" <<'APT'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
APT

# Leave out documentation, man pages and translations from now on ...
cat > "$root/etc/dpkg/dpkg.cfg.d/docker-slim" <<'DPKG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
DPKG
# ... and drop what debootstrap already installed of them.
find "$root/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete
find "$root/usr/share/doc" -mindepth 1 -depth -type d -empty -delete
rm -rf "$root/usr/share/man/"* "$root/usr/share/info/"* "$root/usr/share/groff/"* "$root/usr/share/lintian/"*
find "$root/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +

# Package scripts must not try to start services while images are built.
printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"
chmod 0755 "$root/usr/sbin/policy-rc.d"

rm -rf "$root/var/lib/apt/lists/"* "$root/var/cache/apt/"*.bin "$root/var/cache/apt/archives/"*.deb
rm -f "$root/var/log/"*.log "$root/var/log/apt/"* "$root/var/cache/debconf/"*-old
: > "$root/etc/resolv.conf"
echo localhost > "$root/etc/hostname"
