// Threading at size (issue #8): with BENCH_MESSAGES stored messages (default 1,000,000, in about a quarter as many
// tickets over 50 projects, one of them holding 40 %), how long ticketing's threading lookup of one incoming mail and
// the first page of the inbox take on PostgreSQL. Targets: lookup p95 < 5 ms, first inbox page p95 < 50 ms.
//   1. a fresh database on the test server (createTestDatabase), ticketing's own migrations (the built MIGRATIONS,
//      run by TypeORM as PersistenceModule does), then tickets, messages, the threading index and some unattached
//      mail bulk-loaded with INSERT … SELECT generate_series, then VACUUM (ANALYZE);
//   2. lookup: 1,000 mails, half replies to stored messages (In-Reply-To/References hit), half new mails (miss), in
//      random order; per mail the statements InboundMailService.receive runs before it decides (the two duplicate
//      checks, the threading-index lookup, the subject candidates), inside a transaction as there, summed;
//   3. inbox: GET /v1/projects/{p}/tickets?limit=25 as TicketInboxService.list queries it: the first page of the big
//      project and of a small one, and a page far down the big one by cursor, 200 runs each.
// The SQL is what TypeORM generates for those calls (captured with logging on), parameters bound the same way.
// BENCH_EXPLAIN=1 prints EXPLAIN (ANALYZE, BUFFERS) of each statement once. Needs `npx turbo run build` first.
// Figures go to stdout, and as JSON lines to $BENCH_RESULTS when set (run.mjs turns them into its table).
import { appendFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { subjectThreadKey } from '@ensoras/mail';
import { resolveDatabase } from '@ensoras/persistence';
import { createTestDatabase } from '@ensoras/testing';
import { decideThread, threadingReferences } from '@ensoras/ticketing/dist/inbound/thread-decision.js';
import { MIGRATIONS } from '@ensoras/ticketing/dist/migrations/index.js';
import { subjectThreadHash } from '@ensoras/ticketing/dist/tickets/subject-thread-hash.js';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 1_000_000);
const MAILS = Number(process.env.BENCH_THREADING_MAILS ?? 1000);
const INBOX_RUNS = Number(process.env.BENCH_INBOX_RUNS ?? 200);
const EXPLAIN = process.env.BENCH_EXPLAIN === '1';
const PROJECTS = 50;
const BIG = 'project-00';
const SMALL = 'project-17';
const TICKETS = Math.max(100, Math.round(MESSAGES / 4)); // 1–7 messages each, 4 on average
const CHUNK = 25_000; // tickets per INSERT, ~100,000 messages
const PAGE = 25; // DEFAULT_PAGE_SIZE; the service asks for one more row to know whether a next page exists
const LATER_PAGE_AFTER = Math.min(10_000, Math.floor(TICKETS * 0.4 * 0.5)); // tickets before the later page's cursor
const LOOKUP_TARGET_MS = 5;
const INBOX_TARGET_MS = 50;

const record = (figure, value, extra = {}) => {
  const line = { database: 'postgres', figure, value, messages: MESSAGES, ...extra };
  if (process.env.BENCH_RESULTS) appendFileSync(process.env.BENCH_RESULTS, `${JSON.stringify(line)}\n`);
};
const percentile = (values, p) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.ceil((p / 100) * values.length) - 1)];
const ms = (value) => `${value.toFixed(2)} ms`;
const seconds = (since) => `${((performance.now() - since) / 1000).toFixed(1)} s`;

// ---- The statements, as TypeORM sends them (schema "ticketing", as PersistenceModule configures it) -------------

