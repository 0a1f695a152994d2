/**
 * The baseline of bench/page/run.ts: the contract's page of assessments (with evidence and
 * student) as ONE hand-written SQL statement (LATERAL joins + json_agg) that builds the very
 * JSON Assay answers, served by node:http + pg. No authentication, GraphQL or ORM: the work
 * PostgreSQL does, and the least a server can add to it. Listens on PORT over DATABASE_URL.
 */
import http from 'node:http';
import { Pool } from 'pg';

const PAGE_SQL = `
  with page as (
    select a.* from skill_assessments a order by a.created_at desc, a.id desc limit $1 + 1
  ), shown as (
    select * from page order by created_at desc, id desc limit $1
  ), nodes as (
    select s.created_at, s.id,
           rtrim(translate(encode(convert_to('["' || ((extract(epoch from s.created_at) * 1000000)::bigint)::text || '","' || s.id || '"]', 'utf8'), 'base64'), E'+/\\n', '-_'), '=') as cursor,
           json_build_object(
             'id', s.id, 'skillType', s.skill_type, 'score', s.score, 'confidence', s.confidence,
             'createdAt', to_char(s.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
             'student', json_build_object('id', s.student_id),
             'evidence', ev.items) as node
      from shown s
      left join lateral (
        select coalesce(json_agg(json_build_object('id', e.id, 'kind', e.kind, 'content', e.content) order by e.created_at, e.id), '[]') as items
          from evidence e where e.assessment_id = s.id
      ) ev on true
  )
  select json_build_object('data', json_build_object('assessments', json_build_object(
    'totalCount', (select count(*) from skill_assessments),
    'pageInfo', json_build_object('hasNextPage', (select count(*) > $1 from page), 'endCursor', (select cursor from nodes order by created_at, id limit 1)),
    'edges', coalesce((select json_agg(json_build_object('cursor', n.cursor, 'node', n.node) order by n.created_at desc, n.id desc) from nodes n), '[]')
  )))::text as body`;

const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });

http
  .createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = JSON.parse(Buffer.concat(chunks).toString() || '{}') as { variables?: { first?: number } };
      pool.query<{ body: string }>(PAGE_SQL, [request.variables?.first ?? 20]).then(
        ({ rows }) => {
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(rows[0].body) });
          res.end(rows[0].body);
        },
        (error: Error) => {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(error.message);
        },
      );
    });
  })
  .listen(Number(process.env.PORT), '127.0.0.1', () => console.log('ready'));
