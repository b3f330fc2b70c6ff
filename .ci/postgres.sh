#!/usr/bin/env bash
# Throwaway PostgreSQL 15 server for the test suite.
#
# As a script:
#   url=$(bash .ci/postgres.sh start)   # prints the SQLAlchemy URL on stdout
#   bash .ci/postgres.sh stop "$url"    # stops the server, removes its directory
#   (stop also accepts the temporary directory instead of the URL)
#
# Sourced:
#   source .ci/postgres.sh
#   pg_start        # sets PG_TMPDIR, PG_PORT and PG_URL (and prints the URL)
#   pg_stop         # stops the server started by pg_start in this shell
#
# The server gets a fresh directory under /tmp (data in <dir>/data, unix
# socket in <dir>), trust authentication, superuser "postgres", a database
# "guanxi_test", and durability switched off for speed. By default it listens
# on the unix socket only (listen_addresses=''); GUANXI_PG_TCP=1 makes it
# listen on 127.0.0.1 too, and the URL then uses host=127.0.0.1.
#
# When run as root the server runs as the "postgres" system user (created if
# missing); otherwise it runs as the current user. If no PostgreSQL 15 server
# binaries are found and we are root, Debian's postgresql-15 is installed with
# apt-get. PG_BINDIR=/path/to/bin overrides the binary lookup.
#
# All diagnostics go to stderr; stdout carries only the URL.

PG_VERSION_WANTED=15
PG_DBNAME=guanxi_test
PG_MARKER=.guanxi-throwaway-postgres

_pg_log() { printf 'postgres.sh: %s\n' "$*" >&2; }
_pg_die() { _pg_log "ERROR: $*"; return 1; }

# A directory holding usable server binaries?
_pg_bindir_ok() { [ -n "$1" ] && [ -x "$1/initdb" ] && [ -x "$1/pg_ctl" ] && [ -x "$1/postgres" ]; }

# Print the bin directory of PostgreSQL 15, or nothing.
_pg_find_bindir() {
    local d
    if [ -n "${PG_BINDIR:-}" ]; then
        _pg_bindir_ok "$PG_BINDIR" || { _pg_die "PG_BINDIR=$PG_BINDIR has no initdb/pg_ctl/postgres"; return 1; }
        printf '%s\n' "$PG_BINDIR"
        return 0
    fi
    for d in "/usr/lib/postgresql/$PG_VERSION_WANTED/bin" \
             "$(pg_config --bindir 2>/dev/null || true)" \
             $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4,4 -rn) \
             "$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/x)")"; do
        if _pg_bindir_ok "$d" && _pg_is_wanted_version "$d"; then
            printf '%s\n' "$d"
            return 0
        fi
    done
    return 0
}

