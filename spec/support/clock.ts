import type { Clock } from '../../lib/clock';

/**
 * A clock for specs: wall and monotonic time move only when told, and timers (`after`, `sleep`)
 * fire when `advance` passes their due time. `stepWall` moves the wall clock alone, as an NTP step
 * or a suspended VM does.
 */
export class ManualClock implements Clock {
  #wall: number;
  #monotonic = 0;
  #timers: Array<{ due: number; fire: () => void }> = [];

  constructor(wall = 1_000_000) {
    this.#wall = wall;
  }

  now = (): number => this.#wall;
  monotonic = (): number => this.#monotonic;

  after = (ms: number, callback: () => void): (() => void) => {
    const timer = { due: this.#monotonic + ms, fire: callback };
    this.#timers.push(timer);
    return () => {
      this.#timers = this.#timers.filter((t) => t !== timer);
    };
  };

  sleep = (ms: number): Promise<void> => new Promise((resolve) => void this.after(ms, resolve));

  /** Moves both clocks forward by `ms` and fires the timers that fall due, in order. */
  advance(ms: number): void {
    this.#wall += ms;
    this.#monotonic += ms;
    for (;;) {
      const due = this.#timers.filter((t) => t.due <= this.#monotonic).sort((a, b) => a.due - b.due)[0];
      if (due === undefined) return;
      this.#timers = this.#timers.filter((t) => t !== due);
      due.fire();
    }
  }

  /** Moves the wall clock alone (negative: back); monotonic time and timers are untouched. */
  stepWall(ms: number): void {
    this.#wall += ms;
  }

  /** Timers not yet fired. */
  get pendingTimers(): number {
    return this.#timers.length;
  }
}

/** A clock whose wall time is `now()`; monotonic time follows it (for specs that only move one clock). */
export function clockFrom(now: () => number): Clock {
  return {
    now,
    monotonic: now,
    after: (ms, callback) => {
      const timer = setTimeout(callback, ms);
      timer.unref();
      return () => clearTimeout(timer);
    },
    sleep: (ms) =>
      new Promise((resolve) => {
        setTimeout(resolve, ms).unref();
      }),
  };
}

/**
 * A clock for specs against real servers that must let long bounds pass: wall time is real (a
 * token expires when the server says), while monotonic time runs `factor` times faster and timers
 * fire `factor` times sooner. A 10-second bound then passes in 10000 / `factor` ms, in the same
 * order relative to every other bound; nothing is asserted about how long anything took.
 */
export function acceleratedClock(factor: number): Clock {
  const origin = performance.now();
  const after = (ms: number, callback: () => void): (() => void) => {
    const timer = setTimeout(callback, ms / factor);
    timer.unref();
    return () => clearTimeout(timer);
  };
  return {
    now: () => Date.now(),
    monotonic: () => origin + (performance.now() - origin) * factor,
    after,
    sleep: (ms) => new Promise((resolve) => void after(ms, resolve)),
  };
}
