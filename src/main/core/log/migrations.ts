/**
 * The lab database's schema, as numbered migrations. PRAGMA user_version holds the number of the last one
 * applied. Append only: never edit a migration that has shipped; add the next number instead.
 *
 * CHECK constraints on vocabulary columns are derived from the contract's enums (as MLflow derives its status
 * CHECK from RunStatus), so the list is written once. A value added to such an enum therefore needs a new
 * migration that rebuilds the table for labs created before it (the schema test compares a fresh lab's CHECKs
 * with the enums).
 */
import { DatasetSourceType, MetricSpec, RunStatus, TaskKind } from '../../../shared/contract/index.ts';

/** `'a', 'b'` for a CHECK (column IN (...)); the values are the contract's own identifiers, never user input. */
function sqlList(values: readonly string[]): string {
  return values.map((v) => `'${v.replaceAll("'", "''")}'`).join(', ');
}

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
        kind           TEXT NOT NULL CHECK (kind IN (${sqlList(TaskKind.options)})),
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
        metric_direction TEXT NOT NULL CHECK (metric_direction IN (${sqlList(MetricSpec.shape.direction.options)})),
        published_task TEXT,
        content_hash   TEXT NOT NULL UNIQUE,
        folder         TEXT NOT NULL UNIQUE,     -- relative to the lab folder
        bytes          INTEGER NOT NULL,
        source_type    TEXT NOT NULL CHECK (source_type IN (${sqlList(DatasetSourceType.options)})),
        source_detail  TEXT NOT NULL,
        created_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
      ) STRICT;
    `,
  },
  {
    version: 3,
    name: 'experiment log',
    sql: `
      CREATE TABLE experiments (
        id          INTEGER PRIMARY KEY,
        name        TEXT NOT NULL,
        dataset_id  INTEGER NOT NULL REFERENCES datasets (id) ON DELETE RESTRICT,
        methods     TEXT NOT NULL,               -- JSON array, e.g. ["dash", "pdash"]
        seeds       TEXT NOT NULL,               -- JSON array of integers
        preset      TEXT NOT NULL,
        settings    TEXT NOT NULL,               -- JSON: the request as given (search space, selection, overrides)
        notes       TEXT NOT NULL DEFAULT '',
        tags        TEXT NOT NULL DEFAULT '[]',  -- JSON array of strings
        created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
      ) STRICT;

      CREATE TABLE runs (
        id               INTEGER PRIMARY KEY,
        experiment_id    INTEGER NOT NULL REFERENCES experiments (id) ON DELETE CASCADE,
        method           TEXT NOT NULL,
        seed             INTEGER NOT NULL,
        status           TEXT NOT NULL CHECK (status IN (${sqlList(RunStatus.options)})),
        resume           INTEGER NOT NULL DEFAULT 0,   -- 1: continue from the last checkpoint when started
        stop_request     TEXT CHECK (stop_request IN ('cancel', 'pause')),  -- asked by any lab process; the owner acts
        config           TEXT NOT NULL,                -- JSON: the engine configuration of this run
        config_hash      TEXT,
        backend          TEXT,
        threads          INTEGER,
        owner_pid        INTEGER,                      -- the lab process supervising it while running
        worker_pid       INTEGER,
        attempts         INTEGER NOT NULL DEFAULT 0,
        phase            TEXT,                         -- the phase in progress or last finished
        progress         REAL NOT NULL DEFAULT 0,      -- 0..1 of the planned steps
        checkpoint       TEXT,                         -- JSON {path, phase, round, trial, epoch} of the last checkpoint
        metric_name      TEXT,
        metric_direction TEXT,
        metric_value     REAL,
        validation_value REAL,
        error            TEXT,                         -- JSON {code, message, hint} when failed
        notes            TEXT NOT NULL DEFAULT '',
        tags             TEXT NOT NULL DEFAULT '[]',
        created_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
        started_at       TEXT,
        finished_at      TEXT,
        UNIQUE (experiment_id, method, seed)
      ) STRICT;
      CREATE INDEX runs_by_status ON runs (status, id);

      CREATE TABLE run_phases (
        run_id   INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        phase    TEXT NOT NULL,
        round    INTEGER NOT NULL DEFAULT 0,           -- P-DASH round, 0 outside rounds
        steps    INTEGER NOT NULL DEFAULT 0,
        wall_ms  REAL NOT NULL DEFAULT 0,
        flops    REAL NOT NULL DEFAULT 0,
        PRIMARY KEY (run_id, phase, round)
      ) STRICT;

      CREATE TABLE run_epochs (
        run_id      INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        phase       TEXT NOT NULL,
        round       INTEGER NOT NULL DEFAULT 0,
        trial       INTEGER NOT NULL DEFAULT -1,      -- HP-search trial, -1 outside the HP search
        epoch       INTEGER NOT NULL,
        steps       INTEGER NOT NULL,
        lr          REAL NOT NULL,
        train_loss  REAL,                              -- NULL when the epoch diverged
        val_name    TEXT,
        val_value   REAL,
        wall_ms     REAL NOT NULL,
        PRIMARY KEY (run_id, phase, round, trial, epoch)
      ) STRICT;

      CREATE TABLE alpha_snapshots (
        run_id  INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        round   INTEGER NOT NULL DEFAULT 0,
        epoch   INTEGER NOT NULL,
        layers  TEXT NOT NULL,                         -- JSON: per layer {layer, name, patterns, alpha, softmax}
        PRIMARY KEY (run_id, round, epoch)
      ) STRICT;

      CREATE TABLE pdash_rounds (
        run_id     INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        round      INTEGER NOT NULL,                   -- 0: DASH's single selection
        rounds     INTEGER NOT NULL,
        selection  TEXT NOT NULL,
        layers     TEXT NOT NULL,                      -- JSON: per layer {layer, name, ranking, kept, pruned}
        PRIMARY KEY (run_id, round)
      ) STRICT;

      CREATE TABLE random_candidates (
        run_id      INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        candidate   INTEGER NOT NULL,
        layers      TEXT NOT NULL,                     -- JSON: the drawn (kernel, dilation) of every layer
        val_value   REAL,
        diverged    INTEGER NOT NULL,
        flops       REAL NOT NULL,
        wall_ms     REAL NOT NULL,
        PRIMARY KEY (run_id, candidate)
      ) STRICT;

      CREATE TABLE hp_trials (
        run_id      INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        trial       INTEGER NOT NULL,
        hp          TEXT NOT NULL,
        val_value   REAL,
        diverged    INTEGER NOT NULL,
        wall_ms     REAL NOT NULL,
        PRIMARY KEY (run_id, trial)
      ) STRICT;

      CREATE TABLE architectures (
        run_id      INTEGER PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
        arch_id     TEXT NOT NULL,
        spec        TEXT NOT NULL,                     -- JSON architecture spec
        selection   TEXT NOT NULL,
        parameters  INTEGER NOT NULL,
        flops       REAL NOT NULL
      ) STRICT;

      CREATE TABLE artifacts (
        id          INTEGER PRIMARY KEY,
        run_id      INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        kind        TEXT NOT NULL CHECK (kind IN ('checkpoint', 'weights', 'architecture', 'report')),
        path        TEXT NOT NULL,                     -- relative to the lab folder
        bytes       INTEGER NOT NULL,
        created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
        UNIQUE (run_id, kind, path)
      ) STRICT;
    `,
  },
  {
    version: 4,
    name: 'run cpu time',
    // A run's worker CPU time (user + system, every thread) and the worker wall it was measured over, summed
    // over its attempts: their ratio says how many cores the run kept busy. NULL for runs from before.
    sql: `
      ALTER TABLE runs ADD COLUMN cpu_ms REAL;
      ALTER TABLE runs ADD COLUMN cpu_wall_ms REAL;
    `,
  },
];

export const latestSchemaVersion: number = migrations.at(-1)?.version ?? 0;
