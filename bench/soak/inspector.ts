import WebSocket from 'ws';

/**
 * The server's V8 through its inspector (node --inspect=127.0.0.1:<port>), without a change to
 * the server: a full collection on demand, then the heap that survived it. A heap read at a
 * random moment swings by whatever garbage is waiting; what survives a full collection is
 * what a leak adds to.
 */
export class Inspector {
  private nextId = 0;
  private readonly replies = new Map<number, (result: Record<string, unknown>) => void>();

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString()) as { id?: number; result?: Record<string, unknown> };
      if (message.id === undefined) return;
      this.replies.get(message.id)?.(message.result ?? {});
      this.replies.delete(message.id);
    });
  }

  static async connect(port: number): Promise<Inspector> {
    const [target] = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as { webSocketDebuggerUrl: string }[];
    const socket = new WebSocket(target.webSocketDebuggerUrl);
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    return new Inspector(socket);
  }

  private send(method: string): Promise<Record<string, unknown>> {
    const id = ++this.nextId;
    return new Promise((resolve) => {
      this.replies.set(id, resolve);
      this.socket.send(JSON.stringify({ id, method }));
    });
  }

  /** Bytes of the heap in use right after a full collection. */
  async liveHeapBytes(): Promise<number> {
    await this.send('HeapProfiler.collectGarbage');
    return (await this.send('Runtime.getHeapUsage')).usedSize as number;
  }

  close(): void {
    this.socket.close();
  }
}
