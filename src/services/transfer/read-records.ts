import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream';
import readline from 'node:readline';
import { parser } from 'stream-json';
import StreamArray from 'stream-json/streamers/StreamArray';

export type TransferFormat = 'jsonl' | 'json';

/** One record as read, before validation: where it is in the file, and its value or why it could not be read. */
export interface RawRecord {
  location: string;
  value?: unknown;
  error?: string;
}

/** A JSON array starts with `[`; anything else is read as JSON Lines. */
export async function detectFormat(file: string): Promise<TransferFormat> {
  const handle = await open(file, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(4096), 0, 4096, 0);
    const head = buffer.subarray(0, bytesRead).toString('utf8').replace(/^\uFEFF/, '').trimStart();
    return head.startsWith('[') ? 'json' : 'jsonl';
  } finally {
    await handle.close();
  }
}

/** JSON Lines, one record a line; blank lines are ignored; line numbers count from 1. */
async function* readJsonLines(file: string): AsyncGenerator<RawRecord> {
  const lines = readline.createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let number = 0;
  for await (const line of lines) {
    number += 1;
    if (!line.trim()) continue;
    const location = `line ${number}`;
    try {
      yield { location, value: JSON.parse(line) };
    } catch (error) {
      yield { location, error: `not valid JSON (${(error as Error).message}); is the line cut short?` };
    }
  }
}

/** A JSON array, streamed element by element (stream-json), so large files are never held whole. */
async function* readJsonArray(file: string): AsyncGenerator<RawRecord> {
  const elements = pipeline(createReadStream(file), parser(), StreamArray.streamArray(), () => undefined);
  let index = 0;
  try {
    for await (const { key, value } of elements as AsyncIterable<{ key: number; value: unknown }>) {
      index = key + 1;
      yield { location: `record ${index}`, value };
    }
  } catch (error) {
    yield { location: `record ${index + 1}`, error: `malformed JSON after record ${index} (${(error as Error).message}); is the file cut short?` };
  }
}

export async function* readRecords(file: string, format: TransferFormat): AsyncGenerator<RawRecord> {
  yield* format === 'json' ? readJsonArray(file) : readJsonLines(file);
}
