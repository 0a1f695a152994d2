import type { ServerResponse } from 'node:http';
import { logger } from '../logger';

/** An error raised before Apollo: body-parser's (with its status and type), RequestRejected, or an unexpected one. */
export type EdgeError = Error & { status?: number; type?: string };

/** Answers an error raised at the edge as GraphQL clients expect it: 4xx as BAD_USER_INPUT with its message, anything else a masked 500. */
export function answerEdgeError(res: ServerResponse, error: EdgeError, bodyLimit: string): void {
  const status = error.status && error.status >= 400 && error.status < 500 ? error.status : 500;
  if (status === 500) logger.error({ err: error }, 'http error');
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const message = error.type === 'entity.too.large' ? `Request body exceeds ${bodyLimit}` : status === 500 ? 'Internal server error' : error.message;
  const body = JSON.stringify({ errors: [{ message, extensions: { code: status === 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_USER_INPUT' } }] });
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