_pg_is_wanted_version() {
    local v
    v=$("$1/postgres" --version 2>/dev/null) || return 1
    # "postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)"
    v=${v#*) }
    [ "${v%%.*}" = "$PG_VERSION_WANTED" ]
}

_pg_install() {
    if [ "$(id -u)" != 0 ]; then
        _pg_die "PostgreSQL $PG_VERSION_WANTED not found and not root, cannot install it (set PG_BINDIR?)"
        return 1
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        _pg_die "PostgreSQL $PG_VERSION_WANTED not found and apt-get is unavailable"
        return 1
    fi
    _pg_log "PostgreSQL $PG_VERSION_WANTED not found; installing postgresql-$PG_VERSION_WANTED with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update </dev/null >&2 || { _pg_die "apt-get update failed"; return 1; }
    apt-get install -y --no-install-recommends \
        -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
        "postgresql-$PG_VERSION_WANTED" </dev/null >&2 \
        || { _pg_die "apt-get install postgresql-$PG_VERSION_WANTED failed"; return 1; }
}

# Run a command as the server's user (postgres when we are root).
_pg_as_owner() {
    if [ "$(id -u)" != 0 ]; then
        "$@"
    elif command -v runuser >/dev/null 2>&1; then
        runuser -u postgres -- "$@"
    else
        local q
        q=$(printf '%q ' "$@")
        su postgres -s /bin/sh -c "$q"
    fi
}

_pg_ensure_user() {
    [ "$(id -u)" = 0 ] || return 0
    id -u postgres >/dev/null 2>&1 && return 0
    _pg_log "creating system user postgres"
    if getent group postgres >/dev/null 2>&1; then
        useradd --system --gid postgres --home-dir /nonexistent --no-create-home \
            --shell /usr/sbin/nologin postgres >&2
    else
        useradd --system --user-group --home-dir /nonexistent --no-create-home \
            --shell /usr/sbin/nologin postgres >&2
    fi || { _pg_die "could not create the postgres user"; return 1; }
}

# Is something listening on 127.0.0.1:$1 ?
_pg_port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

_pg_pick_port() {
    local p i
    for i in $(seq 1 50); do
        p=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
        _pg_port_busy "$p" || { printf '%s\n' "$p"; return 0; }
    done
    _pg_die "no free port found"
}

# pg_stop_dir DIR: stop the server living in DIR (if any) and remove DIR.
pg_stop_dir() {
    local dir=$1 bindir pid i
    [ -n "$dir" ] || { _pg_die "stop: no directory given"; return 1; }
    if [ ! -d "$dir" ]; then
        _pg_log "stop: $dir does not exist (already stopped?)"
        return 0
    fi
    if [ ! -e "$dir/$PG_MARKER" ]; then
        _pg_die "stop: $dir was not created by postgres.sh, refusing to touch it"
        return 1
    fi
    bindir=$(cat "$dir/$PG_MARKER" 2>/dev/null || true)
    if [ -f "$dir/data/postmaster.pid" ]; then
        if _pg_bindir_ok "$bindir"; then
            (cd "$dir" && _pg_as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >&2) \
                || _pg_log "stop: pg_ctl stop failed"
        fi
        # Still there? Kill the postmaster (its children exit with it).
        pid=$(head -n1 "$dir/data/postmaster.pid" 2>/dev/null || true)
        if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
            _pg_log "stop: postmaster $pid still running, sending SIGQUIT"
            kill -QUIT "$pid" 2>/dev/null || true
            for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            if kill -0 "$pid" 2>/dev/null; then
                _pg_log "stop: sending SIGKILL to $pid"
                kill -KILL "$pid" 2>/dev/null || true
                sleep 0.5
            fi
        fi
    fi
    rm -rf -- "$dir"
    [ "$dir" != "${_PG_STARTING_DIR:-}" ] || _PG_STARTING_DIR=
    _pg_log "stopped; removed $dir"
}

# pg_start: start a server; sets PG_TMPDIR, PG_PORT, PG_URL; prints PG_URL.
pg_start() {
    local bindir dir port host attempt listen
    bindir=$(_pg_find_bindir) || return 1
    if [ -z "$bindir" ]; then
        _pg_install || return 1
        bindir=$(_pg_find_bindir)
        [ -n "$bindir" ] || { _pg_die "PostgreSQL $PG_VERSION_WANTED server binaries still not found after installing"; return 1; }
    fi
    _pg_log "using $("$bindir/postgres" --version) from $bindir"
    _pg_ensure_user || return 1

    # /tmp rather than $TMPDIR: unix socket paths are limited to ~100 bytes.
    dir=$(mktemp -d /tmp/guanxi-pg.XXXXXX) || { _pg_die "mktemp failed"; return 1; }
    _PG_STARTING_DIR=$dir
    printf '%s\n' "$bindir" >"$dir/$PG_MARKER"
    chmod 755 "$dir"
    mkdir -m 700 "$dir/data"
    if [ "$(id -u)" = 0 ]; then
        chown -R postgres: "$dir" || { pg_stop_dir "$dir"; _pg_die "chown failed"; return 1; }
    fi

    if ! (cd "$dir" && _pg_as_owner "$bindir/initdb" -D "$dir/data" -U postgres \
            --auth=trust -E UTF8 --locale=C --no-sync >"$dir/initdb.log" 2>&1); then
        cat "$dir/initdb.log" >&2 2>/dev/null || true
        pg_stop_dir "$dir"
        _pg_die "initdb failed"
        return 1
    fi

    if [ "${GUANXI_PG_TCP:-0}" = 1 ]; then listen=127.0.0.1; host=127.0.0.1; else listen=; host=$dir; fi
    cat >>"$dir/data/postgresql.conf" <<EOF

# --- throwaway test server (.ci/postgres.sh) ---
listen_addresses = '$listen'
unix_socket_directories = '$dir'
unix_socket_permissions = 0777
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
logging_collector = off
EOF

    for attempt in 1 2 3 4 5; do
        port=$(_pg_pick_port) || { pg_stop_dir "$dir"; return 1; }
        if (cd "$dir" && _pg_as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" \
                -o "-p $port" -w -t 60 start </dev/null >&2); then
            break
        fi
        _pg_log "server did not start on port $port (attempt $attempt); log:"
        tail -n 20 "$dir/server.log" >&2 2>/dev/null || true
        # make sure a half-started server is gone before retrying
        if [ -f "$dir/data/postmaster.pid" ]; then
            (cd "$dir" && _pg_as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >&2) || true
        fi
        port=
    done
    if [ -z "$port" ]; then
        pg_stop_dir "$dir"
        _pg_die "could not start PostgreSQL"
        return 1
    fi

    for attempt in $(seq 1 100); do
        "$bindir/pg_isready" -q -h "$host" -p "$port" -U postgres -d postgres && break
        sleep 0.2
    done
    if ! "$bindir/pg_isready" -h "$host" -p "$port" -U postgres -d postgres >&2; then
        cat "$dir/server.log" >&2 2>/dev/null || true
        pg_stop_dir "$dir"
        _pg_die "server not ready"
        return 1
    fi

    if ! PGCONNECT_TIMEOUT=10 "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$host" -p "$port" \
            -U postgres -d postgres -c "CREATE DATABASE $PG_DBNAME" </dev/null >&2; then
        pg_stop_dir "$dir"
        _pg_die "could not create database $PG_DBNAME"
        return 1
    fi

    _PG_STARTING_DIR=
    PG_TMPDIR=$dir
    PG_PORT=$port
    PG_URL="postgresql+psycopg://postgres@/$PG_DBNAME?host=$host&port=$port"
    _pg_log "PostgreSQL running in $dir (port $port)"
    printf '%s\n' "$PG_URL"
}

# pg_stop [URL|DIR]: defaults to the server started by pg_start in this shell.
pg_stop() {
    local arg=${1:-${PG_TMPDIR:-}} dir
    case "$arg" in
        postgresql*://*)
            dir=${arg#*host=}
            dir=${dir%%&*}
            if [ "$dir" = "$arg" ] || [ "${dir#/}" = "$dir" ]; then
                # TCP URL (host=127.0.0.1): find our directory by its port.
                local port=${arg#*port=} d
                port=${port%%&*}
                dir=
                for d in /tmp/guanxi-pg.*; do
                    [ -e "$d/$PG_MARKER" ] || continue
                    if [ "$(sed -n 4p "$d/data/postmaster.pid" 2>/dev/null)" = "$port" ]; then
                        dir=$d
                        break
                    fi
                done
                if [ -z "$dir" ]; then
                    _pg_log "stop: no server of ours found for $arg (already stopped?)"
                    return 0
                fi
            fi
            ;;
        *) dir=$arg ;;
    esac
    pg_stop_dir "$dir" || return 1
    if [ "$dir" = "${PG_TMPDIR:-}" ]; then unset PG_TMPDIR PG_PORT PG_URL; fi
}

_pg_main() {
    set -euo pipefail
    case "${1:-}" in
        start)
            # Clean up if interrupted or failing halfway through.
            _PG_STARTING_DIR=
            trap '[ -z "${_PG_STARTING_DIR:-}" ] || pg_stop_dir "$_PG_STARTING_DIR" || true' EXIT
            trap 'exit 130' INT
            trap 'exit 143' TERM
            pg_start
            ;;
        stop) shift; pg_stop "$@" ;;
        *)
            echo "usage: $0 start | stop URL-or-DIR" >&2
            return 2
            ;;
    esac
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    _pg_main "$@"
fi
