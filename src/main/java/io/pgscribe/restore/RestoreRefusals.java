package io.pgscribe.restore;

import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import io.pgscribe.manifest.Manifest;
import io.pgscribe.pg.ConnectionSpec;
import io.pgscribe.pg.Pg;
import io.pgscribe.pg.PgTools;
import io.pgscribe.pg.SourceIdentity;
import io.pgscribe.sql.SqlText;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a restore refuses before it changes anything: the source as a target, whatever name
 * reaches it; a {@code --replace} of a database that is being captured; DDL authors the target
 * lacks; a subset that names nothing.
 */
final class RestoreRefusals {

    private RestoreRefusals() {
    }

    /**
     * The source database is never a target: known by the target server's system identifier and
     * the database name, whatever host name or address reaches it.
     */
    static void source(Connection admin, Restorer.Options o, Manifest m) throws SQLException {
        SourceIdentity server = SourceIdentity.read(admin);
        if (server.systemIdentifier().equals(m.source().systemIdentifier()) && m.source().database().equals(o.targetDatabase())) {
            throw new PgscribeException("the target database " + o.targetDatabase() + " on " + o.targetServer().host() + ":"
                    + o.targetServer().port() + " is the database this backup is of (the server's system identifier "
                    + server.systemIdentifier() + " is the one the backup set records)",
                    "Restore into a new name, check it, then switch the application over.", ExitCode.REFUSED, null);
        }
    }

    /**
     * {@code --replace} drops only a database nothing captures: one with pgscribe's event triggers
     * or a replication slot is a live source (perhaps renamed, perhaps of another set), and
     * dropping it would drop its slots and break its backups.
     */
    static void captured(ConnectionSpec targetDb, Restorer.Options o) throws SQLException {
        List<String> found = new ArrayList<>();
        try (Connection c = Pg.connect(targetDb, "pgscribe-restore")) {
            found.addAll(Pg.query(c, "SELECT 'replication slot ' || slot_name FROM pg_catalog.pg_replication_slots "
                    + "WHERE database = pg_catalog.current_database() ORDER BY slot_name", rs -> rs.getString(1)));
            found.addAll(Pg.query(c, "SELECT 'event trigger ' || evtname FROM pg_catalog.pg_event_trigger "
                    + "WHERE evtname LIKE 'pgscribe\\_%' ORDER BY evtname", rs -> rs.getString(1)));
        }
        if (!found.isEmpty()) {
            throw new PgscribeException("--replace would drop database " + o.targetDatabase() + " on " + o.targetServer().host()
                    + ":" + o.targetServer().port() + ", which is being captured (" + String.join(", ", found)
                    + "): a source, not a restored copy", "Restore into a new name. To retire that database, stop its "
                    + "pipeline and run `pgscribe uninstall` for it first.", ExitCode.REFUSED, null);
        }
    }

    /** DDL runs as the role that ran it, never as someone else: every such role must exist on the target. */
    static void missingRoles(Connection c, Chain chain, Restorer.Options o) throws SQLException {
        TreeSet<String> roles = new TreeSet<>();
        chain.segments().forEach(s -> {
            if (s.ddlRoles() != null) {
                roles.addAll(s.ddlRoles());
            }
        });
        if (roles.isEmpty()) {
            return;
        }
        Set<String> present = new HashSet<>(Pg.query(c,
                "SELECT rolname FROM pg_catalog.pg_roles WHERE rolname = ANY (?)", rs -> rs.getString(1),
                (Object) roles.toArray(new String[0])));
        roles.removeAll(present);
        if (!roles.isEmpty()) {
            throw new PgscribeException("the segments of this restore replay DDL as role(s) the target server "
                    + o.targetServer().host() + ":" + o.targetServer().port() + " does not have: " + String.join(", ", roles)
                    + "; pgscribe replays DDL only as the role that ran it", o.withGlobals()
                    ? "Create them on the target server (they are not in the globals dump this restore applied)."
                    : "Restore with --with-globals (the roles of the source), or create them on the target server.",
                    ExitCode.REFUSED, null);
        }
    }

