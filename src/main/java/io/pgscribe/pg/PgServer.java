package io.pgscribe.pg;

/** A PostgreSQL server with {@code wal_level=logical} to run against: its connections, and its end. */
public interface PgServer extends AutoCloseable {

    /** How to reach {@code database} on it, as its superuser. */
    ConnectionSpec connection(String database);

    @Override
    void close();
}
