import type { Agent } from 'node:https';
import type { ClientAuthentication } from '../../lib/client-auth';
import { clientSecretBasic, type BasicEncoding } from '../../lib/client-auth/basic';
import { clientSecretJwt } from '../../lib/client-auth/jwt';
import { clientSecretPost } from '../../lib/client-auth/post';
import { SecretSource, type SecretProvider } from '../../lib/client-auth/secret-source';
import { bindClientAuth, type BoundClientAuth, type ClientAuth } from '../../lib/client-auth/strategy';

/** A strategy bound as an installation binds it, for specs that drive it without installing. */
export function bound(
  strategy: ClientAuth,
  context: { clientId: string; issuer?: string; transportAgent?: Agent },
): BoundClientAuth {
  const sources = new Map<SecretProvider, SecretSource>();
  return bindClientAuth(strategy, {
    clientId: context.clientId,
    issuer: context.issuer,
    transportAgent: context.transportAgent,
    secretSource: (provider) => {
      const source = sources.get(provider) ?? new SecretSource(context.clientId, provider);
      sources.set(provider, source);
      return source;
    },
  });
}

/** The authentication of a secret method for a client, as an installation makes it. */
export function createClientAuthentication(
  method: 'client_secret_basic' | 'client_secret_post' | 'client_secret_jwt',
  material: { clientId: string; clientSecret: string; basicEncoding?: BasicEncoding },
): ClientAuthentication {
  const strategy =
    method === 'client_secret_basic'
      ? clientSecretBasic(material.clientSecret, { encoding: material.basicEncoding })
      : method === 'client_secret_post'
        ? clientSecretPost(material.clientSecret)
        : clientSecretJwt(material.clientSecret);
  return bound(strategy, { clientId: material.clientId }).authenticate;
}
