#!/bin/sh
# Runs the command given (the README's web, worker or beat command); the web
# server first brings the database schema up to date.
set -e
case "$*" in
    *failover_site.web*) python manage.py migrate --noinput ;;
esac
exec "$@"
