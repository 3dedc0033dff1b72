#!/bin/sh
# pgscribe's container entrypoint: `run` initialises the backup set the first time (a slot, the
# first base) and then runs the pipeline; any other command is passed to pgscribe as it is.
# Settings come from /etc/pgscribe/application.properties and PGSCRIBE_* environment variables;
# passwords only from the environment (PGSCRIBE_SOURCE_PASSWORD, PGSCRIBE_S3_SECRET_KEY,
# PGSCRIBE_ALERT_SMTP_PASSWORD), never from the command line.
set -eu
# every file pgscribe and its tools create is owner-only (pg_dump, pg_recvlogical inherit it)
umask 077
CONFIG=${PGSCRIBE_CONFIG:-/etc/pgscribe/application.properties}
pgscribe() {
  java ${JAVA_OPTS:-} -jar /opt/pgscribe/pgscribe.jar --config "$CONFIG" "$@"
}
if [ "${1:-run}" = "run" ]; then
  # every database of pgscribe.databases without a backup set yet; the others are not touched
  pgscribe init --if-needed ${PGSCRIBE_INIT_OPTIONS:-}
  exec java ${JAVA_OPTS:-} -jar /opt/pgscribe/pgscribe.jar --config "$CONFIG" run
fi
exec java ${JAVA_OPTS:-} -jar /opt/pgscribe/pgscribe.jar --config "$CONFIG" "$@"
