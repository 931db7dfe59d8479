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
  {
    version: 2,
    name: 'datasets registry',
    sql: `
      CREATE TABLE datasets (
        id             INTEGER PRIMARY KEY,
        name           TEXT NOT NULL UNIQUE,
        kind           TEXT NOT NULL CHECK (kind IN ('classification', 'regression', 'dense')),
        rank           INTEGER NOT NULL CHECK (rank IN (1, 2)),
        x_shape        TEXT NOT NULL,            -- JSON: per-sample shape, channels last
        y_shape        TEXT NOT NULL,            -- JSON: per-sample target shape ([] for class labels)
        x_dtype        TEXT NOT NULL,
        y_dtype        TEXT NOT NULL,
        classes        INTEGER,
        class_names    TEXT,                     -- JSON array or NULL
        class_counts   TEXT,                     -- JSON {train: [...], val: [...], test: [...]} or NULL
        split_train    INTEGER NOT NULL,
        split_val      INTEGER NOT NULL,
        split_test     INTEGER NOT NULL,
        val_carved     TEXT,                     -- JSON {seed, fraction} when val was carved from train
        normalization  TEXT NOT NULL,            -- JSON: files and modes of the train statistics
        metric_name    TEXT NOT NULL,
        metric_direction TEXT NOT NULL CHECK (metric_direction IN ('minimize', 'maximize')),
        published_task TEXT,
        content_hash   TEXT NOT NULL UNIQUE,
        folder         TEXT NOT NULL UNIQUE,     -- relative to the lab folder
        bytes          INTEGER NOT NULL,
        source_type    TEXT NOT NULL CHECK (source_type IN ('generated', 'files', 'nb360')),
        source_detail  TEXT NOT NULL,
        created_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
      ) STRICT;
    `,
  },
];

export const latestSchemaVersion: number = migrations.at(-1)?.version ?? 0;