// InboundMailService.receive: `m.existsBy(TicketMessage, { projectId, messageId })`, the duplicate check.
const EXISTS_MESSAGE = `SELECT 1 AS "row_exists" FROM (SELECT 1 AS dummy_column) "dummy_table" WHERE EXISTS (SELECT 1 FROM "ticketing"."ticket_message" "TicketMessage" WHERE (("TicketMessage"."project_id" = $1) AND ("TicketMessage"."message_id" = $2))) LIMIT 1`;
// … `m.existsBy(UnattachedMail, { projectId, messageId })`, the second duplicate check.
const EXISTS_UNATTACHED = `SELECT 1 AS "row_exists" FROM (SELECT 1 AS dummy_column) "dummy_table" WHERE EXISTS (SELECT 1 FROM "ticketing"."unattached_mail" "UnattachedMail" WHERE (("UnattachedMail"."project_id" = $1) AND ("UnattachedMail"."message_id" = $2))) LIMIT 1`;
// … `m.find(ThreadReference, { where: { projectId, messageId: In([Message-ID, In-Reply-To, ...References, bounced]) } })`.
const threadReferences = (count) =>
  `SELECT "ThreadReference"."project_id" AS "ThreadReference_project_id", "ThreadReference"."message_id" AS "ThreadReference_message_id", "ThreadReference"."ticket_id" AS "ThreadReference_ticket_id", "ThreadReference"."created_at" AS "ThreadReference_created_at" FROM "ticketing"."thread_reference" "ThreadReference" WHERE (("ThreadReference"."project_id" = $1) AND ("ThreadReference"."message_id" IN (${Array.from({ length: count }, (_, i) => `$${i + 2}`).join(', ')})))`;
const TICKET_COLUMNS = (alias, prefix) =>
  ['id', 'project_id', 'subject', 'subject_key', 'subject_thread_hash', 'customer_address', 'customer_name', 'status', 'message_count', 'handoff_reason', 'created_at', 'updated_at']
    .map((column) => `"${alias}"."${column}" AS "${prefix}_${column}"`)
    .join(', ');
// InboundMailService.subjectCandidates: `m.find(Ticket, { where: { projectId, subjectThreadHash, status: Not('closed') },
// order: { updatedAt: 'DESC' }, take: SUBJECT_CANDIDATE_LIMIT })`.
const SUBJECT_CANDIDATES = `SELECT ${TICKET_COLUMNS('Ticket', 'Ticket')} FROM "ticketing"."ticket" "Ticket" WHERE (("Ticket"."project_id" = $1) AND ("Ticket"."subject_thread_hash" = $2) AND ("Ticket"."status" != $3)) ORDER BY "Ticket"."updated_at" DESC LIMIT 5`;
// TicketInboxService.list without and with a cursor (no status filter), `.limit(options.limit + 1)`.
const INBOX_FIRST = `SELECT ${TICKET_COLUMNS('t', 't')} FROM "ticketing"."ticket" "t" WHERE "t"."project_id" = $1 ORDER BY "t"."created_at" DESC, "t"."id" DESC LIMIT ${PAGE + 1}`;
// … with `?status=` (no target in #8; shown for comparison).
const INBOX_STATUS = `SELECT ${TICKET_COLUMNS('t', 't')} FROM "ticketing"."ticket" "t" WHERE "t"."project_id" = $1 AND "t"."status" = $2 ORDER BY "t"."created_at" DESC, "t"."id" DESC LIMIT ${PAGE + 1}`;
const INBOX_AFTER = `SELECT ${TICKET_COLUMNS('t', 't')} FROM "ticketing"."ticket" "t" WHERE "t"."project_id" = $1 AND ("t"."created_at", "t"."id") < (CAST($2 AS timestamptz), CAST($3 AS uuid)) ORDER BY "t"."created_at" DESC, "t"."id" DESC LIMIT ${PAGE + 1}`;

// ---- Data: deterministic, from hashes of the ticket number -------------------------------------------------------

