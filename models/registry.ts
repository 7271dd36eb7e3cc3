/** The encoders a process has loaded, by name, with one default for new collections. */
import { TafutaError } from '../core/errors.js';
import type { Encoder, EncoderInfo } from './encoder.js';

export interface EncoderRegistry {
  readonly defaultName: string;
  get(name: string): Encoder | undefined;
  list(): EncoderInfo[];
  closeAll(): Promise<void>;
}

export function createEncoderRegistry(encoders: readonly Encoder[], defaultName = encoders[0]?.info.name): EncoderRegistry {
  const byName = new Map<string, Encoder>();
  for (const encoder of encoders) {
    if (byName.has(encoder.info.name)) throw new TafutaError('INVALID_ARGUMENT', `two encoders are named "${encoder.info.name}"`);
    byName.set(encoder.info.name, encoder);
  }
  if (defaultName === undefined || !byName.has(defaultName)) throw new TafutaError('UNKNOWN_ENCODER', `default encoder "${defaultName}" is not loaded`);
  return {
    defaultName,
    get: (name) => byName.get(name),
    list: () => [...byName.values()].map((e) => e.info),
    async closeAll() {
      await Promise.all([...byName.values()].map((e) => e.close?.()));
    },
  };
}

/** The loaded encoder of that name; UNKNOWN_ENCODER listing the loaded ones (and `alsoAvailable`) when there is none. */
export function requireEncoder(registry: EncoderRegistry, name: string, alsoAvailable: readonly string[] = []): Encoder {
  const encoder = registry.get(name);
  if (!encoder) {
    const available = [...registry.list().map((e) => e.name), ...alsoAvailable].join(', ');
    throw new TafutaError('UNKNOWN_ENCODER', `encoder "${name}" is not loaded; available: ${available}`);
  }
  return encoder;
}
