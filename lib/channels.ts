/**
 * The diagnostics channels (node:diagnostics_channel) the plugin publishes on. Channels are
 * process-wide by name, so any copy of this package, and any APM tool, reaches the same ones.
 */

/** Every `ClientCredentialsEvent` of every installation, the same objects `onEvent` receives. */
export const EVENT_CHANNEL = 'axios-client-credentials:event';

/**
 * One `CacheHitMessage` per request served from the cache, published only while someone
 * subscribes: without a subscriber the warm path builds and sends nothing.
 */
export const CACHE_HIT_CHANNEL = 'axios-client-credentials:cache_hit';

/** What {@link CACHE_HIT_CHANNEL} carries: one frozen object per installation and source, never a token. */
export interface CacheHitMessage {
  /** The installation's name. */
  readonly name: string;
  /** Where the token came from. */
  readonly source: 'memory' | 'store';
}
