#!/bin/sh
# Test stand-in's /run.sh: upstream's packaging/docker/run.sh (Grafana 13) for busybox sh (upstream
# runs it with bash; `${!VAR}` becomes eval here).  See tests/images/README.md, "grafana-standin".
set -e

PERMISSIONS_OK=0

if [ ! -r "$GF_PATHS_CONFIG" ]; then
    echo "GF_PATHS_CONFIG='$GF_PATHS_CONFIG' is not readable."
    PERMISSIONS_OK=1
fi

if [ ! -w "$GF_PATHS_DATA" ]; then
    echo "GF_PATHS_DATA='$GF_PATHS_DATA' is not writable."
    PERMISSIONS_OK=1
fi

if [ ! -r "$GF_PATHS_HOME" ]; then
    echo "GF_PATHS_HOME='$GF_PATHS_HOME' is not readable."
    PERMISSIONS_OK=1
fi

if [ $PERMISSIONS_OK -eq 1 ]; then
    echo "You may have issues with file permissions, more information here: http://docs.grafana.org/installation/docker/#migrate-to-v51-or-later"
fi

if [ ! -d "$GF_PATHS_PLUGINS" ]; then
    mkdir "$GF_PATHS_PLUGINS"
fi

# Convert all environment variables with names ending in __FILE into the content of
# the file that they point at and use the name without the trailing __FILE.
# This can be used to carry in Docker secrets.
for VAR_NAME in $(env | grep '^GF_[^=]\+__FILE=.\+' | sed -r "s/([^=]*)__FILE=.*/\1/g"); do
    VAR_NAME_FILE="$VAR_NAME"__FILE
    eval "VAR_VALUE=\${$VAR_NAME:-}"
    eval "VAR_FILE=\${$VAR_NAME_FILE}"
    if [ -n "$VAR_VALUE" ]; then
        echo >&2 "ERROR: Both $VAR_NAME and $VAR_NAME_FILE are set (but are exclusive)"
        exit 1
    fi
    echo "Getting secret $VAR_NAME from $VAR_FILE"
    # Upstream's bash `$(< FILE)` prints an error for a missing file; Grafana then starts without the
    # secret.  The stand-in stops instead: a secret that cannot be read is a broken deployment.
    if [ ! -r "$VAR_FILE" ]; then
        echo >&2 "ERROR: $VAR_NAME_FILE: $VAR_FILE: No such file or not readable"
        exit 1
    fi
    VAR_VALUE=$(cat "$VAR_FILE")
    export "$VAR_NAME=$VAR_VALUE"
    unset "$VAR_NAME_FILE"
done

export HOME="$GF_PATHS_HOME"

if [ -n "${GF_INSTALL_PLUGINS}" ]; then
    echo >&2 "ERROR: GF_INSTALL_PLUGINS is set: the test stand-in cannot install plugins"
    exit 1
fi

exec grafana server                                         \
  --homepath="$GF_PATHS_HOME"                               \
  --config="$GF_PATHS_CONFIG"                               \
  --packaging=docker                                        \
  "$@"                                                      \
  cfg:default.log.mode="console"                            \
  cfg:default.paths.data="$GF_PATHS_DATA"                   \
  cfg:default.paths.logs="$GF_PATHS_LOGS"                   \
  cfg:default.paths.plugins="$GF_PATHS_PLUGINS"             \
  cfg:default.paths.provisioning="$GF_PATHS_PROVISIONING"
