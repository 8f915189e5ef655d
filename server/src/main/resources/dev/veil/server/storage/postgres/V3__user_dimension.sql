-- The user behind a token becomes a dimension of spend and a budget scope: spend rows and budgets gain user_id, ''
-- where no user is named (keys, and every row from before), and spend's primary key gains it, so that usage and a
-- user's budget count each user apart.
ALTER TABLE spend ADD COLUMN user_id TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE spend ALTER COLUMN user_id DROP DEFAULT;
ALTER TABLE spend DROP CONSTRAINT spend_pkey;
ALTER TABLE spend ADD PRIMARY KEY (day, key_id, tenant, team, user_id, model);

-- User budgets load their period's spend by tenant and user.
CREATE INDEX spend_by_user ON spend (tenant, user_id, day);

ALTER TABLE budgets ADD COLUMN user_id TEXT NOT NULL DEFAULT '';
ALTER TABLE budgets ALTER COLUMN user_id DROP DEFAULT;
