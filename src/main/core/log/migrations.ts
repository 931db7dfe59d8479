/**
 * The lab database's schema, as numbered migrations. PRAGMA user_version holds the number of the last one
 * applied. Append only: never edit a migration that has shipped; add the next number instead.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'lab identity',
    sql: `
      CREATE TABLE lab_meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;
      INSERT INTO lab_meta (key, value) VALUES
        ('lab_id', lower(hex(randomblob(16)))),
        ('created_at', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    `,
  },
];

export const latestSchemaVersion: number = migrations.at(-1)?.version ?? 0;