const h = (t, seed) => `abs(hashint8extended(${t}, ${seed}))`;
const FIRST = ['anna', 'ben', 'clara', 'david', 'emma', 'felix', 'greta', 'hannah', 'jonas', 'julia', 'karl', 'laura', 'lena', 'lukas', 'maria', 'max', 'mia', 'noah', 'olivia', 'paul', 'sarah', 'simon', 'sophie', 'tim', 'tom', 'lisa', 'leon', 'marie', 'finn', 'nina', 'jan', 'eva', 'moritz', 'lea', 'elias', 'amelie', 'carl', 'ida', 'oskar', 'frieda'];
const LAST = ['mueller', 'schmidt', 'schneider', 'fischer', 'weber', 'meyer', 'wagner', 'becker', 'schulz', 'hoffmann', 'koch', 'richter', 'klein', 'wolf', 'schroeder', 'neumann', 'schwarz', 'braun', 'zimmermann', 'krueger', 'hofmann', 'hartmann', 'lange', 'schmitt', 'werner', 'krause', 'meier', 'lehmann', 'smith', 'jones', 'brown', 'taylor', 'wilson', 'evans', 'thomas', 'roberts', 'walker', 'wright', 'martin', 'garcia'];
const DOMAINS = ['gmail.com', 'outlook.com', 'web.de', 'gmx.de', 'yahoo.com', 't-online.de', 'icloud.com', 'hotmail.com', 'posteo.de', 'example-gmbh.de', 'firma.example', 'mailbox.org'];
// Repeated subjects (a customer's second "Question about my invoice") give the subject rule several candidates.
const SUBJECTS = [
  'Where is my order %s?', 'Order %s has not arrived', 'Refund for order %s', 'Return request for order %s', 'Order %s arrived damaged',
  'Wrong item in order %s', 'Invoice for order %s', 'Cancel order %s', 'Change delivery address for order %s', 'Payment failed for order %s',
  'Question about my invoice', 'Password reset not working', 'Cancel my subscription', 'Change of delivery address', 'Cannot log in to my account',
  'Discount code does not work', 'Question about shipping costs', 'Size exchange', 'Warranty claim', 'Feedback',
];
const PARAGRAPHS = [
  'I ordered two weeks ago and the tracking page has shown the same status for a week now. Could you please check what is going on with the parcel?',
  'The package arrived today but the box was crushed and one of the items is broken. I have attached photos of the damage and of the label.',
  'I would like to return the item because it does not fit. Please send me a return label or tell me how the return works in my country.',
  'I was charged twice for the same order according to my bank statement. Please refund the second payment as soon as possible.',
  'Since the last update I cannot log in any more; the page says my password is wrong although I reset it twice this morning.',
  'Could you please send me an invoice with my company name and VAT number on it? Our accounting department needs it by Friday.',
  'The discount code from your newsletter is rejected at checkout with the message that it has expired, but the mail says it is valid all month.',
  'I moved last week and would like the parcel delivered to my new address instead. The old one is no longer correct.',
];
const sqlArray = (values) => `ARRAY[${values.map((value) => `'${value.replaceAll("'", "''")}'`).join(',')}]`;

