#!/bin/sh
# Entry point modelled on the official redis image's docker-entrypoint.sh
# (POSIX sh, busybox).
set -e

# first arg is `-f` or `--some-option`, or a config file: run redis-server
if [ "${1#-}" != "$1" ] || [ "${1%.conf}" != "$1" ]; then
    set -- redis-server "$@"
fi

# allow the container to be started with `--user`
if [ "$1" = redis-server ] && [ "$(id -u)" = 0 ]; then
    find . \! -user redis -exec chown redis '{}' +
    # util-linux setpriv (busybox's has no --reuid); the official image uses gosu
    exec /usr/bin/setpriv --reuid=999 --regid=999 --init-groups "$0" "$@"
fi

# The official image builds redis-server with protected mode off by default;
# do the same on the command line unless a config file or the arguments decide.
if [ "$1" = redis-server ]; then
    case " $* " in
        *" --protected-mode "* | *.conf" "*) ;;
        *) set -- "$@" --protected-mode no ;;
    esac
fi

um="$(umask)"
if [ "$um" = 0022 ]; then
    umask 0077
fi

exec "$@"
