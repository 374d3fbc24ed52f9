#!/usr/bin/env bash
# Smoke run of the docker/ files, as root (.ci/run calls it after `make test`).
#
# Builds the image and runs two sites, site-a and site-b, each a compose stack
# of its own (web, worker and beat on the host network, their own ports),
# against the host's PostgreSQL (a database each) and Redis (databases 13 and
# 14, which the test harness leaves alone): the compose file's own postgres
# and redis services need images no registry here can give. Pairs the sites
# through the JSON API, signs in to both Failover pages, kills site-a's web and
# worker, waits for site-b to become primary, starts them again and waits for
# site-a to come back as backup.
#
# Installs docker.io, docker-compose and debootstrap when missing. Starts its
# own dockerd (no bridge, no iptables rules, no IP forwarding) unless one is
# running, and stops it on exit. Leaves nothing behind but the base image it
# caches on purpose (docker/base-image.sh; `docker rmi failover-base:bookworm`
# makes the next run build it again).
set -euo pipefail
cd "$(dirname "$0")/.."

BASE_IMAGE=failover-base:bookworm
IMAGE=failover-console  # compose.yaml's image name
SITES=(site-a site-b)
declare -A REDIS_DB=([site-a]=13 [site-b]=14) PORT=()
PG_ROLE=failover_smoke
# Characters a URL would need encoded: compose passes it apart from the URL.
PG_PASSWORD='p@ss:w/rd?%&=+'
ADMIN_PASSWORD=smoke-admin-$RANDOM-$RANDOM
PRIMARY_TIMEOUT=5

say() { printf 'smoke [%4ds] %s\n' "$SECONDS" "$*"; }
fail() { say "FAILED: $*"; exit 1; }

wait_until() {  # wait_until SECONDS DESCRIPTION COMMAND...: poll once a second
    local limit=$1 what=$2 deadline=$((SECONDS + $1))
    shift 2
    until "$@" >/dev/null 2>&1; do
        [ "$SECONDS" -lt "$deadline" ] || fail "$what within $limit s"
        sleep 1
    done
}

compose() {  # compose SITE ARGS...: that site's stack, configured by its env file
    docker-compose --project-name "failover-smoke-$1" --project-directory "$tmp/$1" \
        --file "$PWD/docker/compose.yaml" "${@:2}"
}

psql_admin() {
    PGOPTIONS="-c client_min_messages=warning" \
        psql -h 127.0.0.1 -U postgres -d postgres -qAt -v ON_ERROR_STOP=1 -c "$1"
}

# --- Host state the run must leave as it found it ------------------------------
host_state() {
    cat /proc/sys/net/ipv4/ip_forward /proc/sys/net/ipv6/conf/all/forwarding
    # Interfaces Docker would make (others' tests may add their own meanwhile).
    ip -o link | awk -F': ' '$2 ~ /^(docker|br-|veth)/ { print $2 }' | sort
    # Rules only: no comments, no packet counters.
    { iptables-save; ip6tables-save; } 2>/dev/null | sed -e '/^#/d' -e 's/\[[0-9]*:[0-9]*\]//'
}

