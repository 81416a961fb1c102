#!/bin/sh
# Entrypoint of the Flotilla image: runs one service, or the database migrations.
#
#   flotilla-entrypoint <service>         ingest-api | dispatcher | scheduler | pubsub-ingester | sqs-ingester | amqp-ingester
#   flotilla-entrypoint                   the service named by $APP
#   flotilla-entrypoint migrate [deploy]  apply pending migrations to $DATABASE_URL (creates the database if missing)
#   flotilla-entrypoint migrate status    compare the migrations directory with the database, change nothing
#   flotilla-entrypoint <other command>   run it as is (e.g. `sh` for debugging)
#
# `exec` makes node PID 1, so SIGTERM reaches the service's graceful-shutdown handler directly.
set -eu

APP_ROOT=${FLOTILLA_APP_ROOT:-/app}
cd "$APP_ROOT"

MIGRATE_CLI="$APP_ROOT/dist/apps/ingest-api/libs/db/src/migrations/migrate.cli.js"

usage() {
  echo "usage: flotilla-entrypoint [ingest-api|dispatcher|scheduler|pubsub-ingester|sqs-ingester|amqp-ingester|migrate [deploy|status]]" >&2
  echo "       (or set APP to one of the services)" >&2
}

if [ "$#" -gt 0 ]; then
  target=$1
  shift
else
  target=${APP:-}
fi

case "$target" in
  ingest-api | dispatcher | scheduler | pubsub-ingester | sqs-ingester | amqp-ingester)
    exec node "$APP_ROOT/dist/apps/$target/apps/$target/src/main.js" "$@"
    ;;
  migrate)
    if [ ! -f "$MIGRATE_CLI" ]; then
      echo "flotilla-entrypoint: $MIGRATE_CLI is missing from this image" >&2
      exit 1
    fi
    # Default subcommand: deploy. Prints one JSON line; exit code 0 on success, 1 on failure.
    if [ "$#" -eq 0 ]; then set -- deploy; fi
    exec node "$MIGRATE_CLI" "$@"
    ;;
  "")
    echo "flotilla-entrypoint: no service given (pass it as the first argument or set APP)" >&2
    usage
    exit 64
    ;;
  -h | --help | help)
    usage
    exit 0
    ;;
  *)
    exec "$target" "$@"
    ;;
esac
