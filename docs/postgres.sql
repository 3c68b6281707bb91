-- switchpoint events in PostgreSQL: the tables `switchpoint --pg URL` and
-- `switchpoint audit --pg URL` fill, created by switchpoint when missing (CREATE ... IF NOT EXISTS).
--
-- One run of switchpoint has a run_id (uuid) and a sensor name (--sensor, default the host name).
-- Every event table starts with the same key: conn_uid ('<run_id>:<conn>', one TCP connection of
-- one run; the audit uses '<run_id>:audit:<file:conn>') and seq, the row's number within its run.
-- (conn_uid, seq) is the primary key: a batch sent again after a reconnect inserts nothing twice.
--
-- Plain PostgreSQL. On Citus, conn_uid is the distribution key of every event table (all
-- co-located, so whatever joins one connection's rows stays on one node) and switchpoint_runs is a
-- reference table; run once on the coordinator after the tables exist:
--   SELECT create_distributed_table('switchpoint_connections', 'conn_uid');
--   SELECT create_distributed_table('switchpoint_upgrades', 'conn_uid', colocate_with => 'switchpoint_connections');
--   SELECT create_distributed_table('switchpoint_findings', 'conn_uid', colocate_with => 'switchpoint_connections');
--   SELECT create_distributed_table('switchpoint_websockets', 'conn_uid', colocate_with => 'switchpoint_connections');
--   SELECT create_distributed_table('switchpoint_h2_streams', 'conn_uid', colocate_with => 'switchpoint_connections');
--   SELECT create_distributed_table('switchpoint_app_events', 'conn_uid', colocate_with => 'switchpoint_connections');
--   SELECT create_distributed_table('switchpoint_audit_findings', 'conn_uid', colocate_with => 'switchpoint_connections');
--   SELECT create_reference_table('switchpoint_runs');
-- No table has a foreign key, a sequence or a trigger, so nothing stands in the way of that.

-- One row per run: written when the run starts, completed when it ends (rows written and
-- dropped, reconnects). rows_dropped > 0 means the database did not keep up (or was away)
-- and that many rows were never sent.
CREATE TABLE IF NOT EXISTS switchpoint_runs (
    run_id uuid PRIMARY KEY,
    sensor text NOT NULL,
    command text NOT NULL,
    started_at timestamptz NOT NULL,
    finished_at timestamptz,
    rows_written bigint,
    rows_dropped bigint,
    reconnects integer
);

-- One row per TCP connection, written when it closes.
CREATE TABLE IF NOT EXISTS switchpoint_connections (
    conn_uid text NOT NULL,
    seq bigint NOT NULL,
    sensor text NOT NULL,
    run_id uuid NOT NULL,
    conn bigint NOT NULL,
    client_addr inet,
    client_port integer,
    server_addr inet,
    server_port integer,
    opened_at timestamptz NOT NULL,
    closed_at timestamptz NOT NULL,
    close_reason text NOT NULL,
    handshake text NOT NULL,
    bytes_c2s bigint NOT NULL,
    bytes_s2c bigint NOT NULL,
    packets_c2s bigint NOT NULL,
    packets_s2c bigint NOT NULL,
    gaps integer NOT NULL,
    gap_bytes bigint NOT NULL,
    PRIMARY KEY (conn_uid, seq)
);

-- One row per upgrade attempt with its outcome: 'switched' (status 101 or a CONNECT tunnel,
-- with both switch offsets and the request-to-101 latency), 'refused' (status, the finding's
-- code as cause, its message as detail), 'declined' (an h2c offer answered 2xx: HTTP/1.1
-- kept, as refused but not a failure) or 'no_verdict' (the connection ended unanswered).
CREATE TABLE IF NOT EXISTS switchpoint_upgrades (
    conn_uid text NOT NULL,
    seq bigint NOT NULL,
    sensor text NOT NULL,
    run_id uuid NOT NULL,
    conn bigint NOT NULL,
    ts timestamptz NOT NULL,
    client_addr inet,
    client_port integer,
    server_addr inet,
    server_port integer,
    tls boolean NOT NULL,
    method text,
    path text,
    host text,
    offered text,
    protocol text,
    outcome text NOT NULL,
    status integer,
    cause text,
    detail text,
    c2s_offset bigint,
    s2c_offset bigint,
    latency_ms double precision,
    PRIMARY KEY (conn_uid, seq)
);

-- Every finding (docs/json.md lists the codes), with the connection's endpoints and the
-- request it belongs to when there is one.
CREATE TABLE IF NOT EXISTS switchpoint_findings (
    conn_uid text NOT NULL,
    seq bigint NOT NULL,
    sensor text NOT NULL,
    run_id uuid NOT NULL,
    conn bigint NOT NULL,
    ts timestamptz NOT NULL,
    client_addr inet,
    client_port integer,
    server_addr inet,
    server_port integer,
    code text NOT NULL,
    severity text NOT NULL,
    message text NOT NULL,
    dir text,
    stream_offset bigint,
    h2_stream bigint,
    tls boolean NOT NULL,
    method text,
    path text,
    host text,
    PRIMARY KEY (conn_uid, seq)
);

-- One row per WebSocket session (a connection after its 101, or an RFC 8441 stream),
-- written when the connection closes: message counts and payload bytes per direction, the
-- first close frame's code and reason, who closed first and whether the peer answered.
CREATE TABLE IF NOT EXISTS switchpoint_websockets (
    conn_uid text NOT NULL,
    seq bigint NOT NULL,
    sensor text NOT NULL,
    run_id uuid NOT NULL,
    conn bigint NOT NULL,
    ts timestamptz NOT NULL,
    client_addr inet,
    client_port integer,
    server_addr inet,
    server_port integer,
    h2_stream bigint,
    method text,
    path text,
    host text,
    messages_c2s bigint NOT NULL,
    messages_s2c bigint NOT NULL,
    bytes_c2s bigint NOT NULL,
    bytes_s2c bigint NOT NULL,
    pings bigint NOT NULL,
    close_code integer,
    close_reason text,
    closed_by text,
    close_answered boolean,
    close_frame_seen boolean NOT NULL,
    PRIMARY KEY (conn_uid, seq)
);

-- One row per finished HTTP/2 exchange (the h2.stream event).
CREATE TABLE IF NOT EXISTS switchpoint_h2_streams (
    conn_uid text NOT NULL,
    seq bigint NOT NULL,
    sensor text NOT NULL,
    run_id uuid NOT NULL,
    conn bigint NOT NULL,
    ts timestamptz NOT NULL,
    client_addr inet,
    client_port integer,
    server_addr inet,
    server_port integer,
    stream bigint NOT NULL,
    method text,
    scheme text,
    authority text,
    path text,
    protocol text,
    status integer,
    bytes_c2s bigint NOT NULL,
    bytes_s2c bigint NOT NULL,
    reset_code bigint,
    ttfb_ms double precision,
    total_ms double precision,
    unfinished boolean NOT NULL,
    tls boolean NOT NULL,
    PRIMARY KEY (conn_uid, seq)
);

-- One row per application event inside a WebSocket (the app event: a JSON-RPC request, a
-- GraphQL next, a Socket.IO EVENT, …); fields is the event's fields as a JSON object.
CREATE TABLE IF NOT EXISTS switchpoint_app_events (
    conn_uid text NOT NULL,
    seq bigint NOT NULL,
    sensor text NOT NULL,
    run_id uuid NOT NULL,
    conn bigint NOT NULL,
    ts timestamptz NOT NULL,
    client_addr inet,
    client_port integer,
    server_addr inet,
    server_port integer,
    h2_stream bigint,
    tls boolean NOT NULL,
    dir text,
    packet bigint NOT NULL,
    protocol text NOT NULL,
    op text NOT NULL,
    msg_id text,
    summary text NOT NULL,
    fields jsonb NOT NULL,
    answers_op text,
    answers_packet bigint,
    latency_ms double precision,
    PRIMARY KEY (conn_uid, seq)
);

-- `switchpoint audit --pg`: one row per audit finding, with the proxy (the address clients
-- connect to), the upstream and the client's request.
CREATE TABLE IF NOT EXISTS switchpoint_audit_findings (
    conn_uid text NOT NULL,
    seq bigint NOT NULL,
    sensor text NOT NULL,
    run_id uuid NOT NULL,
    conn bigint,
    ts timestamptz,
    code text NOT NULL,
    severity text NOT NULL,
    message text NOT NULL,
    fix text,
    front_conn text,
    back_conn text,
    proxy text,
    proxy_addr inet,
    proxy_port integer,
    upstream text,
    client_addr inet,
    confidence text,
    method text,
    path text,
    host text,
    PRIMARY KEY (conn_uid, seq)
);

CREATE INDEX IF NOT EXISTS switchpoint_upgrades_outcome ON switchpoint_upgrades (outcome, ts);
CREATE INDEX IF NOT EXISTS switchpoint_findings_code ON switchpoint_findings (code, ts);
CREATE INDEX IF NOT EXISTS switchpoint_audit_findings_code ON switchpoint_audit_findings (code, ts);
CREATE INDEX IF NOT EXISTS switchpoint_app_events_op ON switchpoint_app_events (protocol, op, ts);
