import type { ColdBurstResult, OverheadResult, RevocationResult, RolloverResult } from './scenarios';
import type { FleetResult } from './fleet';
import type { SizeResult } from './size';

/** The shape of bench/results/peers.json, which the chart is drawn from. */
export interface PeerReport {
  benchmark: 'peers';
  date: string;
  machine: { os: string; cpus: number; cpuModel: string; node: string };
  versions: Record<string, string>;
  settings: {
    coldBurstCalls: number;
    revocationCalls: number;
    tokenDelayMs: number;
    rollover: { expiresInSeconds: number; tokenDelayMs: number; durationMs: number; callsPerSecond: number };
    fleet: { processes: number; callsPerProcess: number };
    overhead: { rounds: number; requestsPerRound: number; warmupRequests: number };
  };
  /** How the fleet scenario ran, or why it did not. */
  fleet: string;
  elapsedSeconds: number;
  results: Array<{
    id: string;
    label: string;
    coldBurst: ColdBurstResult;
    revocation: RevocationResult;
    rollover: RolloverResult;
    overhead: OverheadResult | null;
    fleet: FleetResult | null;
    size: SizeResult;
  }>;
}
