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
  | { kind: 'hang' };

export interface FaultServer extends LoopbackServer {
  tokenUrl: string;
  /** Tokens issued, in order. */
  issued: string[];
  /** Answers to give, in order; each request takes the next one. */
  script(...faults: Fault[]): void;
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