const SETUP = `
  CREATE FUNCTION bench_mid(t int, k int, project text) RETURNS text IMMUTABLE LANGUAGE sql AS $$
    SELECT CASE WHEN k % 2 = 1 THEN '<CA' || upper(md5('m' || t || '.' || k)) || '@mail.gmail.com>'
                ELSE '<' || md5('m' || t || '.' || k)::uuid || '@' || project || '.example>' END $$;
  CREATE UNLOGGED TABLE bench_ticket AS
    SELECT t, md5('ticket-' || t)::uuid AS id, project_id, customer,
           (${sqlArray(FIRST)})[customer % 40 + 1] AS first_name,
           (${sqlArray(FIRST)})[customer % 40 + 1] || '.' || (${sqlArray(LAST)})[customer / 40 % 40 + 1]
             || CASE WHEN customer >= 1600 THEN (customer / 1600)::text ELSE '' END
             || '@' || (${sqlArray(DOMAINS)})[${h('customer', 7)} % ${DOMAINS.length} + 1] AS customer_address,
           initcap((${sqlArray(FIRST)})[customer % 40 + 1]) || ' ' || initcap((${sqlArray(LAST)})[customer / 40 % 40 + 1]) AS customer_name,
           replace((${sqlArray(SUBJECTS)})[${h('t', 3)} % ${SUBJECTS.length} + 1], '%s', (100000 + ${h('t', 4)} % 900000)::text) AS subject,
           (1 + ${h('t', 5)} % 7)::int AS message_count,
           date_trunc('milliseconds', now() - interval '731 days' + (t::float8 / ${TICKETS}) * interval '730 days') AS created_at,
           (10 + ${h('t', 6)} % 230) * interval '1 minute' AS gap,
           CASE WHEN t > ${TICKETS} * 0.97 THEN (ARRAY['open','open','answered','answered','answered','needs_human'])[${h('t', 8)} % 6 + 1]
                ELSE (ARRAY['closed','closed','closed','closed','closed','closed','closed','closed','closed','closed','closed','closed','closed','closed','closed','answered','answered','answered','open','needs_human'])[${h('t', 8)} % 20 + 1] END AS status,
           ${h('t', 9)} % 10 = 0 AS external_parent
      FROM (SELECT t, project_id,
                   (${h('t', 2)} % GREATEST(10, CASE WHEN project_id = '${BIG}' THEN ${TICKETS} * 0.4 / 3 ELSE ${TICKETS} * 0.6 / ${PROJECTS - 1} / 3 END)::bigint)::int AS customer
              FROM (SELECT t, CASE WHEN t % 5 < 2 THEN '${BIG}' ELSE 'project-' || lpad((1 + ${h('t', 1)} % ${PROJECTS - 1})::text, 2, '0') END AS project_id
                      FROM generate_series(1, ${TICKETS}) t) numbered) projected;
  CREATE INDEX ON bench_ticket (t)`;

const range = (from, to) => `b.t BETWEEN ${from} AND ${to}`;
const insertTickets = (where) => `
  INSERT INTO ticketing.ticket (id, project_id, subject, subject_key, subject_thread_hash, customer_address, customer_name, status,
                                message_count, handoff_reason, created_at, updated_at)
  SELECT id, project_id, subject, lower(subject),
         encode(sha256(convert_to(customer_address || E'\\n' || lower(subject), 'UTF8')), 'hex'),
         customer_address, customer_name, status, message_count,
         CASE WHEN status = 'needs_human' THEN 'The customer asked to speak to a person' END,
         created_at, created_at + (message_count - 1) * gap
    FROM bench_ticket b WHERE ${where}`;
