import { InvalidArgumentError } from 'commander';
import { TafutaError } from './errors.js';

/** `raw` read as a number (as `Number` reads it) when that is an integer from `min` to `max`; else undefined. */
export function integerInRange(raw: string, min: number, max: number): number | undefined {
  const n = Number(raw);
  return Number.isInteger(n) && n >= min && n <= max ? n : undefined;
}

/** A command-line option parser for an integer from `min` to `max` (commander prints the message and exits 2). */
export function integerOption(min: number, max: number): (value: string) => number {
  return (value: string): number => {
    const n = integerInRange(value, min, max);
    if (n === undefined) throw new InvalidArgumentError(`expected an integer from ${min} to ${max}`);
    return n;
  };
}

/**
 * An integer setting from the environment: `fallback` when unset or blank, an INVALID_ARGUMENT error when not an
 * integer or out of range. Without `min`/`max` any integer is accepted.
 */
export function intFromEnv(name: string, fallback: number, min?: number, max?: number): number;
export function intFromEnv(name: string, fallback: undefined, min?: number, max?: number): number | undefined;
export function intFromEnv(name: string, fallback: number | undefined, min?: number, max?: number): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  if (min === undefined || max === undefined) {
    const n = Number(raw);
    if (!Number.isInteger(n)) throw new TafutaError('INVALID_ARGUMENT', `${name} must be an integer (got "${raw}")`);
    return n;
  }
  const n = integerInRange(raw, min, max);
  if (n === undefined) throw new TafutaError('INVALID_ARGUMENT', `${name} must be an integer from ${min} to ${max} (got "${raw}")`);
  return n;
}

/** Option parsers for an integer from 1 (or 0) to `max`. */
export const positiveInt = (max: number) => integerOption(1, max);
export const nonNegativeInt = (max: number) => integerOption(0, max);