# --- Clean-up, on every exit --------------------------------------------------------
locked=""
dockerd_pid=""
built=""
cleanup() {
    local status=$?
    set +e
    trap - EXIT
    # Before the lock, the databases, Redis and daemon may be another run's.
    [ -n "$locked" ] || exit "$status"
    if [ "$status" -ne 0 ]; then
        for site in "${SITES[@]}"; do
            [ -f "$tmp/$site/.env" ] || continue
            echo "===== $site logs"
            compose "$site" logs --no-color --tail 150 2>&1
        done
        [ -n "$dockerd_pid" ] && { echo "===== dockerd"; tail -n 30 "$tmp/dockerd.log"; }
    fi
    say "cleaning up"
    local downs=()
    for site in "${SITES[@]}"; do
        [ -f "$tmp/$site/.env" ] || continue
        compose "$site" down --volumes --remove-orphans --timeout 10 >/dev/null 2>&1 &
        downs+=($!)
    done
    [ ${#downs[@]} -eq 0 ] || wait "${downs[@]}"
    for site in "${SITES[@]}"; do
        redis-cli -h 127.0.0.1 -p 6379 -n "${REDIS_DB[$site]}" flushdb >/dev/null 2>&1
        psql_admin "DROP DATABASE IF EXISTS failover_smoke_${site#site-} WITH (FORCE)" 2>/dev/null
    done
    psql_admin "DROP ROLE IF EXISTS $PG_ROLE" 2>/dev/null
    [ -n "$built" ] && docker rmi "$IMAGE" >/dev/null 2>&1
    # A failed build leaves its layers as dangling images; in our own daemon
    # they can only be ours.
    [ -n "$dockerd_pid" ] && docker image prune --force >/dev/null 2>&1
    if docker info >/dev/null 2>&1; then
        local left
        left=$(docker ps -aq --filter name=failover-smoke-
            docker volume ls -q --filter name=failover-smoke-
            docker network ls -q --filter name=failover-smoke-
            docker images -q "$IMAGE")
        [ -z "$left" ] || { say "FAILED: left behind in Docker: ${left//$'\n'/ }"; status=1; }
    fi
    if [ -n "$dockerd_pid" ]; then
        kill "$dockerd_pid" 2>/dev/null
        for _ in $(seq 1 30); do kill -0 "$dockerd_pid" 2>/dev/null || break; sleep 1; done
        if kill -0 "$dockerd_pid" 2>/dev/null; then
            say "dockerd did not stop; killing it"
            kill -9 "$dockerd_pid"
        fi
    fi
    if [ "$(cat /proc/sys/net/ipv4/ip_forward)" != "$ip_forward_before" ]; then
        echo "$ip_forward_before" >/proc/sys/net/ipv4/ip_forward  # and still fail below
    fi
    if [ "$(host_state)" != "$state_before" ]; then
        say "FAILED: the host's network state changed:"
        diff <(echo "$state_before") <(host_state)
        status=1
    fi
    rm -rf "$tmp"
    if [ "$status" -eq 0 ]; then
        say "passed; left nothing behind"
    else
        say "failed (see above); cleaned up"
    fi
    exit "$status"
}
trap cleanup EXIT

# --- Tools, daemon, images ------------------------------------------------------------
missing=()
command -v dockerd >/dev/null || missing+=(docker.io)
command -v docker-compose >/dev/null || missing+=(docker-compose)
command -v debootstrap >/dev/null || missing+=(debootstrap)
if [ ${#missing[@]} -gt 0 ]; then
    say "installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# One run at a time per machine: runs would share dockerd, the database role
# and databases, and the Redis databases.
mkdir -p /var/lib/docker
exec 9</var/lib/docker
if ! flock -n 9; then
    say "waiting for another smoke run to finish"
    flock -w 1200 9 || fail "another smoke run still holds /var/lib/docker"
fi
tmp=$(mktemp -d /tmp/failover-smoke.XXXXXX)
ip_forward_before=$(cat /proc/sys/net/ipv4/ip_forward)
state_before=$(host_state)
locked=1

if docker info >/dev/null 2>&1; then
    say "using the Docker daemon already running"
else
    say "starting dockerd"
    # Host networking only: no bridge, no iptables rules, ip_forward untouched.
    dockerd --bridge=none --iptables=false --ip-forward=false >"$tmp/dockerd.log" 2>&1 9<&- &
    dockerd_pid=$!
    wait_until 60 "dockerd did not answer" docker info
fi

if ! docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
    say "building the base image $BASE_IMAGE (cached for later runs)"
    docker/base-image.sh "$BASE_IMAGE"
fi

say "building $IMAGE from docker/Dockerfile"
built=1
docker build --network host --build-arg BASE_IMAGE="$BASE_IMAGE" -t "$IMAGE" \
    -f docker/Dockerfile . >"$tmp/build.log" 2>&1 ||
    { tail -n 60 "$tmp/build.log"; fail "the image did not build"; }

# --- Two stacks -------------------------------------------------------------------------
say "creating databases and env files"
psql_admin "DROP ROLE IF EXISTS $PG_ROLE"
psql_admin "CREATE ROLE $PG_ROLE LOGIN PASSWORD '$PG_PASSWORD'"
inter_site_key=$(python3 -c 'import secrets; print(secrets.token_urlsafe(36))')
read -r "PORT[site-a]" "PORT[site-b]" < <(python3 -c '
import socket
socks = [socket.socket() for _ in range(2)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))')
for site in "${SITES[@]}"; do
    db=failover_smoke_${site#site-}
    psql_admin "DROP DATABASE IF EXISTS $db WITH (FORCE)"
    psql_admin "CREATE DATABASE $db OWNER $PG_ROLE"
    redis-cli -h 127.0.0.1 -p 6379 -n "${REDIS_DB[$site]}" flushdb >/dev/null
    mkdir -p "$tmp/$site/tls"  # empty: plain HTTP, peers on loopback
    cat >"$tmp/$site/.env" <<EOF
POSTGRES_PASSWORD=$PG_PASSWORD
DATABASE_URL=postgres://$PG_ROLE@127.0.0.1:5432/$db
CELERY_BROKER_URL=redis://127.0.0.1:6379/${REDIS_DB[$site]}
SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')
DEBUG=0
ALLOWED_HOSTS=127.0.0.1
FAILOVER_SITE_NAME=$site
FAILOVER_PORT=${PORT[$site]}
FAILOVER_HEALTH_INTERVAL=1
FAILOVER_INTER_SITE_KEY=$inter_site_key
FAILOVER_ALLOW_INSECURE_PEER=1
FAILOVER_SHARED_IP_BACKEND=none
FAILOVER_LOG_FORMAT=plain
EOF
done

# --no-deps: the stacks use the host's PostgreSQL and Redis, not compose's.
up() { compose "$1" up -d --no-build --no-deps "${@:2}" 2>&1 | sed 's/^/  /'; }
healthy() {  # healthy SITE: Docker's health check of its web container passes
    [ "$(docker inspect -f '{{.State.Health.Status}}' "$(compose "$1" ps -q web)")" = healthy ]
}

say "starting web: site-a on ${PORT[site-a]}, site-b on ${PORT[site-b]}"
for site in "${SITES[@]}"; do up "$site" web; done
for site in "${SITES[@]}"; do
    wait_until 120 "$site's web did not become healthy" healthy "$site"
done
say "web healthy; starting worker and beat"
for site in "${SITES[@]}"; do up "$site" worker beat; done

# On site-a only: data sync copies users and API tokens to the backup, so the
# same administrator and token then work on both sites, whichever is primary.
say "creating an administrator and an API token on site-a"
compose site-a exec -T -e DJANGO_SUPERUSER_PASSWORD="$ADMIN_PASSWORD" web \
    python manage.py createsuperuser --noinput --username admin --email admin@example.net >/dev/null
TOKEN=$(compose site-a exec -T web python manage.py shell -v 0 -c '
from django.contrib.auth import get_user_model
from failover.models import ApiToken
print(ApiToken.issue(get_user_model().objects.get(username="admin"), "smoke")[1])')
compose site-b exec -T web python manage.py failover settings \
    --primary-timeout "$PRIMARY_TIMEOUT" --auto-failover on --backup-operations on >/dev/null

api() {  # api SITE METHOD PATH [JSON]: the answer's body; fails on an error status
    local body=()
    [ $# -lt 4 ] || body=(--data "$4")
    curl -sS --fail-with-body --max-time 10 -X "$2" \
        -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" \
        "${body[@]}" "http://127.0.0.1:${PORT[$1]}$3"
}
role_is() {  # role_is SITE ROLE [PEER_REACHABLE]: as the site's JSON status says
    api "$1" GET /api/v1/failover | python3 -c '
import json, sys
status, role, reachable = json.load(sys.stdin), sys.argv[1], sys.argv[2:]
ok = status["role"] == role
if reachable:
    ok = ok and status["peer"] is not None and str(status["peer"]["reachable"]) == reachable[0]
sys.exit(0 if ok else 1)' "${@:2}"
}
api_healthy() { api "$1" GET /api/v1/health; }

say "pairing site-a (primary) with site-b (backup) through the API"
answer=$(api site-a POST /api/v1/failover/pair "{\"backup_host\": \"127.0.0.1\",
    \"backup_port\": ${PORT[site-b]}, \"reverse_host\": \"127.0.0.1\",
    \"reverse_port\": ${PORT[site-a]}}") || fail "pairing was refused: $answer"
say "syncing site-b from site-a"
# A sync that the schedule already started answers 409: as good.
api site-a POST /api/v1/failover/sync-now >/dev/null 2>&1 || true
wait_until 60 "site-b did not sync site-a's users (the token is refused)" \
    role_is site-b backup True
wait_until 60 "site-a did not see site-b as backup" role_is site-a primary True
for site in "${SITES[@]}"; do
    wait_until 60 "$site's /api/v1/health did not answer 200" api_healthy "$site"
done

page_says() {  # page_says SITE TEXT: sign in as a browser would, then read the Failover page
    local url="http://127.0.0.1:${PORT[$1]}" jar="$tmp/$1.cookies" csrf page
    curl -sS --fail -c "$jar" -o /dev/null "$url/login"
    csrf=$(awk '$6 == "csrftoken" { print $7 }' "$jar")
    [ "$(curl -sS -b "$jar" -c "$jar" -o /dev/null -w '%{http_code}' -H "Referer: $url/login" \
        --data-urlencode "csrfmiddlewaretoken=$csrf" --data-urlencode username=admin \
        --data-urlencode "password=$ADMIN_PASSWORD" "$url/login")" = 302 ] || return 1
    # Read the whole page before looking: grep -q stops reading at the first
    # match, and curl would fail writing the rest.
    page=$(curl -sS --fail -b "$jar" "$url/management/failover/") && grep -q "$2" <<<"$page"
}
say "signing in to both Failover pages"
page_says site-a "You are on the primary site instance" || fail "site-a's Failover page"
page_says site-b "You are on the backup site instance" || fail "site-b's Failover page"

say "killing site-a's web and worker; site-b takes over after ${PRIMARY_TIMEOUT} s"
killed_at=$SECONDS
compose site-a kill web worker 2>&1 | sed 's/^/  /'
wait_until 60 "site-b did not become primary" role_is site-b primary
say "site-b is primary, $((SECONDS - killed_at)) s after the kill"

say "starting site-a's web and worker again"
compose site-a start web worker 2>&1 | sed 's/^/  /'
wait_until 120 "site-a did not come back as backup" role_is site-a backup True
wait_until 30 "site-b did not see site-a back" role_is site-b primary True
say "site-a is back as backup"
