package io.pgscribe.cli;

import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import io.pgscribe.config.Setting;
import io.pgscribe.config.Settings;
import io.pgscribe.config.SettingsCheck;
import io.pgscribe.pg.ConnectionSpec;
import io.pgscribe.pg.Lsn;
import io.pgscribe.pg.PgTools;
import io.pgscribe.restore.RestoreScope;
import io.pgscribe.restore.RestoreTarget;
import io.pgscribe.restore.Restorer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine;

@Command(name = "restore", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Rebuild the database into a new one, to the latest change or to a point in time: the newest base "
                + "before the target, then the segments after it. Every file is checked against the manifest first; a "
                + "failed restore drops what it built."})
final class RestoreCommand implements Callable<Integer> {

    @ParentCommand
    PgscribeCommand parent;

    @Option(names = "--to-db", required = true, paramLabel = "NAME", description = "New database to create.")
    String toDb;

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Target target;

    static final class Target {
        @Option(names = "--to-time", paramLabel = "TIMESTAMP",
                description = "Stop at this commit time (e.g. 2026-11-24T22:21:31Z; no zone means UTC).")
        String time;

        @Option(names = "--to-lsn", paramLabel = "LSN", description = "Stop at this commit LSN (e.g. 0/1E66688).")
        String lsn;

        @Option(names = "--to-xid", paramLabel = "XID", description = "Stop at this transaction.")
        Long xid;
    }

    @Option(names = "--exclusive", description = "Stop just before the target instead of after it (the default, like "
            + "PostgreSQL's recovery_target_inclusive).")
    boolean exclusive;

    @Option(names = "--plan", description = "Print the chain, what would be applied and skipped, and stop (nothing changes).")
    boolean plan;

    @Option(names = "--only-table", paramLabel = "TABLE", description = "Restore only this table (schema.table; repeatable).")
    List<String> onlyTables = new ArrayList<>();

    @Option(names = "--only-schema", paramLabel = "SCHEMA", description = "Restore only the tables of this schema (repeatable).")
    List<String> onlySchemas = new ArrayList<>();

    @Option(names = "--with-globals", description = "Apply the globals dump (roles, tablespaces) first; roles that already "
            + "exist are left as they are.")
    boolean withGlobals;

    @Option(names = "--replace", description = "Drop --to-db first if it exists.")
    boolean replace;

    @Option(names = "--target-host", paramLabel = "HOST", description = "Server to restore to (default: the source server).")
    String targetHost;

    @Option(names = "--target-port", paramLabel = "PORT", description = "Its port (default: the source's).")
    Integer targetPort;

    @Option(names = "--target-user", paramLabel = "USER",
            description = "Role to restore as, a superuser (default: the source's). Its password: PGSCRIBE_TARGET_PASSWORD.")
    String targetUser;

    @Option(names = "--target-sslmode", paramLabel = "MODE", description = "libpq sslmode for the target server "
            + "(default: the source's).")
    String targetSslmode;

    @Option(names = "--target-sslrootcert", paramLabel = "FILE", description = "PEM file of the CAs that sign the target "
            + "server's certificate (default: the source's); empty: none.")
    String targetSslrootcert;

    @Option(names = "--target-sslcert", paramLabel = "FILE", description = "Client certificate for the target server "
            + "(default: the source's), with --target-sslkey; empty: none.")
    String targetSslcert;

    @Option(names = "--target-sslkey", paramLabel = "FILE", description = "Its private key (PEM, mode 0600).")
    String targetSslkey;

    @Option(names = "--keep-progress", description = "Keep the record of the last applied transaction in the target "
            + "(schema pgscribe_restore), so that --continue can apply later segments.")
    boolean keepProgress;

    @Option(names = "--continue", description = "Apply to --to-db (restored with --keep-progress) only the transactions "
            + "after the last one it holds.")
    boolean continueExisting;

    @Option(names = "--allow-legacy-ddl", description = "Replay the DDL of segments written by a pgscribe before 0.2 as "
            + "the role their trace names. Those segments did not record it in a way the role could not forge: only for "
            + "a source whose roles you all trust.")
    boolean allowLegacyDdl;

    @CommandLine.Mixin
    FromS3Option fromS3 = new FromS3Option();

    @CommandLine.Mixin
    TrustOption trust = new TrustOption();

    @Override
    public Integer call() throws Exception {
        PgscribeCommand.quietLogs();
        refuseContradictions();
        Settings s = parent.settings();
        ConnectionSpec source = ConnectionSpec.source(s);
        RestoreTarget t = target();
        RestoreScope sc = scope();
        io.pgscribe.manifest.SetTrust setTrust = trust.trust(s);
        Path staging = fromS3.active() ? fromS3.stage(s, t, setTrust, System.out) : null;
        try {
            Restorer.Options o = new Restorer.Options(staging != null ? staging : s.getPath(Setting.BACKUP_DIR).toAbsolutePath(),
                    source, targetServer(source, targetHost, targetPort, targetUser, parent.environment(),
                    new TargetTls(targetSslmode, targetSslrootcert, targetSslcert, targetSslkey)), toDb, RestoreTarget.LATEST, sc,
                    withGlobals, replace, keepProgress || continueExisting, continueExisting, plan, allowLegacyDdl).withTarget(t);
            Restorer.Summary summary = new Restorer(PgTools.locate(s.get(Setting.PG_BINDIR)), System.out,
                    System.console() != null, setTrust).decryptingWith(io.pgscribe.encryption.Decryption.fromSettings(s)).run(o);
            // a database that lacks DDL the capture could not replay is not the source as it was
            return summary.ddlNotReplayed() > 0 ? ExitCode.INCOMPLETE : ExitCode.OK;
        } finally {
            if (staging != null) {
                io.pgscribe.ship.RemoteBackupSet.remove(staging);
            }
        }
    }

