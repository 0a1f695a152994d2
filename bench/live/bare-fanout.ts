import { Redis } from 'ioredis';
import { Client } from 'pg';
import { WebSocketServer, type WebSocket } from 'ws';

/*
 * The floor under the live benchmark: what this machine can do for the same subscribers and
 * flags with none of Assay's work. One process per port speaks just enough of graphql-ws
 * (ack, next) to the benchmark's clients; a client's "token" is its teacher's user id, taken
 * on trust. Woken through the same Redis channel, it reads what the log gained in one prepared
 * statement (with each flag's exam creator) and writes one prebuilt frame per subscriber of
 * that teacher. No GraphQL, no authentication, no rights beyond "created the exam", no
 * context: run by bench/live/run.ts with BENCH_SERVER=bare, side by side with Assay.
 */

const READ = `select f.seq, f.exam_id, f.attempt_id, e.creator_id
  from student_flag_events f join exams e on e.id = f.exam_id where f.seq > $1 order by f.seq limit 500`;

async function main() {
  const db = new Client(process.env.DATABASE_URL);
  await db.connect();
  let head = Number((await db.query<{ seq: string }>('select seq from student_flag_log_head')).rows[0].seq);
  const subscribers = new Map<string, Map<WebSocket, string>>();

  let reading = false;
  let again = false;
  const catchUp = async () => {
    if (reading) {
      again = true;
      return;
    }
    reading = true;
    do {
      again = false;
      const { rows } = await db.query<{ seq: string; exam_id: string; attempt_id: string; creator_id: string }>({ name: 'read', text: READ, values: [head] });
      for (const row of rows) {
        head = Number(row.seq);
        const payload = `"type":"next","payload":{"data":{"studentFlagged":{"seq":${row.seq},"exam":{"id":"${row.exam_id}"},"attempt":{"id":"${row.attempt_id}"}}}}}`;
        for (const [socket, id] of subscribers.get(row.creator_id) ?? []) socket.send(`{"id":"${id}",${payload}`);
      }
      if (rows.length === 500) again = true;
    } while (again);
    reading = false;
  };

  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  await redis.subscribe(process.env.CHANNEL!);
  redis.on('message', () => void catchUp());

  const wss = new WebSocketServer({ port: Number(process.env.PORT), host: '127.0.0.1', path: '/graphql' });
  wss.on('connection', (socket) => {
    let teacher = '';
    socket.on('message', (data) => {
      const message = JSON.parse((data as Buffer).toString()) as { type: string; id?: string; payload?: { authorization?: string } };
      if (message.type === 'connection_init') {
        teacher = message.payload?.authorization?.replace('Bearer ', '') ?? '';
        socket.send('{"type":"connection_ack"}');
      } else if (message.type === 'subscribe') {
        let mine = subscribers.get(teacher);
        if (!mine) subscribers.set(teacher, (mine = new Map()));
        mine.set(socket, message.id!);
      }
    });
    socket.on('close', () => subscribers.get(teacher)?.delete(socket));
  });
  process.on('SIGTERM', () => process.exit(0));
}

void main();
