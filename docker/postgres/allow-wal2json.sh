#!/bin/sh
# Run once by the image's entrypoint when it creates the cluster (/docker-entrypoint-initdb.d).
# Since 15.19 (and 14.24, 16.15, 17.11, 18.6) the server loads only the output plugins listed in
# output_plugin_libraries (default: pgoutput, test_decoding). List wal2json beside them, where this
# server knows the parameter: an older server refuses to start with it in its configuration.
set -eu
if postgres --describe-config | grep -q '^output_plugin_libraries'; then
  # the list form; a quoted string would be one name and allow nothing
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    -c "ALTER SYSTEM SET output_plugin_libraries = pgoutput, test_decoding, wal2json"
fi
