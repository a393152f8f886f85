#!/bin/sh
# As upstream's deploy/entrypoint.sh: the flags given to the container go to cadvisor, after -logtostderr.
set -e
exec /usr/bin/cadvisor -logtostderr "$@"
