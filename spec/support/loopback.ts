import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as a loopback server saw it. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export type Handler = (request: SeenRequest, response: ServerResponse) => void | Promise<void>;

export interface LoopbackServer {
  url: string;
  origin: string;
  /** Every request received, in order. */
  requests: SeenRequest[];
  /** Replaces the handler. */
  handle(handler: Handler): void;
  close(): Promise<void>;
}

/** Starts a node:http server on 127.0.0.1 with an ephemeral port. Connections never keep the process alive. */
export async function startLoopbackServer(handler: Handler): Promise<LoopbackServer> {
  let current = handler;
  const requests: SeenRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const seen: SeenRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(seen);
      Promise.resolve(current(seen, res)).catch((error: unknown) => {
        res.statusCode = 500;
        res.end(String(error));
      });
    });
  });
  // Idle connections stay open until close(): a client that exits must do so on its own.
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/`,
    origin,
    requests,
    handle: (next) => {
      current = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

/**
 * A scripted token endpoint: issues `token-1`, `token-2`, ... as Bearer tokens, counts requests,
 * and lets a test replace the answer. `delayMs` holds every answer back, to widen races.
 */
export async function startTokenServer(
  options: { delayMs?: number; expiresIn?: number } = {},
): Promise<LoopbackServer & { issued: string[]; tokenUrl: string }> {
  const issued: string[] = [];
  const server = await startLoopbackServer(async (_req, res) => {
    if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
    const token = `token-${issued.length + 1}`;
    issued.push(token);
    json(res, 200, { access_token: token, token_type: 'Bearer', expires_in: options.expiresIn ?? 3600 });
  });
  return Object.assign(server, { issued, tokenUrl: `${server.origin}/oauth/token` });
}

/**
 * A resource server that accepts `Bearer <t>` when `accepts(t)` says so and answers 401 with a
 * Bearer challenge otherwise (RFC 6750 §3).
 */
export async function startApiServer(accepts: (token: string) => boolean): Promise<LoopbackServer> {
  return startLoopbackServer((req, res) => {
    const match = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''));
    if (match && accepts(match[1]!)) return json(res, 200, { ok: true, token: match[1], path: req.url });
    const challenge = match ? 'Bearer error="invalid_token"' : 'Bearer realm="api"';
    return json(res, 401, { ok: false }, { 'WWW-Authenticate': challenge });
  });
}
