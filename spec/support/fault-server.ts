import type { ServerResponse } from 'node:http';
import { json, startLoopbackServer, type LoopbackServer } from './loopback';

/** One scripted answer of the fault-injection token server. */
export type Fault =
  /** A token: `token-1`, `token-2`, ... (the default once the script is spent). */
  | { kind: 'token'; expiresIn?: number; delayMs?: number; extra?: Record<string, unknown> }
  /** An answer with this status, raw body and headers. */
  | { kind: 'reply'; status: number; body: string; headers?: Record<string, string> }
  /** The connection is reset before any answer. */
  | { kind: 'reset' }
  /** No answer, ever (until the server closes). */
  | { kind: 'hang' }
  /**
   * Status and headers at once, then `body` one byte every `intervalMs` (default 250): a server
   * that is never idle long enough for a socket timeout and never done. Default body: a token.
   */
  | { kind: 'trickle'; status?: number; body?: string; intervalMs?: number }
  /** A redirect (302, 307 or 308) to `location`, typically another loopback server. */
  | { kind: 'redirect'; status: 301 | 302 | 303 | 307 | 308; location: string };

export interface FaultServer extends LoopbackServer {
  tokenUrl: string;
  /** Tokens issued, in order. */
  issued: string[];
  /** Answers to give, in order; each request takes the next one. */
  script(...faults: Fault[]): void;
}

/** Writes `body` one byte at a time; stops when the client goes away. */
function trickle(res: ServerResponse, status: number, body: string, intervalMs: number): void {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) });
  res.flushHeaders();
  const bytes = Buffer.from(body);
  let sent = 0;
  const timer = setInterval(() => {
    if (res.destroyed || sent >= bytes.length) {
      clearInterval(timer);
      if (!res.destroyed) res.end();
      return;
    }
    res.write(bytes.subarray(sent, sent + 1));
    sent += 1;
  }, intervalMs);
  timer.unref();
  res.on('close', () => clearInterval(timer));
}

/** A loopback token endpoint that plays a script of faults, then issues tokens. */
export async function startFaultServer(): Promise<FaultServer> {
  const issued: string[] = [];
  let queue: Fault[] = [];
  const answer = async (fault: Fault, res: ServerResponse): Promise<void> => {
    switch (fault.kind) {
      case 'reset':
        res.socket?.destroy();
        return;
      case 'hang':
        return;
      case 'reply':
        res.writeHead(fault.status, fault.headers ?? {});
        res.end(fault.body);
        return;
      case 'trickle': {
        const body =
          fault.body ?? JSON.stringify({ access_token: 'trickled-token', token_type: 'Bearer', expires_in: 3600 });
        trickle(res, fault.status ?? 200, body, fault.intervalMs ?? 250);
        return;
      }
      case 'redirect':
        res.writeHead(fault.status, { Location: fault.location, 'Content-Length': '0' });
        res.end();
        return;
      case 'token': {
        if (fault.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
        const token = `token-${issued.length + 1}`;
        issued.push(token);
        json(res, 200, {
          access_token: token,
          token_type: 'Bearer',
          expires_in: fault.expiresIn ?? 3600,
          ...fault.extra,
        });
      }
    }
  };
  const server = await startLoopbackServer((_req, res) => answer(queue.shift() ?? { kind: 'token' }, res));
  return Object.assign(server, {
    tokenUrl: `${server.origin}/oauth/token`,
    issued,
    script: (...faults: Fault[]) => {
      queue = faults;
    },
  });
}