    /**
     * Every --only-table and --only-schema must name something in the base or the stream: a typo
     * would otherwise restore an empty database and call it done.
     */
    static void emptyScope(Chain chain, Manifest m, RestoreScope scope, PgTools tools) {
        Set<RestoreScope.Name> known = new HashSet<>(BaseFilter.tablesOf(() -> BaseSql.open(chain, tools)));
        m.capture().tables().forEach(t -> known.add(new RestoreScope.Name(t.schema(), t.table())));
        PgscribeException refused = unknownInScope(known, scope, chain.base().file());
        if (refused != null) {
            throw refused;
        }
    }

    /** The refusal of a scope naming what {@code known} (the tables of the base and the stream) lacks, or null. */
    static PgscribeException unknownInScope(Collection<RestoreScope.Name> knownTables, RestoreScope scope, String baseFile) {
        Set<RestoreScope.Name> known = new TreeSet<>(Comparator.comparing(RestoreScope.Name::toString));
        known.addAll(knownTables);
        List<String> unknown = new ArrayList<>();
        List<String> like = new ArrayList<>();
        for (RestoreScope.Name n : scope.tables()) {
            if (!known.contains(n)) {
                unknown.add("--only-table " + n);
                known.stream().filter(k -> k.name().equalsIgnoreCase(n.name()))
                        .forEach(k -> like.add(SqlText.identifier(k.schema()) + "." + SqlText.identifier(k.name())));
            }
        }
        for (String schema : scope.schemas()) {
            if (known.stream().noneMatch(k -> k.schema().equals(schema))) {
                unknown.add("--only-schema " + schema);
                known.stream().filter(k -> k.schema().equalsIgnoreCase(schema)).map(k -> SqlText.identifier(k.schema()))
                        .distinct().forEach(like::add);
            }
        }
        if (unknown.isEmpty()) {
            return null;
        }
        return new PgscribeException(String.join(", ", unknown) + ": no such table in the base " + baseFile
                + " or in the stream after it, so this restore would bring back nothing",
                (like.isEmpty() ? "Check the name (schema.table, as in \\dt)." : "Did you mean " + String.join(" or ",
                        like.stream().distinct().toList()) + "? Quote names with capitals in the flag: --only-table '\"Sales\".\"Orders\"'.")
                        + " `pgscribe restore --plan` shows the chain.", ExitCode.USAGE, null);
    }
    /**
     * A set read from its copy (manifest.json missing or damaged) that holds closed segments the
     * copy does not list: the copy is older, so "the latest" would end before them. Refused
     * for the latest; a named target goes on, and says so.
     */
    static void olderCopy(java.nio.file.Path set, io.pgscribe.manifest.SetTrust trust, RestoreTarget target,
                          java.io.PrintStream out) {
        java.nio.file.Path file = set.resolve(io.pgscribe.manifest.ManifestStore.FILE_NAME);
        String damage = io.pgscribe.manifest.ManifestStore.damageOf(file);
        if (damage == null || !java.nio.file.Files.exists(io.pgscribe.manifest.ManifestStore.copyOf(file))) {
            return;
        }
        List<String> unlisted = io.pgscribe.segment.SegmentFiles.unlisted(set, io.pgscribe.manifest.ManifestStore.read(file, trust));
        if (unlisted.isEmpty()) {
            return;
        }
        String what = damage + "; its copy, read instead, does not list " + unlisted.size() + " closed segment(s) on disk ("
                + String.join(", ", unlisted) + "): the copy is older than the set";
        if (target.kind() == RestoreTarget.Kind.LATEST) {
            throw new PgscribeException(what + ", so the latest transaction cannot be restored from it",
                    "Put back manifest.json (the S3 copy, or your file backup of the directory). Or restore what the copy "
                    + "holds with an explicit target (--to-lsn, --to-time).", ExitCode.DAMAGED, null);
        }
        out.println("WARNING: " + what + "; restoring to the target given, from what the copy lists");
    }
}
