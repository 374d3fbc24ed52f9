#!/bin/sh
# Runs the command compose gives the service (web, worker or beat) as the
# image's unprivileged user `failover`.
#
# The container starts as root only to hand that user the network capabilities
# it was granted (compose's cap_add): iproute2's `ip` drops its capabilities at
# start for a non-root user unless CAP_NET_ADMIN is inheritable, so the shared-IP
# backend needs NET_ADMIN and NET_RAW inheritable and ambient, not file
# capabilities. Without NET_ADMIN in the bounding set, the user gets none.
#
# Nothing is chowned: mounted files (the TLS key) must already be readable by
# the failover user (README, "TLS certificates").
set -e

if [ $# -eq 0 ]; then
    echo "entrypoint: give the command to run (docker/compose.yaml has each service's)" >&2
    exit 64
fi

granted() {  # granted BIT: is this capability in the bounding set?
    bounding=$(awk '/^CapBnd:/ { print $2 }' /proc/self/status)
    [ $(((0x$bounding >> $1) & 1)) -eq 1 ]
}

# Word-split on purpose below: setpriv and its options, or nothing when the
# container already runs as another user (docker run --user).
as_app=""
if [ "$(id -u)" -eq 0 ]; then
    as_app="setpriv --reuid failover --regid failover --init-groups"
    if granted 12; then  # CAP_NET_ADMIN
        caps=+net_admin
        if granted 13; then caps=$caps,+net_raw; fi
        as_app="$as_app --inh-caps $caps --ambient-caps $caps"
    fi
    export HOME=/var/lib/failover
fi

# The web server (whichever command it is: the one that binds a port) first
# brings the database schema up to date; worker and beat start once it is
# healthy.
case " $* " in
    *" --bind "*) $as_app python manage.py migrate --noinput ;;
esac
exec $as_app "$@"
