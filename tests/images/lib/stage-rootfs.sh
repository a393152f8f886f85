#!/usr/bin/env bash
# stage-rootfs: assemble a minimal root filesystem under DEST from files of the
# system it runs on (the builder image), for a final `FROM scratch` stage.
#
# usage: stage-rootfs [options] DEST [SRC[=DST] ...]   (options may come anywhere)
#   SRC[=DST]            copy file SRC (symlinks followed) to DST (default: SRC);
#                        a directory is copied recursively, symlinks kept
#   --busybox            static busybox as /bin/busybox + an applet symlink in
#                        /bin for every applet (like the upstream busybox image)
#   --user N:UID:GID[:HOME[:SHELL]]  passwd entry plus group N with GID
#   --dir PATH:MODE:UID:GID          create a directory
#   --no-passwd          no /etc/passwd, /etc/group
#   --no-tmp             no /tmp
#
# Always: /etc/ssl/certs/ca-certificates.crt, /etc/nsswitch.conf, and every
# shared library (plus the loader) that ldd reports for the ELF files copied.
set -euo pipefail

busybox=0 passwd=1 tmp=1
users=() dirs=() args=()
while [ $# -gt 0 ]; do
    case $1 in
        --busybox) busybox=1 ;;
        --user) users+=("$2"); shift ;;
        --dir) dirs+=("$2"); shift ;;
        --no-passwd) passwd=0 ;;
        --no-tmp) tmp=0 ;;
        -*) echo "stage-rootfs: unknown option $1" >&2; exit 2 ;;
        *) args+=("$1") ;;
    esac
    shift
done
set -- "${args[@]}"
[ $# -ge 1 ] || { echo "usage: stage-rootfs [options] DEST [SRC[=DST] ...]" >&2; exit 2; }
dest=${1%/}; shift
[ -n "$dest" ] && [ "$dest" != / ] || { echo "stage-rootfs: refusing DEST '$dest'" >&2; exit 2; }

mkdir -p "$dest/etc/ssl/certs"
chmod 0755 "$dest" "$dest/etc"
if [ "$tmp" = 1 ]; then
    mkdir -p "$dest/tmp"
    chmod 1777 "$dest/tmp"
fi

if [ "$passwd" = 1 ]; then
    shell=/bin/false
    [ "$busybox" = 1 ] && shell=/bin/sh
    {
        echo "root:x:0:0:root:/root:$shell"
        echo "nobody:x:65534:65534:nobody:/home:/bin/false"
    } > "$dest/etc/passwd"
    {
        echo "root:x:0:"
        echo "nobody:x:65534:"
        echo "nogroup:x:65534:"
    } > "$dest/etc/group"
    for u in "${users[@]}"; do
        IFS=: read -r name uid gid home ushell <<<"$u"
        echo "$name:x:$uid:$gid:$name:${home:-/nonexistent}:${ushell:-/bin/false}" >> "$dest/etc/passwd"
        echo "$name:x:$gid:" >> "$dest/etc/group"
    done
    chmod 0644 "$dest/etc/passwd" "$dest/etc/group"
fi

# Go's resolver reads this to decide between files and DNS.
printf 'passwd: files\ngroup: files\nhosts: files dns\nnetworks: files\nprotocols: files\nservices: files\n' \
    > "$dest/etc/nsswitch.conf"
cp -L /etc/ssl/certs/ca-certificates.crt "$dest/etc/ssl/certs/ca-certificates.crt"
chmod 0644 "$dest/etc/nsswitch.conf" "$dest/etc/ssl/certs/ca-certificates.crt"

if [ "$busybox" = 1 ]; then
    mkdir -p "$dest/bin" "$dest/usr/bin"
    cp -L "$(command -v busybox)" "$dest/bin/busybox"
    for applet in $("$dest/bin/busybox" --list); do
        case $applet in busybox|linuxrc) continue ;; esac
        [ -e "$dest/bin/$applet" ] || ln -s busybox "$dest/bin/$applet"
    done
    ln -sf ../../bin/busybox "$dest/usr/bin/env"
fi

for spec in "$@"; do
    src=${spec%%=*}
    dst=$src
    case $spec in *=*) dst=${spec#*=} ;; esac
    mkdir -p "$dest$(dirname "$dst")"
    if [ -d "$src" ]; then
        rm -rf "${dest:?}$dst"
        cp -a "$src" "$dest$dst"
    else
        cp -L --preserve=mode,timestamps "$src" "$dest$dst"
    fi
done

for d in "${dirs[@]}"; do
    IFS=: read -r path mode uid gid <<<"$d"
    mkdir -p "$dest$path"
    chmod "$mode" "$dest$path"
    chown "$uid:$gid" "$dest$path"
done

# Shared libraries: ldd prints the full transitive closure for each object.
libs=$(
    find "$dest" -xdev -type f \( -perm -u+x -o -name '*.so' -o -name '*.so.*' \) -print0 |
    while IFS= read -r -d '' f; do
        [ "$(head -c 4 "$f" | od -An -c | tr -d ' ')" = '177ELF' ] || continue
        out=$(ldd "$f" 2>&1) || continue   # static binaries: "not a dynamic executable"
        if grep -q 'not found' <<<"$out"; then
            echo "stage-rootfs: unresolved library for $f:" >&2
            echo "$out" >&2
            exit 1
        fi
        awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' <<<"$out"
    done | sort -u
)
for lib in $libs; do
    [ -e "$dest$lib" ] && continue
    mkdir -p "$dest$(dirname "$lib")"
    cp -L --preserve=mode "$lib" "$dest$lib"
done
echo "stage-rootfs: $dest: $(du -sh "$dest" | cut -f1), $(wc -w <<<"$libs") shared objects" >&2
