#!/bin/sh
# Runs the command given (the README's web, worker or beat command); the web
# server first brings the database schema up to date.
set -e
case "$1" in
    gunicorn) python manage.py migrate --noinput ;;
esac
exec "$@"
