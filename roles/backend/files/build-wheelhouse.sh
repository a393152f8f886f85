#!/usr/bin/env bash
# Build the sample backend's wheelhouse on the controller, as one tar archive of wheels (the build context's
# wheels.tar), for the Python and platform of the base image the host builds on.
#
#   build-wheelhouse.sh PYTHON SOURCE GIVEN_DIR OUT_TAR PY_VERSION ABI MACHINE GLIBC
#
# GIVEN_DIR non-empty: the wheels are taken from that directory as they are (the air-gapped path).
# Otherwise: `pip download` of the pinned requirements.txt as binary wheels for that platform, and `pip wheel` of the
# package itself (pure Python). The archive is written to a temporary name and renamed, so an interrupted run leaves
# nothing that looks complete.
set -euo pipefail
python=$1 source=$2 given=$3 out=$4 pyver=$5 abi=$6 machine=$7 glibc=$8

mkdir -p "$(dirname "$out")"
work=$(mktemp -d "${out%.tar}.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir "$work/wheels"

if [ -n "$given" ]; then
    cp "$given"/*.whl "$work/wheels/"
else
    # Every manylinux tag the base image's glibc accepts (PEP 600), newest last.
    minor=${glibc#2.}
    platforms=(--platform "manylinux2014_$machine" --platform "manylinux1_$machine" --platform "manylinux2010_$machine")
    for ((m = 5; m <= minor; m++)); do platforms+=(--platform "manylinux_2_${m}_$machine"); done
    # Environment markers are left out: pip would evaluate them against the controller's interpreter, not the base
    # image's (redis needs async-timeout below Python 3.11.3 only); a wheel too many is harmless, one missing is not.
    sed -e 's/[[:space:]]*;.*$//' -e '/^[[:space:]]*#/d' -e '/^[[:space:]]*$/d' "$source/requirements.txt" \
        >"$work/requirements.txt"
    "$python" -m pip download --quiet --no-deps --only-binary=:all: --implementation cp --python-version "$pyver" \
        --abi "$abi" --abi abi3 --abi none "${platforms[@]}" --platform any \
        -r "$work/requirements.txt" -d "$work/wheels"
    # From a copy: a build writes build/ and *.egg-info into the tree, which is the installed collection's.
    cp -r "$source" "$work/source"
    rm -rf "$work/source/build" "$work/source"/src/*.egg-info "$work/source/tests"
    "$python" -m pip wheel --quiet --no-deps "$work/source" -w "$work/wheels"
fi
ls "$work/wheels"/*.whl >/dev/null
# A stable archive: sorted names, fixed owner and times.
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$work/wheels" -cf "$work/wheels.tar" .
mv "$work/wheels.tar" "$out"
