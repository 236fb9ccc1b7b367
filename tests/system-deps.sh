#!/bin/sh
# Install the Debian packages the test suite drives when they are missing:
# Chromium for the browser tests, PostgreSQL for the second run, Redis for the
# shared-cache tests, Java for the Nu HTML Checker, npm for the checkers,
# nginx with the cache-purge module (and openssl for its certificate) for the
# test of the documented proxy configuration, gettext for the test that every
# interface string is translated.
set -eu
missing=""
[ -x /usr/bin/chromium ] || missing="$missing chromium"
command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 \
    || missing="$missing postgresql"
command -v redis-server >/dev/null 2>&1 || missing="$missing redis-server"
command -v java >/dev/null 2>&1 || missing="$missing default-jre-headless"
command -v npm >/dev/null 2>&1 || missing="$missing nodejs npm"
[ -x /usr/sbin/nginx ] || missing="$missing nginx-light"
[ -e /usr/lib/nginx/modules/ngx_http_cache_purge_module.so ] \
    || missing="$missing libnginx-mod-http-cache-purge"
command -v openssl >/dev/null 2>&1 || missing="$missing openssl"
command -v xgettext >/dev/null 2>&1 || missing="$missing gettext"
[ -z "$missing" ] && exit 0
echo "Installing Debian packages:$missing"
if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
$sudo apt-get update -qq
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