// Odd messages are the customer's, even ones the AI's answers; each names all before it (In-Reply-To the last).
// One thread in ten starts as an answer to a mail sent before the channel existed (an unknown In-Reply-To).
const insertMessages = (where) => `
  INSERT INTO ticketing.ticket_message (id, ticket_id, project_id, direction, author, "from", "to", subject, text, new_text,
                                        message_id, in_reply_to, "references", delivery_status, kind, response_id,
                                        raw_object_key, date, created_at)
  SELECT gen_random_uuid(), b.id, b.project_id,
         CASE WHEN inbound THEN 'inbound' ELSE 'outbound' END,
         CASE WHEN inbound THEN 'customer' ELSE 'ai' END,
         CASE WHEN inbound THEN customer_json ELSE support_json END,
         jsonb_build_array(CASE WHEN inbound THEN support_json ELSE customer_json END),
         CASE WHEN k = 1 THEN b.subject ELSE 'Re: ' || b.subject END,
         body, body,
         bench_mid(b.t, k, b.project_id),
         CASE WHEN k > 1 THEN bench_mid(b.t, k - 1, b.project_id) WHEN b.external_parent THEN external END,
         (SELECT coalesce(jsonb_agg(id ORDER BY n), '[]')
            FROM (SELECT 0 AS n, external AS id WHERE b.external_parent
                  UNION ALL SELECT j, bench_mid(b.t, j, b.project_id) FROM generate_series(1, k - 1) j) named),
         CASE WHEN inbound THEN 'received' ELSE 'sent' END,
         'normal',
         CASE WHEN NOT inbound THEN 'response-' || md5('r' || b.t || '.' || k) END,
         CASE WHEN inbound THEN 'raw/' || b.project_id || '/' || md5('raw' || b.t || '.' || k) END,
         CASE WHEN inbound THEN at - interval '40 seconds' END,
         at
    FROM bench_ticket b
    CROSS JOIN LATERAL generate_series(1, b.message_count) k
    CROSS JOIN LATERAL (SELECT k % 2 = 1 AS inbound,
                               b.created_at + (k - 1) * b.gap AS at,
                               '<' || md5('ext' || b.t) || '@newsletter.example>' AS external,
                               jsonb_build_object('address', b.customer_address, 'name', b.customer_name) AS customer_json,
                               jsonb_build_object('address', 'support@' || b.project_id || '.example', 'name', 'Support') AS support_json,
                               CASE WHEN k % 2 = 1
                                    THEN 'Hello,' || E'\\n\\n' || (${sqlArray(PARAGRAPHS)})[${h('b.t * 8 + k', 10)} % ${PARAGRAPHS.length} + 1] || E'\\n\\n'
                                         || (${sqlArray(PARAGRAPHS)})[${h('b.t * 8 + k', 11)} % ${PARAGRAPHS.length} + 1] || E'\\n\\nBest regards,\\n' || b.customer_name
                                    ELSE 'Hello ' || initcap(b.first_name) || ',' || E'\\n\\n' || 'thank you for your message. '
                                         || (${sqlArray(PARAGRAPHS)})[${h('b.t * 8 + k', 12)} % ${PARAGRAPHS.length} + 1]
                                         || E'\\n\\nWe have looked into it and will get back to you shortly.\\n\\nKind regards,\\nYour support team' END AS body) m
   WHERE ${where}`;
// The threading index: every message's own Message-ID (InboundMailService.indexThread, OutgoingReplyService), and the
// unknown ids the first mails named.
const insertReferences = (where) => `
  INSERT INTO ticketing.thread_reference (project_id, message_id, ticket_id, created_at)
  SELECT b.project_id, bench_mid(b.t, k, b.project_id), b.id, b.created_at + (k - 1) * b.gap
    FROM bench_ticket b CROSS JOIN LATERAL generate_series(1, b.message_count) k WHERE ${where}
  UNION ALL
  SELECT b.project_id, '<' || md5('ext' || b.t) || '@newsletter.example>', b.id, b.created_at FROM bench_ticket b WHERE b.external_parent AND ${where}`;
// Auto-replies and bounces that continued no ticket: one for every 50 messages.
const INSERT_UNATTACHED = `
  INSERT INTO ticketing.unattached_mail (id, project_id, message_id, kind, kind_reasons, reason, "from", "to", subject, text, created_at)
  SELECT gen_random_uuid(), b.project_id, '<auto-' || md5('u' || b.t) || '@' || split_part(b.customer_address, '@', 2) || '>',
         'auto-reply', '["Auto-Submitted: auto-replied"]', 'auto-reply that continues no known ticket',
         jsonb_build_object('address', b.customer_address, 'name', b.customer_name),
         jsonb_build_array(jsonb_build_object('address', 'support@' || b.project_id || '.example', 'name', 'Support')),
         'Automatic reply: I am out of the office', 'I am out of the office until Monday and will read your mail then.',
         b.created_at + interval '5 minutes'
    FROM bench_ticket b WHERE b.t % 12 = 0`;

// ---- Run -------------------------------------------------------------------------------------------------------

