/**
 * The pool of connections to PostgreSQL, with the one translation of "the database cannot be reached" into
 * STORE_UNAVAILABLE (HTTP 503 with Retry-After): a lost server is a condition to wait out, never a crash or a 500.
 */
import pg from 'pg';
import { TafutaError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';

export type Row = Record<string, unknown>;

/** Node's socket errors and PostgreSQL's connection-exception / shutdown / too-many-connections SQLSTATEs. */
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'EAI_AGAIN', 'EPIPE', '57P01', '57P02', '57P03', '53300']);
const UNAVAILABLE_MESSAGES = /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|Connection ended unexpectedly/i;

export function isUnavailable(error: unknown): boolean {
  if (error instanceof AggregateError) return error.errors.some(isUnavailable);
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || code.startsWith('08'))) return true;
  return typeof message === 'string' && UNAVAILABLE_MESSAGES.test(message);
}

function unavailable(error: unknown): TafutaError {
  return new TafutaError('STORE_UNAVAILABLE', `the PostgreSQL store cannot be reached (${(error as Error).message || (error as { code?: string }).code}); retry later`);
}

/** bigint ids (BIGSERIAL, COUNT) as numbers: passage labels stay far below 2^53. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

export interface Queryable {
  query<R extends Row = Row>(sql: string, params?: unknown[]): Promise<R[]>;
}

export class PgConnection implements Queryable {
  private readonly pool: pg.Pool;

  constructor(url: string, logger: Logger, options: { maxConnections?: number } = {}) {
    this.pool = new pg.Pool({ connectionString: url, max: options.maxConnections ?? 10, connectionTimeoutMillis: 5000, types });
    // An idle connection that the server drops emits 'error' on the pool: logged, not an uncaught exception.
    this.pool.on('error', (error) => logger.warn({ err: error }, 'PostgreSQL connection lost'));
  }

  async query<R extends Row = Row>(sql: string, params: unknown[] = []): Promise<R[]> {
    try {
      return (await this.pool.query(sql, params)).rows as R[];
    } catch (error) {
      throw isUnavailable(error) ? unavailable(error) : error;
    }
  }

  /** Runs `work` in one transaction on one connection; any error rolls it back. */
  async transaction<T>(work: (client: Queryable) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw isUnavailable(error) ? unavailable(error) : error;
    }
    const queryable: Queryable = {
      query: async <R extends Row = Row>(sql: string, params: unknown[] = []) => (await client.query(sql, params)).rows as R[],
    };
    let broken = false;
    try {
      await client.query('BEGIN');
      const result = await work(queryable);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      broken = isUnavailable(error);
      if (!broken) await client.query('ROLLBACK').catch(() => (broken = true));
      throw broken ? unavailable(error) : error;
    } finally {
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
