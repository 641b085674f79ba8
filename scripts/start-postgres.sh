#!/usr/bin/env bash
# Starts the local PostgreSQL the tests run against, and prints its URL (the only line on stdout; progress goes
# to stderr, so `url=$(bash scripts/start-postgres.sh)` works).
#
# Idempotent: installs Debian's `postgresql` only when no server is installed, creates and starts the newest
# installed version's `main` cluster only when it is missing or down, and creates the role and database only
# when they are absent. Run as root on Debian 12 (it may install packages and acts as the `postgres` user).
set -euo pipefail

role=crucible
password=crucible
database=crucible_test

say() { echo "start-postgres: $*" >&2; }

if [ "$(id -u)" -ne 0 ]; then
    say "run as root (it may install Debian packages and runs psql as the postgres user)"
    exit 1
fi

# The newest server version installed, e.g. 15; empty when there is none.
installed_version() {
    local dir
    for dir in /usr/lib/postgresql/*/bin/postgres; do
        [ -x "$dir" ] && basename "$(dirname "$(dirname "$dir")")"
    done | sort -V | tail -n 1
}

version=$(installed_version)
if [ -z "$version" ] || ! command -v pg_lsclusters >/dev/null 2>&1; then
    say "installing postgresql"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends postgresql >/dev/null
    version=$(installed_version)
fi
if [ -z "$version" ]; then
    say "no PostgreSQL server under /usr/lib/postgresql after installing postgresql"
    exit 1
fi

# One line per cluster: version, name, port, status (online, down, online,recovery), ...
cluster_field() {
    pg_lsclusters --no-header | awk -v v="$version" -v f="$1" '$1 == v && $2 == "main" { print $f }'
}

if [ -z "$(cluster_field 1)" ]; then
    say "creating cluster $version/main"
    pg_createcluster "$version" main >&2
fi
port=$(cluster_field 3)
if [[ "$(cluster_field 4)" != online* ]]; then
    say "starting cluster $version/main on port $port"
    pg_ctlcluster "$version" main start >&2
fi

ready=0
for _ in $(seq 1 120); do
    if pg_isready -q -h 127.0.0.1 -p "$port"; then
        ready=1
        break
    fi
    sleep 0.5
done
if [ "$ready" -ne 1 ]; then
    say "PostgreSQL $version/main is not accepting connections on 127.0.0.1:$port after 60 s;" \
        "see /var/log/postgresql/postgresql-$version-main.log"
    exit 1
fi

# psql as the superuser over the local socket (peer authentication). From / so that psql does not warn that it
# cannot enter root's home directory.
as_postgres() {
    (cd / && runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -p "$port" -d postgres -tA "$@")
}

if [ -z "$(as_postgres -c "SELECT 1 FROM pg_roles WHERE rolname = '$role'")" ]; then
    say "creating role $role"
    as_postgres -c "CREATE ROLE $role LOGIN PASSWORD '$password'"
fi
# The store's contract suite gives each test a database of its own.
as_postgres -c "ALTER ROLE $role CREATEDB"
if [ -z "$(as_postgres -c "SELECT 1 FROM pg_database WHERE datname = '$database'")" ]; then
    say "creating database $database"
    as_postgres -c "CREATE DATABASE $database OWNER $role"
fi

# The tests connect over TCP with the password, so check exactly that path (pg_hba.conf, the password).
if ! PGPASSWORD=$password PGCONNECT_TIMEOUT=10 psql -X -q -h 127.0.0.1 -p "$port" -U "$role" -d "$database" \
    -tA -c "SELECT 1" >/dev/null; then
    say "cannot log in as $role to $database on 127.0.0.1:$port; check pg_hba.conf and the role's password"
    exit 1
fi

say "ready: PostgreSQL $version/main on 127.0.0.1:$port"
echo "postgres://$role:$password@127.0.0.1:$port/$database"
