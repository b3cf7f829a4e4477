-- The read models of aid.lifecycle.events.v1 and aid.vehicle.events.v1. Everything here is derived: dropping the
-- schema and replaying the two topics rebuilds it (aid projections rebuild). No foreign keys: events of two
-- topics arrive in either order, and a fact about a profile may come before the fact that created it.

-- Where each consumed partition stands; written in the same transaction as the rows the records produced, so a
-- record is applied exactly once. generation changes when a rebuild swaps the tables in: a running projector
-- then seeks to the positions stored here again.
CREATE TABLE projection_offsets (
  topic       text    NOT NULL,
  partition   integer NOT NULL,
  next_offset bigint  NOT NULL,
  PRIMARY KEY (topic, partition)
);

CREATE TABLE projection_generation (
  only_row   boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  generation text    NOT NULL
);
INSERT INTO projection_generation (generation) VALUES (md5(random()::text || clock_timestamp()::text));

CREATE TABLE users (
  cmp_user_id         text PRIMARY KEY,
  first_seen_at       timestamptz NOT NULL,
  last_event_at       timestamptz NOT NULL,
  terms_accepted_at   timestamptz,
  terms_version       text,
  preferred_msp_token text
);

-- One AiD1 onboarding session (§4.1 / §4.2): the account id's sid and how it ended.
CREATE TABLE onboarding_sessions (
  sid         text PRIMARY KEY,
  cmp_user_id text,
  msp_id      text NOT NULL,
  expires_at  timestamptz,
  state       text NOT NULL,      -- ISSUED, FEDERATED, REJECTED, FAILED_AT_MSP
  error_code  text,
  error_text  text,
  updated_at  timestamptz NOT NULL
);
CREATE INDEX onboarding_sessions_by_user ON onboarding_sessions (cmp_user_id, sid);

-- One federation (§4.1 [13]): the msp_token and what the MSP said about the subscription. The phone number
-- stays as it came: encrypted under the CMP's key (key id, iv, ciphertext); only the query API's edge decrypts
-- it, to mask it.
CREATE TABLE federations (
  msp_token          text PRIMARY KEY,
  cmp_user_id        text NOT NULL,
  msp_id             text NOT NULL,
  sid                text,
  subscription_type  text NOT NULL,
  customer_group     text,
  phone_key_id       text,
  phone_iv           bytea,
  phone_ciphertext   bytea,
  state              text NOT NULL,  -- ESTABLISHED, INVALIDATED, REMOVED
  withdraw_initiator text,           -- CMP_TOUCHPOINT, MSP (§4.4.1 / §4.4.2)
  withdraw_reason    text,
  established_at     timestamptz NOT NULL,
  updated_at         timestamptz NOT NULL
);
CREATE INDEX federations_by_user ON federations (cmp_user_id, msp_token);
CREATE INDEX federations_by_msp_state ON federations (msp_id, state);
CREATE INDEX federations_by_state ON federations (state);

-- One profile (ICCID) of a user on a vehicle, its state as the vehicle reported it and what its MSP said.
CREATE TABLE profiles (
  iccid             text PRIMARY KEY,
  cmp_user_id       text NOT NULL,
  msp_token         text,
  msp_id            text,
  vin               text,
  eid               text,
  profile_type      text,
  state             text NOT NULL,  -- AC_RECEIVED, INSTALLED, INSTALL_FAILED, ENABLED, DISABLED, DELETE_REQUESTED, DELETED, SWAPPED_OUT
  msp_status        text,           -- §7.1.6: VALID, SUSPENDED, INVALID
  msp_status_reason text,
  last_error        text,
  delete_reason     text,
  updated_at        timestamptz NOT NULL
);
CREATE INDEX profiles_by_user_vin ON profiles (cmp_user_id, vin, iccid);
CREATE INDEX profiles_by_vin ON profiles (vin, iccid);
CREATE INDEX profiles_by_state ON profiles (state);
CREATE INDEX profiles_by_msp_state ON profiles (msp_id, state);
CREATE INDEX profiles_by_token ON profiles (msp_token);

-- §4.3 [3]: every activation code asked of an MSP for a vehicle, and how it ended.
CREATE TABLE activation_code_requests (
  activation_code_request_id text PRIMARY KEY,
  cmp_user_id   text NOT NULL,
  msp_id        text NOT NULL,
  msp_token     text NOT NULL,
  vin           text NOT NULL,
  eid           text,
  replace_iccid text,
  deadline      timestamptz,
  state         text NOT NULL,        -- REQUESTED, RECEIVED, FAILED
  iccid         text,
  failure       text,
  error_code    text,
  error_text    text,
  requested_at  timestamptz NOT NULL,
  updated_at    timestamptz NOT NULL
);
CREATE INDEX activation_code_requests_by_user ON activation_code_requests (cmp_user_id, activation_code_request_id);
CREATE INDEX activation_code_requests_by_vin ON activation_code_requests (vin, activation_code_request_id);

CREATE TABLE vehicles (
  vin          text PRIMARY KEY,
  eid          text,
  imei         text,
  aid_enabled  boolean,
  registered   boolean NOT NULL,
  online       boolean,
  presence_at  timestamptz,
  updated_at   timestamptz NOT NULL
);

-- The eUICC inventory as the platform believes it to be: replaced whole by each VehicleInventoryChanged.
CREATE TABLE vehicle_inventory (
  vin         text NOT NULL,
  iccid       text NOT NULL,
  cmp_user_id text,
  state       text NOT NULL,
  PRIMARY KEY (vin, iccid)
);

-- Every fact of both topics, with its reason, for customer care (§7.1.5, §7.1.6: "logged for support").
-- id is the order of projection; (topic, partition, offset) names the record it came from, once.
CREATE TABLE timeline (
  id          bigserial PRIMARY KEY,
  topic       text        NOT NULL,
  partition   integer     NOT NULL,
  "offset"    bigint      NOT NULL,
  message_id  text        NOT NULL,
  occurred_at timestamptz NOT NULL,
  event_type  text        NOT NULL,
  cmp_user_id text,
  vin         text,
  iccid       text,
  msp_id      text,
  summary     text        NOT NULL,
  reason      text,
  UNIQUE (topic, partition, "offset")
);
CREATE INDEX timeline_by_user ON timeline (cmp_user_id, id);
CREATE INDEX timeline_by_vin ON timeline (vin, id);
CREATE INDEX timeline_by_iccid ON timeline (iccid, id);
