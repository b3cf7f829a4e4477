package org.aidcmp.projections;

import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The read models' PostgreSQL schema: migrated by Flyway (db/projections) on open, reached through jdbi with the
 * schema as the connection's search_path, so every statement names tables unqualified and a rebuilt schema,
 * renamed into place, is found by the same statements.
 */
public final class Database {
  private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

  private Database() {}

  /** Migrates {@code schema} (creating it if needed) and returns jdbi on it. */
  public static Jdbi open(ProjectionsSettings settings) {
    DataSource source = dataSource(settings);
    Flyway.configure()
        .dataSource(source)
        .schemas(settings.schema())
        .createSchemas(true)
        .locations("classpath:db/projections")
        .load()
        .migrate();
    return Jdbi.create(source);
  }

  /** Without migrating: for reading a schema another process owns. */
  public static Jdbi connect(ProjectionsSettings settings) {
    return Jdbi.create(dataSource(settings));
  }

  static DataSource dataSource(ProjectionsSettings settings) {
    String schema = checkedSchema(settings.schema());
    PGSimpleDataSource source = new PGSimpleDataSource();
    source.setUrl(settings.jdbcUrl());
    source.setUser(settings.user());
    source.setPassword(settings.password());
    source.setCurrentSchema(schema);
    // No server-side prepared statements: a plan would outlive a rebuild's schema swap.
    source.setPrepareThreshold(0);
    source.setApplicationName("aid-projections");
    return source;
  }

  static String checkedSchema(String schema) {
    if (!SCHEMA.matcher(schema).matches()) {
      throw new IllegalArgumentException("projections.schema must be a plain lower-case identifier: " + schema);
    }
    return schema;
  }
}
