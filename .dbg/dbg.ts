import Redis from 'ioredis';
import { RedisTokenStore } from '../lib/stores/redis';
import { TokenManager } from '../lib/token-manager';
import { KeyedLock } from '../lib/lock';
async function main() {
  const c1 = new Redis(); const c2 = new Redis();
  const prefix = 'dbg:' + Date.now() + ':';
  const events: unknown[] = [];
  const a = new RedisTokenStore(c1, { keyPrefix: prefix });
  const b = new RedisTokenStore(c2, { keyPrefix: prefix, onError: (e) => events.push(e) });
  await a.lock('k', 2000);
  const t0 = performance.now();
  const m = new TokenManager({ key: 'k', store: b, lock: new KeyedLock(), refreshBeforeExpiryMs: 0, now: Date.now,
    exchange: async () => { console.log('exchange at', performance.now() - t0); return { accessToken: 'x', tokenType: 'Bearer', issuedAt: Date.now(), expiresAt: Date.now() + 60000 }; } });
  const tok = await m.acquire();
  console.log('got', tok.accessToken, performance.now() - t0, events);
  c1.disconnect(); c2.disconnect();
}
void main();