const loadBefore = loadavg()[0];
const database = await createTestDatabase();
const client = new pg.Client({ connectionString: database.url });
try {
  const started = performance.now();
  const { options } = await resolveDatabase({ schema: 'ticketing', entities: [], migrations: MIGRATIONS, databaseUrl: database.url, dataDir: '/nonexistent' });
  const dataSource = new DataSource({ ...options, logging: ['error'] });
  await dataSource.initialize(); // runs the migrations (migrationsRun), as the service does at start
  const migrations = await dataSource.query(`SELECT name FROM "ticketing"."migrations" ORDER BY id`);
  await dataSource.destroy();
  console.log(`database ${database.name}: ${migrations.length} migrations (${migrations.at(-1)?.name})`);

  await client.connect();
  await client.query(`SET synchronous_commit = off; SET maintenance_work_mem = '256MB'`);
  const loading = performance.now();
  await client.query(SETUP);
  for (let from = 1; from <= TICKETS; from += CHUNK) {
    const where = range(from, Math.min(TICKETS, from + CHUNK - 1));
    await client.query(insertTickets(where));
    await client.query(insertMessages(where));
    await client.query(insertReferences(where));
    process.stdout.write(`${process.stdout.isTTY ? '\r' : '\n'}loading: ${Math.min(TICKETS, from + CHUNK - 1).toLocaleString('en')} / ${TICKETS.toLocaleString('en')} tickets, ${seconds(loading)}`);
  }
  await client.query(INSERT_UNATTACHED);
  await client.query('DROP TABLE bench_ticket');
  const loadSeconds = (performance.now() - loading) / 1000;
  // VACUUM as well, so autovacuum does not set in during the measurements after a million inserts.
  const analyzing = performance.now();
  for (const table of ['ticket', 'ticket_message', 'thread_reference', 'unattached_mail']) await client.query(`VACUUM (ANALYZE) ticketing.${table}`);
  const counts = (
    await client.query(`SELECT (SELECT count(*) FROM ticketing.ticket_message)::int AS messages, (SELECT count(*) FROM ticketing.ticket)::int AS tickets,
                               (SELECT count(*) FROM ticketing.thread_reference)::int AS refs, (SELECT count(*) FROM ticketing.unattached_mail)::int AS unattached,
                               (SELECT count(*) FROM ticketing.ticket WHERE project_id = $1)::int AS big, (SELECT count(*) FROM ticketing.ticket WHERE project_id = $2)::int AS small,
                               pg_size_pretty(pg_database_size(current_database())) AS size`, [BIG, SMALL])
  ).rows[0];
  console.log(`\nloaded in ${loadSeconds.toFixed(1)} s (+ ${seconds(analyzing)} VACUUM ANALYZE): ${counts.messages.toLocaleString('en')} messages in ${counts.tickets.toLocaleString('en')} tickets over ${PROJECTS} projects ` +
    `(${BIG}: ${counts.big.toLocaleString('en')} tickets, ${SMALL}: ${counts.small.toLocaleString('en')}), ${counts.refs.toLocaleString('en')} threading-index entries, ` +
    `${counts.unattached.toLocaleString('en')} unattached mails; database ${counts.size}`);
  record('threading-load-seconds', loadSeconds, { tickets: counts.tickets });

  // ---- (a) threading lookup ----
  // Replies: a customer answering a stored message (ours or theirs) of its ticket, as a mail client writes it.
  const replySources = (
    await client.query(`SELECT m.project_id, m.message_id, m."references", t.subject, t.customer_address
                          FROM (SELECT * FROM ticketing.ticket_message ORDER BY random() LIMIT $1) m JOIN ticketing.ticket t ON t.id = m.ticket_id`, [MAILS / 2])
  ).rows;
  // New mails: a new Message-ID and subject in a project, half from a known customer of it, half from someone new.
  const newSources = (await client.query(`SELECT project_id, customer_address FROM ticketing.ticket ORDER BY random() LIMIT $1`, [MAILS - replySources.length])).rows;
  let uid = 0;
  const newId = () => `<CA${(++uid).toString(16).padStart(8, '0')}BENCH${Date.now().toString(36).toUpperCase()}@mail.gmail.com>`;
  const mails = [
    ...replySources.map((source) => {
      const messageId = newId();
      return {
        expect: 'join',
        projectId: source.project_id,
        messageId,
        inReplyTo: source.message_id,
        references: threadingReferences([...source.references, source.message_id].filter((id) => id !== messageId)),
        subject: `Re: ${source.subject}`,
        customerAddress: source.customer_address,
      };
    }),
    ...newSources.map((source, i) => {
      const template = SUBJECTS[Math.floor(Math.random() * SUBJECTS.length)];
      return {
        expect: 'create',
        projectId: source.project_id,
        messageId: newId(),
        inReplyTo: null,
        references: [],
        subject: template.replace('%s', String(100000 + Math.floor(Math.random() * 900000))),
        customerAddress: i % 2 === 0 ? source.customer_address : `new.customer${i}@example.org`,
      };
    }),
  ];
  for (let i = mails.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [mails[i], mails[j]] = [mails[j], mails[i]];
  }

  /** The lookups of InboundMailService.receive for one mail, in its order; the transaction is opened outside. */
  const statementsOf = (mail) => {
    const namedIds = [...new Set([mail.messageId, mail.inReplyTo, ...mail.references].filter((id) => id !== null))];
    const hash = subjectThreadHash(mail.customerAddress, subjectThreadKey(mail.subject));
    return [
      ['duplicate message', EXISTS_MESSAGE, [mail.projectId, mail.messageId]],
      ['duplicate unattached', EXISTS_UNATTACHED, [mail.projectId, mail.messageId]],
      ['threading index', threadReferences(namedIds.length), [mail.projectId, ...namedIds]],
      ...(hash === null || mail.customerAddress === '' ? [] : [['subject candidates', SUBJECT_CANDIDATES, [mail.projectId, hash, 'closed']]]),
    ];
  };
  const lookup = async (mail) => {
    const times = {};
    let known = [];
    let candidates = [];
    const begun = performance.now();
    for (const [name, sql, parameters] of statementsOf(mail)) {
      const before = performance.now();
      const { rows } = await client.query(sql, parameters);
      times[name] = performance.now() - before;
      if (name === 'threading index') known = rows.map((row) => ({ messageId: row.ThreadReference_message_id, ticketId: row.ThreadReference_ticket_id }));
      if (name === 'subject candidates') {
        candidates = rows.map((row) => ({ ticketId: row.Ticket_id, customerAddress: row.Ticket_customer_address, subjectKey: row.Ticket_subject_key, status: row.Ticket_status, updatedAt: row.Ticket_updated_at }));
      }
    }
    const total = performance.now() - begun;
    const decision = decideThread({ ...mail, kind: 'normal', bouncedMessageId: null }, known, candidates);
    return { total, times, decision };
  };

  if (EXPLAIN) {
    for (const mail of [mails.find((m) => m.expect === 'join'), mails.find((m) => m.expect === 'create')]) {
      for (const [name, sql, parameters] of statementsOf(mail)) {
        const plan = await client.query(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, parameters);
        console.log(`\n-- ${name} (${mail.expect})\n${plan.rows.map((row) => row['QUERY PLAN']).join('\n')}`);
      }
    }
  }

  // A pooled connection of the service is warm: a few mails first, not counted.
  for (const mail of mails.slice(0, 20)) {
    await client.query('BEGIN');
    await lookup(mail);
    await client.query('ROLLBACK');
  }
  // The floor: as many round trips of `SELECT 1` right after each mail's lookup, what the statements cost at least on
  // this machine at that moment (client, socket, backend scheduling), whatever the indexes.
  const results = [];
  const floor = [];
  for (const mail of mails) {
    await client.query('BEGIN'); // dataSource.transaction(...) in the service
    const result = await lookup(mail);
    results.push({ mail, ...result });
    const begun = performance.now();
    for (let i = 0; i < Object.keys(result.times).length; i++) await client.query('SELECT 1');
    floor.push(performance.now() - begun);
    await client.query('ROLLBACK');
  }
  const wrong = results.filter((r) => (r.decision.action === 'join') !== (r.mail.expect === 'join'));
  const rules = {};
  for (const r of results) rules[r.decision.rule ?? r.decision.action] = (rules[r.decision.rule ?? r.decision.action] ?? 0) + 1;
  console.log(`\n(a) threading lookup of one incoming mail, ${results.length} mails (${replySources.length} replies, ${newSources.length} new); decided: ${JSON.stringify(rules)}`);
  if (wrong.length) console.log(`   ! ${wrong.length} mails not decided as expected`);
  const line = (label, values, target) => {
    const p95 = percentile(values, 95);
    const verdict = target === undefined ? '' : `   target p95 < ${target} ms ${p95 < target ? '✓' : '✗'}`;
    console.log(`   ${label.padEnd(44)} p50 ${ms(percentile(values, 50)).padStart(9)}   p95 ${ms(p95).padStart(9)}   max ${ms(Math.max(...values)).padStart(9)}${verdict}`);
    return p95;
  };
  const lookupP95 = line('all statements, summed', results.map((r) => r.total), LOOKUP_TARGET_MS);
  line('  replies (hit)', results.filter((r) => r.mail.expect === 'join').map((r) => r.total), LOOKUP_TARGET_MS);
  line('  new mails (miss)', results.filter((r) => r.mail.expect === 'create').map((r) => r.total), LOOKUP_TARGET_MS);
  for (const name of ['duplicate message', 'duplicate unattached', 'threading index', 'subject candidates']) {
    line(`  ${name}`, results.map((r) => r.times[name]).filter((time) => time !== undefined));
  }
  const floorP95 = line('floor: as many round trips of SELECT 1', floor);
  const totals = results.map((r) => r.total);
  record('threading-lookup-p50', percentile(totals, 50));
  record('threading-lookup-p95', lookupP95, { mails: results.length, target: LOOKUP_TARGET_MS });
  record('threading-lookup-max', Math.max(...totals));
  record('threading-lookup-floor-p95', floorP95);

  // ---- (b) inbox ----
  const later = (
    await client.query(`SELECT created_at, id FROM ticketing.ticket WHERE project_id = $1 ORDER BY created_at DESC, id DESC OFFSET $2 LIMIT 1`, [BIG, LATER_PAGE_AFTER - 1])
  ).rows[0];
  const pages = [
    ['first page, big project', INBOX_FIRST, [BIG], INBOX_TARGET_MS],
    ['first page, small project', INBOX_FIRST, [SMALL], INBOX_TARGET_MS],
    [`page after ${LATER_PAGE_AFTER.toLocaleString('en')} tickets (cursor), big`, INBOX_AFTER, [BIG, later.created_at.toISOString(), later.id], INBOX_TARGET_MS],
    ['first page, big project, status=needs_human', INBOX_STATUS, [BIG, 'needs_human'], undefined],
  ];
  console.log(`\n(b) inbox, GET /v1/projects/{p}/tickets?limit=${PAGE}, ${INBOX_RUNS} runs each`);
  const inboxP95 = {};
  for (const [label, sql, parameters, target] of pages) {
    if (EXPLAIN) {
      const plan = await client.query(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, parameters);
      console.log(`-- ${label}\n${plan.rows.map((row) => row['QUERY PLAN']).join('\n')}`);
    }
    for (let i = 0; i < 5; i++) await client.query(sql, parameters);
    const times = [];
    for (let i = 0; i < INBOX_RUNS; i++) {
      const before = performance.now();
      const { rows } = await client.query(sql, parameters);
      times.push(performance.now() - before);
      if (rows.length !== PAGE + 1) throw new Error(`${label}: ${rows.length} rows`);
    }
    inboxP95[label] = line(label, times, target);
  }
  const [big, small, deep, byStatus] = Object.values(inboxP95);
  record('inbox-first-page-p95', Math.max(big, small), { big, small, target: INBOX_TARGET_MS });
  record('inbox-later-page-p95', deep, { after: LATER_PAGE_AFTER });
  record('inbox-status-page-p95', byStatus, { status: 'needs_human' });
  console.log(`\ntotal ${seconds(started)}; ${cpus().length} cores, load average ${loadBefore.toFixed(2)} before / ${loadavg()[0].toFixed(2)} after`);
} finally {
  await client.end().catch(() => {});
  await database.drop();
}
