#!/bin/sh
# Like upstream's deploy/healthcheck.sh: /healthz on the port PID 1 was given with -port / --port.
port=8080
for arg in $(tr '\0' ' ' < /proc/1/cmdline 2>/dev/null); do
    case $arg in
        -port=*) port=${arg#-port=} ;;
        --port=*) port=${arg#--port=} ;;
    esac
done
wget -q -O /dev/null "http://127.0.0.1:${port}/healthz" || exit 1
