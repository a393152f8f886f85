#!/bin/sh
# Entry point modelled on the official postgres image's docker-entrypoint.sh
# (POSIX sh, busybox): POSTGRES_PASSWORD (or POSTGRES_HOST_AUTH_METHOD=trust),
# POSTGRES_USER, POSTGRES_DB, POSTGRES_INITDB_ARGS, /docker-entrypoint-initdb.d.
set -eu

# first arg is `-f` or `--some-option`: run the server with those options
case "${1:-}" in -*) set -- postgres "$@" ;; esac

if [ "${1:-}" != postgres ]; then
    exec "$@"
fi

: "${PGDATA:=/var/lib/postgresql/data}"
export PGDATA

if [ "$(id -u)" = 0 ]; then
    mkdir -p "$PGDATA" /var/run/postgresql
    chmod 00700 "$PGDATA" || :
    chmod 03775 /var/run/postgresql || :
    find "$PGDATA" \! -user postgres -exec chown postgres:postgres '{}' +
    find /var/run/postgresql \! -user postgres -exec chown postgres:postgres '{}' +
    # util-linux setpriv (busybox's has no --reuid); the official image uses gosu
    exec /usr/bin/setpriv --reuid=999 --regid=999 --init-groups "$0" "$@"
fi

: "${POSTGRES_USER:=postgres}"
: "${POSTGRES_DB:=$POSTGRES_USER}"
: "${POSTGRES_PASSWORD:=}"
: "${POSTGRES_INITDB_ARGS:=}"
: "${POSTGRES_HOST_AUTH_METHOD:=scram-sha-256}"
export PGUSER="$POSTGRES_USER" PGPASSWORD="$POSTGRES_PASSWORD"

if [ ! -s "$PGDATA/PG_VERSION" ]; then
    if [ -z "$POSTGRES_PASSWORD" ] && [ "$POSTGRES_HOST_AUTH_METHOD" != trust ]; then
        cat >&2 <<'MSG'
Error: Database is uninitialized and superuser password is not specified.
       You must specify POSTGRES_PASSWORD to a non-empty value for the
       superuser. For example, "-e POSTGRES_PASSWORD=password" on "docker run".
       Or use POSTGRES_HOST_AUTH_METHOD=trust to allow all connections
       without a password (not recommended).
MSG
        exit 1
    fi
    mkdir -p "$PGDATA"
    chmod 00700 "$PGDATA" 2>/dev/null || :

    echo "initdb: initializing $PGDATA"
    if [ -n "$POSTGRES_PASSWORD" ]; then
        # shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS is a list of options
        printf '%s\n' "$POSTGRES_PASSWORD" |
            initdb --username="$POSTGRES_USER" --pwfile=/dev/stdin $POSTGRES_INITDB_ARGS
    else
        # shellcheck disable=SC2086
        initdb --username="$POSTGRES_USER" $POSTGRES_INITDB_ARGS
    fi
    printf '\nhost all all all %s\n' "$POSTGRES_HOST_AUTH_METHOD" >> "$PGDATA/pg_hba.conf"

    # Private server (unix socket only) for the init steps.
    pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -p ${PGPORT:-5432}" -w start
    psql_run() { psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password --no-psqlrc "$@"; }
    if [ "$POSTGRES_DB" != postgres ]; then
        psql_run --dbname postgres --set db="$POSTGRES_DB" <<'SQL'
CREATE DATABASE :"db" ;
SQL
    fi
    for f in /docker-entrypoint-initdb.d/*; do
        [ -e "$f" ] || continue
        case $f in
            *.sh)
                if [ -x "$f" ]; then
                    echo "running $f"
                    "$f"
                else
                    echo "sourcing $f"
                    # shellcheck disable=SC1090 # the init scripts are the user's
                    . "$f"
                fi ;;
            *.sql) echo "running $f"; psql_run --dbname "$POSTGRES_DB" -f "$f" ;;
            *.sql.gz) echo "running $f"; gunzip -c "$f" | psql_run --dbname "$POSTGRES_DB" ;;
            *) echo "ignoring $f" ;;
        esac
    done
    pg_ctl -D "$PGDATA" -m fast -w stop
    echo "PostgreSQL init process complete; ready for start up."
fi
unset PGPASSWORD

exec "$@"
