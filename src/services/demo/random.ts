// The demo's deterministic primitives, shared by every demo generator: a seeded PRNG (mulberry32) with
// the draws the generators use, a hash that turns (seed, index, purpose) into an independent stream,
// UUIDv7-shaped ids drawn from a stream, and UTC date helpers. No Math.random, no clock.

// ------------------------------------------------------------------ PRNG

/** mulberry32: a small, fast 32-bit PRNG; returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A 32-bit hash of integers (seed parts, index, purpose). */
export function hash32(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) h = fmix32((h ^ fmix32(p >>> 0)) + 0x7f4a7c15);
  return h >>> 0;
}

export class Rng {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  float(): number {
    return this.next();
  }
  between(min: number, max: number): number {
    return min + (max - min) * this.next();
  }
  /** Integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }
  weighted<T>(options: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, w] of options) total += w;
    let r = this.next() * total;
    for (const [v, w] of options) {
      r -= w;
      if (r < 0) return v;
    }
    return (options[options.length - 1] as readonly [T, number])[0];
  }
  /** Poisson-distributed count (Knuth; fine for the small means used here). */
  poisson(mean: number): number {
    if (mean <= 0) return 0;
    const l = Math.exp(-mean);
    let k = 0;
    let p = 1;
    do {
      k++;
      p *= this.next();
    } while (p > l && k < 1000);
    return k - 1;
  }
  /** Hex digits from the PRNG. */
  hex(n: number): string {
    let s = "";
    while (s.length < n) s += (Math.floor(this.next() * 0x100000000) >>> 0).toString(16).padStart(8, "0");
    return s.slice(0, n);
  }
}

// ------------------------------------------------------------------ dates

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

export function utcMidnight(ms: number): number {
  return Math.floor(ms / DAY) * DAY;
}

export function addMonths(date: Date, months: number): Date {
  const y = date.getUTCFullYear();
  const m = date.getUTCMonth() + months;
  const d = date.getUTCDate();
  const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return new Date(Date.UTC(y, m, Math.min(d, lastDay)));
}

export function money(n: number): string {
  return (Math.round(n * 100) / 100).toFixed(2);
}

/** A UUID version 7 shaped id: the row's time in the first 48 bits, PRNG bits for the rest. */
export function uuid7(ms: number, rng: Rng): string {
  const ts = Math.max(0, Math.floor(ms)).toString(16).padStart(12, "0").slice(-12);
  const r = rng.hex(20);
  const variant = ((parseInt(r.charAt(3), 16) & 0x3) | 0x8).toString(16);
  return `${ts.slice(0, 8)}-${ts.slice(8, 12)}-7${r.slice(0, 3)}-${variant}${r.slice(4, 7)}-${r.slice(8, 20)}`;
}

// ------------------------------------------------------------------ streams

/**
 * The PRNG streams of the generators that run once the accounts exist (support desk, programs, feedback).
 * `account(index, purpose)` is account n's stream for one purpose, the same whatever the account count;
 * `global(purpose)` serves rows that belong to no account (agents, articles, modules, communities...).
 */
export interface DemoStreams {
  nowMs: number;
  /** UTC midnight of now. */
  today: number;
  account(index: number, purpose: number): Rng;
  global(purpose: number): Rng;
}

/** The index global streams use: above any account index (at most 5,000 accounts). */
export const GLOBAL_STREAM_INDEX = 0xffff_fff0;

/** Midnight UTC of `ms` as a Date (the value of a DATE column). */
export function dateOnly(ms: number): Date {
  return new Date(utcMidnight(ms));
}
