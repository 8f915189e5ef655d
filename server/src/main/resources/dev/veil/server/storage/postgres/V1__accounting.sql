-- Veil's accounting state, as keys.db holds it in SQLite: the same tables, columns and keys. Text compares
-- bytewise (COLLATE "C"), as in SQLite, so that listings come out in the same order on both stores. Times are
-- ISO-8601 UTC text as Veil writes them; days are dates; money is integer micro-dollars.
CREATE TABLE tenants (
    name TEXT COLLATE "C" PRIMARY KEY,
    created_at TEXT NOT NULL
);

CREATE TABLE teams (
    tenant TEXT COLLATE "C" NOT NULL,
    name TEXT COLLATE "C" NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (tenant, name)
);

CREATE TABLE keys (
    id TEXT COLLATE "C" PRIMARY KEY,
    name TEXT NOT NULL,
    tenant TEXT COLLATE "C" NOT NULL,
    team TEXT COLLATE "C" NOT NULL,
    labels TEXT NOT NULL,
    models TEXT NOT NULL,
    scope TEXT NOT NULL,
    expires_at TEXT,
    rpm BIGINT NOT NULL,
    tpm BIGINT NOT NULL,
    salt BYTEA NOT NULL,
    hash BYTEA NOT NULL,
    created_at TEXT COLLATE "C" NOT NULL,
    rotated_at TEXT,
    revoked_at TEXT
);

CREATE TABLE budgets (
    scope TEXT COLLATE "C" PRIMARY KEY,
    kind TEXT NOT NULL,
    tenant TEXT NOT NULL,
    team TEXT NOT NULL,
    key_id TEXT NOT NULL,
    period TEXT NOT NULL,
    limit_micros BIGINT NOT NULL,
    soft_micros BIGINT NOT NULL
);

CREATE TABLE spend (
    day DATE NOT NULL,
    key_id TEXT COLLATE "C" NOT NULL,
    tenant TEXT COLLATE "C" NOT NULL,
    team TEXT COLLATE "C" NOT NULL,
    model TEXT COLLATE "C" NOT NULL,
    requests BIGINT NOT NULL,
    prompt_tokens BIGINT NOT NULL,
    completion_tokens BIGINT NOT NULL,
    cached_tokens BIGINT NOT NULL,
    reasoning_tokens BIGINT NOT NULL,
    cost_micros BIGINT NOT NULL,
    PRIMARY KEY (day, key_id, tenant, team, model)
);

-- Budgets load their period's spend by key, team or tenant at startup.
CREATE INDEX spend_by_key ON spend (key_id, day);
CREATE INDEX spend_by_tenant ON spend (tenant, team, day);

CREATE TABLE alerts (
    scope TEXT COLLATE "C" NOT NULL,
    period_start DATE NOT NULL,
    sent_at TEXT NOT NULL,
    PRIMARY KEY (scope, period_start)
);
