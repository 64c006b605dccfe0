/**
 * Record timestamps: RFC 3339 UTC with microseconds, e.g.
 * `2026-11-23T12:00:00.123456Z`. Fixed width, so text order is time order
 * (range queries compare strings on both engines), and RFC 5424 accepts six
 * fractional digits as-is.
 */
import { performance } from 'node:perf_hooks';
import type { Clock } from '@gatehouse-auth/core';

/** Microseconds since the epoch. */
export type MicroClock = () => number;

/** Wall clock at microsecond resolution (monotonic within the process). */
export const systemMicroClock: MicroClock = () => Math.floor((performance.timeOrigin + performance.now()) * 1000);

/** Adapts a millisecond Clock (e.g. core's ManualClock in tests). */
export const microClockFrom =
  (clock: Clock): MicroClock =>
  () =>
    Math.floor(clock.now() * 1000);

/** The date and time up to the second of the last time formatted, `…:SS.`: every record of that second shares it. */
let lastSecond = Number.NaN;
let lastPrefix = '';

export function formatMicros(micros: number): string {
  if (!Number.isSafeInteger(micros)) return formatMicrosSlowly(micros);
  const second = Math.floor(micros / 1_000_000);
  if (second !== lastSecond) {
    lastPrefix = new Date(second * 1000).toISOString().slice(0, -4); // drops `mmmZ` of …:SS.mmmZ
    lastSecond = second;
  }
  return `${lastPrefix}${String(micros - second * 1_000_000).padStart(6, '0')}Z`;
}

function formatMicrosSlowly(micros: number): string {
  const millis = Math.floor(micros / 1000);
  const iso = new Date(millis).toISOString(); // …:SS.mmmZ
  const extra = String(micros - millis * 1000).padStart(3, '0');
  return `${iso.slice(0, -1)}${extra}Z`;
}

/** Accepts RFC 3339 / ISO 8601 input and returns the stored fixed-width form. */
export function normalizeTime(input: string | Date): string {
  if (input instanceof Date) return formatMicros(input.getTime() * 1000);
  const match = /^(.*T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(input);
  if (match === null) {
    const parsed = Date.parse(input);
    if (Number.isNaN(parsed)) throw new RangeError(`not a timestamp: ${input}`);
    return formatMicros(parsed * 1000);
  }
  const fraction = (match[2] ?? '').padEnd(6, '0').slice(0, 6);
  const base = Date.parse(`${match[1]}${match[3]}`);
  if (Number.isNaN(base)) throw new RangeError(`not a timestamp: ${input}`);
  return formatMicros(base * 1000 + Number(fraction));
}