    /** Flags that cannot all be meant are refused before anything is read or connected to. */
    void refuseContradictions() {
        if (toDb.isBlank()) {
            throw new PgscribeException("--to-db is empty", "Name the database to restore into, e.g. --to-db shop_restored.",
                    ExitCode.USAGE, null);
        }
        int bytes = toDb.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (bytes > MAX_NAME_BYTES) {
            // the server would cut it to 63 bytes and restore under a name nobody asked for
            throw new PgscribeException("--to-db is " + bytes + " bytes long; PostgreSQL names hold at most " + MAX_NAME_BYTES,
                    "Choose a shorter name.", ExitCode.USAGE, null);
        }
        if (toDb.indexOf('\0') >= 0) {
            throw new PgscribeException("--to-db contains a NUL character", "Choose another name.", ExitCode.USAGE, null);
        }
        if (continueExisting && replace) {
            throw new PgscribeException("--continue and --replace contradict each other: --continue adds to --to-db, "
                    + "--replace drops it", "Use one of them.", ExitCode.USAGE, null);
        }
        if (continueExisting && withGlobals) {
            throw new PgscribeException("--continue applies only segments; the globals were applied by the first restore",
                    "Leave out --with-globals.", ExitCode.USAGE, null);
        }
        if (exclusive && target == null) {
            throw new PgscribeException("--exclusive needs a target to stop before", "Add --to-time, --to-lsn or --to-xid, or "
                    + "leave out --exclusive.", ExitCode.USAGE, null);
        }
    }

    /** NAMEDATALEN - 1. */
    static final int MAX_NAME_BYTES = 63;

    private RestoreTarget target() {
        if (target == null) {
            return RestoreTarget.LATEST;
        }
        if (target.time != null) {
            return RestoreTarget.time(RestoreTarget.parseTime(target.time), !exclusive);
        }
        if (target.lsn != null) {
            try {
                return RestoreTarget.lsn(Lsn.valueOf(target.lsn), !exclusive);
            } catch (IllegalArgumentException e) {
                throw new PgscribeException("--to-lsn " + target.lsn + " is not an LSN", "Write it like 0/1E66688.",
                        ExitCode.USAGE, e);
            }
        }
        return RestoreTarget.xid(target.xid, !exclusive);
    }

    private RestoreScope scope() {
        try {
            Set<RestoreScope.Name> tables = new HashSet<>();
            onlyTables.forEach(t -> tables.add(RestoreScope.parseTable(t)));
            Set<String> schemas = new HashSet<>();
            onlySchemas.forEach(x -> schemas.add(RestoreScope.parseSchema(x)));
            return new RestoreScope(tables, schemas);
        } catch (IllegalArgumentException e) {
            throw new PgscribeException(e.getMessage(), "Write tables as schema.table (quote names with capitals or "
                    + "spaces: '\"Mixed Case\".\"Odd Table\"').", ExitCode.USAGE, e);
        }
    }

    /** The target server's TLS flags; null: the source's setting, empty: none. */
    record TargetTls(String sslmode, String sslrootcert, String sslcert, String sslkey) {
        static final TargetTls SOURCE = new TargetTls(null, null, null, null);
        private static final java.util.Set<String> MODES = java.util.Set.of("disable", "allow", "prefer", "require",
                "verify-ca", "verify-full");

        boolean given() {
            return sslmode != null || sslrootcert != null || sslcert != null || sslkey != null;
        }
    }

    static ConnectionSpec targetServer(ConnectionSpec source, String host, Integer port, String user,
                                       Map<String, String> environment) {
        return targetServer(source, host, port, user, environment, TargetTls.SOURCE);
    }

    static ConnectionSpec targetServer(ConnectionSpec source, String host, Integer port, String user,
                                       Map<String, String> environment, TargetTls tls) {
        if (host == null && port == null && user == null && !tls.given()) {
            return source;
        }
        if (tls.sslmode() != null && !TargetTls.MODES.contains(tls.sslmode())) {
            throw new PgscribeException("--target-sslmode " + tls.sslmode() + " is not an sslmode", "Use one of disable, "
                    + "allow, prefer, require, verify-ca, verify-full.", ExitCode.USAGE, null);
        }
        if ((tls.sslcert() == null) != (tls.sslkey() == null)) {
            throw new PgscribeException("--target-sslcert and --target-sslkey go together", "Give both (or both empty for "
                    + "no client certificate); a certificate and a key of two pairs would not connect.", ExitCode.USAGE, null);
        }
        String socket = SettingsCheck.hostProblem(host);
        if (socket != null) {
            throw new PgscribeException("--target-host " + host + ": " + socket, "For a server on this machine: "
                    + "--target-host localhost (or 127.0.0.1).", ExitCode.USAGE, null);
        }
        String password = environment.get("PGSCRIBE_TARGET_PASSWORD");
        return new ConnectionSpec(host == null ? source.host() : host, port == null ? source.port() : port,
                source.database(), user == null ? source.user() : user, password != null ? password : source.password(),
                source.passfile(), tls.sslmode() != null ? tls.sslmode() : source.sslmode(),
                or(tls.sslrootcert(), source.sslrootcert()), or(tls.sslcert(), source.sslcert()), or(tls.sslkey(), source.sslkey()));
    }

    /** A flag's file, or the source's when it is not given; given empty, none. */
    private static String or(String flag, String source) {
        return flag == null ? source : flag.isEmpty() ? null : flag;
    }
}
