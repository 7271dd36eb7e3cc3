/**
 * Security: API keys (admin / read-only, Bearer or x-api-key, 401/403), the open /healthz, helmet headers, CORS,
 * per-key/per-address rate limits (429 + Retry-After), request logs that never contain a key, no stack traces in
 * responses, configuration validation, and the refusal to serve an open API on a non-loopback address.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import request from 'supertest';
import type { Express } from 'express';
import { createApp } from '../../server/app.js';
import {
  OPEN_SECURITY,
  assertSafeBinding,
  isLoopbackHost,
  resolveSecurityConfig,
  type SecurityConfig,
  type SecurityInput,
} from '../../server/config.js';
import { openApiDocument } from '../../server/openapi.js';
import { createRequestLogger } from '../../server/request-log.js';
import { startWebServer } from '../../server/start.js';
import { isTafutaError } from '../../core/errors.js';
import { silentLogger } from '../../core/logger.js';
import type { Engine } from '../../indexer/engine.js';
import { SAMPLE_DOCUMENTS, testEngine } from '../helpers/engine.js';

const ADMIN = 'admin-key-0123456789abcdef';
const READ = 'read-key-fedcba9876543210';
const CLI = fileURLToPath(new URL('../../bin/tafuta.js', import.meta.url));

function tafuta(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { encoding: 'utf8', env }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
}

interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

function security(overrides: SecurityInput = {}): SecurityConfig {
  return resolveSecurityConfig({ adminKey: ADMIN, readKey: READ, rateLimit: 0, ...overrides });
}

function assertError(res: request.Response, status: number, code: string): ErrorBody {
  assert.equal(res.status, status, `expected ${status} ${code}, got ${res.status} ${JSON.stringify(res.body)}`);
  assert.match(String(res.headers['content-type']), /^application\/json/);
  const body = res.body as ErrorBody;
  assert.deepEqual(Object.keys(body), ['error']);
  assert.equal(body.error.code, code);
  assert.ok(body.error.message.length > 0);
  return body;
}

/** Every documented operation with concrete paths (existing collection and document) and a valid body. */
function operations(): Array<{ method: string; path: string; template: string; adminOnly: boolean; body?: object }> {
  const doc = openApiDocument('t') as unknown as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
  const bodies: Record<string, object> = {
    'POST /v1/collections': { name: 'made-by-test' },
    'POST /v1/collections/{name}/documents': { documents: [{ id: 'new-doc', text: 'Hati mpya kuhusu maji.' }] },
    'POST /v1/collections/{name}/search': { query: 'maji safi' },
    'POST /v1/collections/{name}/documents/delete': { ids: ['no-such-doc'] },
    'PATCH /v1/collections/{name}/documents/{id}': { title: 'Maji' },
  };
  const out = [];
  for (const [template, item] of Object.entries(doc.paths)) {
    for (const method of ['get', 'post', 'patch', 'delete']) {
      const op = item[method];
      if (!op) continue;
      const key = `${method.toUpperCase()} ${template}`;
      out.push({
        method,
        template,
        path: template.replace('{name}', 'sec').replace('{id}', 'sw-1'),
        adminOnly: '403' in op.responses,
        ...(bodies[key] ? { body: bodies[key] } : {}),
      });
    }
  }
  return out;
}

function call(app: Express, op: { method: string; path: string; body?: object }, headers: Record<string, string> = {}) {
  let r = request(app)[op.method as 'get' | 'post' | 'patch' | 'delete'](op.path);
  for (const [k, v] of Object.entries(headers)) r = r.set(k, v);
  return op.body ? r.send(op.body) : r;
}

describe('security configuration', () => {
  test('keys must be 16+ printable characters and differ; the key itself is never echoed', () => {
    for (const bad of ['short', 'has space in it 123456', 'tab\tin-the-key-123456', 'ünïcödé-key-1234567890']) {
      assert.throws(
        () => resolveSecurityConfig({ adminKey: bad }),
        (e: unknown) => isTafutaError(e) && e.code === 'INVALID_ARGUMENT' && !e.message.includes(bad),
      );
    }
    assert.throws(() => resolveSecurityConfig({ adminKey: ADMIN, readKey: ADMIN }), /must differ/);
    assert.equal(resolveSecurityConfig({ adminKey: '' }).adminKey, undefined, 'an empty variable means no key');
  });

  test('CORS origins are scheme://host[:port]; rate-limit values are bounded integers', () => {
    assert.deepEqual(resolveSecurityConfig({ corsOrigins: 'https://a.example, http://localhost:3000' }).corsOrigins, ['https://a.example', 'http://localhost:3000']);
    assert.deepEqual(resolveSecurityConfig({}).corsOrigins, [], 'default: no CORS');
    for (const bad of ['a.example', 'https://a.example/path', 'ftp://a.example', '*,https://a.example']) {
      assert.throws(() => resolveSecurityConfig({ corsOrigins: bad }), /CORS origin/);
    }
    assert.throws(() => resolveSecurityConfig({ rateLimit: -1 }), /rate limit/);
    assert.throws(() => resolveSecurityConfig({ rateLimit: 1.5 }), /rate limit/);
    assert.throws(() => resolveSecurityConfig({ rateLimitWindowSeconds: 0 }), /window/);
    const defaults = resolveSecurityConfig({});
    assert.ok(defaults.rateLimit.limit >= 1000, 'the default limit is generous');
    assert.equal(resolveSecurityConfig({ rateLimit: 0 }).rateLimit.limit, 0);
  });

  test('loopback detection and the non-loopback refusal', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1', '0:0:0:0:0:0:0:1']) assert.ok(isLoopbackHost(h), h);
    for (const h of ['0.0.0.0', '::', '10.0.0.1', '192.168.1.2', 'example.org', '::ffff:10.0.0.1']) assert.ok(!isLoopbackHost(h), h);
    const open = resolveSecurityConfig({});
    assert.throws(() => assertSafeBinding('0.0.0.0', open, false), /refusing to serve on non-loopback host "0.0.0.0" without an admin key.*--insecure/);
    assert.throws(() => assertSafeBinding('::', resolveSecurityConfig({ readKey: READ }), false), /admin key/, 'a read key alone is not enough');
    assertSafeBinding('0.0.0.0', open, true);
    assertSafeBinding('0.0.0.0', resolveSecurityConfig({ adminKey: ADMIN }), false);
    assertSafeBinding('127.0.0.1', open, false);
  });

  test('startWebServer refuses a non-loopback host without an admin key (nothing is bound)', async () => {
    const engine = testEngine(undefined);
    try {
      await assert.rejects(
        startWebServer({ engine, logger: silentLogger, version: 't', host: '0.0.0.0', port: 0, bodyLimit: '1mb' }),
        (e: unknown) => isTafutaError(e) && e.code === 'INVALID_ARGUMENT',
      );
    } finally {
      engine.close();
    }
  });

  test('CLI: serve on a non-loopback host without an admin key exits 2 with a clear message; --help never shows keys', async () => {
    const env = { ...process.env, TAFUTA_LOG_LEVEL: 'warn', TAFUTA_DEFAULT_ENCODER: 'hashed-ngram-v1', TAFUTA_ADMIN_KEY: '', TAFUTA_READ_KEY: '' };
    const noData = '/nonexistent/never-created';
    // In parallel: each run pays the CLI's start-up.
    const [refused, badKey, help] = await Promise.all([
      tafuta(['serve', '--host', '0.0.0.0', '--port', '0', '-d', noData], env),
      tafuta(['serve', '--port', '0', '-d', noData], { ...env, TAFUTA_ADMIN_KEY: 'tooshort' }),
      tafuta(['serve', '--help'], { ...env, TAFUTA_ADMIN_KEY: ADMIN, TAFUTA_READ_KEY: READ }),
    ]);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /refusing to serve on non-loopback host "0\.0\.0\.0" without an admin key/);
    assert.match(refused.stderr, /--insecure/);

    assert.equal(badKey.code, 2);
    assert.match(badKey.stderr, /admin key must be 16-512/);
    assert.ok(!badKey.stderr.includes('tooshort'));

    assert.equal(help.code, 0);
    assert.match(help.stdout, /--admin-key/);
    assert.match(help.stdout, /--insecure/);
    assert.ok(!help.stdout.includes(ADMIN) && !help.stdout.includes(READ), 'keys are not option defaults');
  });
});

describe('API keys', () => {
  let engine: Engine;
  let app: Express;
  let open: Express;

  before(async () => {
    engine = testEngine(undefined);
    app = createApp({ engine, logger: silentLogger, version: 't', bodyLimit: '1mb', security: security() });
    open = createApp({ engine, logger: silentLogger, version: 't', bodyLimit: '1mb' });
    await request(open).post('/v1/collections').send({ name: 'sec' }).expect(201);
    await request(open).post('/v1/collections/sec/documents').send({ documents: SAMPLE_DOCUMENTS }).expect(200);
  });
  after(() => engine.close());

  test('/healthz is open', async () => {
    const res = await request(app).get('/healthz');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { status: 'ok' });
  });

  test('every other documented operation (including /metrics and /openapi.json) is 401 without a key', async () => {
    const ops = operations().filter((o) => o.template !== '/healthz');
    assert.equal(ops.length, 14);
    assert.ok(ops.some((o) => o.template === '/metrics') && ops.some((o) => o.template === '/openapi.json'));
    for (const op of ops) {
      const res = await call(app, op);
      assertError(res, 401, 'UNAUTHORIZED');
      assert.equal(res.headers['www-authenticate'], 'Bearer realm="tafuta"', `${op.method} ${op.path}`);
    }
    // Unknown routes and wrong methods too: nothing is revealed before authentication.
    assertError(await request(app).get('/v1/nope'), 401, 'UNAUTHORIZED');
    assertError(await request(app).put('/v1/collections'), 401, 'UNAUTHORIZED');
    assert.equal((await request(app).get('/v1/collections/sec').set('authorization', `Bearer ${READ}`)).body.documents, SAMPLE_DOCUMENTS.length, 'nothing changed');
  });

  test('wrong, truncated, extended, mis-cased and malformed credentials are 401', async () => {
    const info = { method: 'get', path: '/v1/info' };
    const bad: Array<Record<string, string>> = [
      { authorization: 'Bearer not-the-key-at-all-123' },
      { authorization: `Bearer ${ADMIN.slice(0, -1)}` },
      { authorization: `Bearer ${ADMIN}x` },
      { authorization: `Bearer ${ADMIN.toUpperCase()}` },
      { authorization: `Basic ${Buffer.from(`user:${ADMIN}`).toString('base64')}` },
      { authorization: ADMIN },
      { authorization: 'Bearer' },
      { authorization: `Bearer ${ADMIN} extra` },
      { 'x-api-key': `x${READ}` },
      { 'x-api-key': '' },
      { 'x-api-key': READ.slice(1) },
    ];
    for (const headers of bad) assertError(await call(app, info, headers), 401, 'UNAUTHORIZED');
  });

  test('Authorization wins over x-api-key: a bad Bearer is not rescued by a good x-api-key', async () => {
    assertError(await call(app, { method: 'get', path: '/v1/info' }, { authorization: 'Bearer wrong-key-wrong-key-00', 'x-api-key': ADMIN }), 401, 'UNAUTHORIZED');
  });

  test('the read key may search and GET; every admin-only operation (as documented) is 403 for it and changes nothing', async () => {
    const before = (await request(app).get('/v1/collections').set('x-api-key', READ)).body as unknown;
    for (const op of operations().filter((o) => o.template !== '/healthz')) {
      for (const headers of [{ authorization: `Bearer ${READ}` }, { 'x-api-key': READ }] as Array<Record<string, string>>) {
        const res = await call(app, op, headers);
        if (op.adminOnly) {
          assertError(res, 403, 'FORBIDDEN');
        } else {
          assert.ok(res.status === 200, `${op.method} ${op.path} with the read key: ${res.status} ${JSON.stringify(res.body)}`);
        }
      }
    }
    assert.deepEqual((await request(app).get('/v1/collections').set('x-api-key', READ)).body, before);
    // The documented split is the intended one.
    const adminOnly = operations().filter((o) => o.adminOnly).map((o) => `${o.method.toUpperCase()} ${o.template}`).sort();
    assert.deepEqual(adminOnly, [
      'DELETE /v1/collections/{name}',
      'DELETE /v1/collections/{name}/documents/{id}',
      'PATCH /v1/collections/{name}/documents/{id}',
      'POST /v1/collections',
      'POST /v1/collections/{name}/documents',
      'POST /v1/collections/{name}/documents/delete',
    ]);
  });

  test('the admin key may do everything, as Bearer (any case of the scheme) or x-api-key', async () => {
    const created = await request(app).post('/v1/collections').set('authorization', `Bearer ${ADMIN}`).send({ name: 'admin-made' });
    assert.equal(created.status, 201);
    const upserted = await request(app).post('/v1/collections/admin-made/documents').set('x-api-key', ADMIN).send({ documents: SAMPLE_DOCUMENTS.slice(0, 2) });
    assert.equal(upserted.status, 200);
    const search = await request(app).post('/v1/collections/admin-made/search').set('authorization', `bearer ${ADMIN}`).send({ query: 'maji' });
    assert.equal(search.status, 200);
    const metrics = await request(app).get('/metrics').set('x-api-key', ADMIN);
    assert.equal(metrics.status, 200);
    assert.match(metrics.text, /tafuta_http_requests_total/);
    const deleted = await request(app).delete('/v1/collections/admin-made?force=true').set('authorization', `Bearer ${ADMIN}`);
    assert.equal(deleted.status, 200);
  });

  test('with no keys configured the API is open', async () => {
    assert.equal((await request(open).get('/v1/info')).status, 200);
    assert.equal((await request(open).get('/metrics')).status, 200);
    assert.equal((await request(open).get('/openapi.json')).status, 200);
  });

  test('OpenAPI declares the security schemes, and /healthz as open', () => {
    const doc = openApiDocument('t') as unknown as {
      security: unknown[];
      components: { securitySchemes: Record<string, Record<string, string>> };
      paths: Record<string, Record<string, { security?: unknown[]; responses: Record<string, unknown> }>>;
    };
    assert.deepEqual(doc.components.securitySchemes.bearerAuth, { type: 'http', scheme: 'bearer', description: doc.components.securitySchemes.bearerAuth!.description });
    assert.equal(doc.components.securitySchemes.apiKeyHeader!.name, 'x-api-key');
    assert.deepEqual(doc.security, [{ bearerAuth: [] }, { apiKeyHeader: [] }]);
    assert.deepEqual(doc.paths['/healthz']!.get!.security, []);
    for (const [path, item] of Object.entries(doc.paths)) {
      if (path === '/healthz') continue;
      for (const op of Object.values(item)) {
        if (!op || typeof op !== 'object' || !('responses' in op)) continue;
        assert.ok('401' in op.responses && '429' in op.responses, `${path} documents 401 and 429`);
      }
    }
  });
});

describe('headers, CORS, errors', () => {
  let engine: Engine;
  before(() => {
    engine = testEngine(undefined);
  });
  after(() => engine.close());

  test('helmet security headers on every response, no x-powered-by', async () => {
    const app = createApp({ engine, logger: silentLogger, version: 't', bodyLimit: '1mb' });
    for (const res of [await request(app).get('/healthz'), await request(app).get('/nope'), await request(app).post('/v1/collections').send('{')]) {
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
      assert.match(String(res.headers['content-security-policy']), /default-src 'none'/);
      assert.equal(res.headers['x-frame-options'], 'SAMEORIGIN');
      assert.equal(res.headers['referrer-policy'], 'no-referrer');
      assert.equal(res.headers['x-powered-by'], undefined);
    }
  });

  test('CORS: no origin is allowed by default, preflights included', async () => {
    const app = createApp({ engine, logger: silentLogger, version: 't', bodyLimit: '1mb', security: OPEN_SECURITY });
    const res = await request(app).get('/v1/info').set('Origin', 'https://evil.example');
    assert.equal(res.status, 200);
    assert.equal(res.headers['access-control-allow-origin'], undefined);
    const preflight = await request(app)
      .options('/v1/collections/x/search')
      .set('Origin', 'https://evil.example')
      .set('Access-Control-Request-Method', 'POST');
    assert.equal(preflight.headers['access-control-allow-origin'], undefined);
    assert.ok(preflight.status >= 400 && preflight.status < 500);
  });

  test('CORS: configured origins get the headers (preflight without a key), others do not', async () => {
    const app = createApp({ engine, logger: silentLogger, version: 't', bodyLimit: '1mb', security: security({ corsOrigins: 'https://app.example' }) });
    const preflight = await request(app)
      .options('/v1/collections/x/search')
      .set('Origin', 'https://app.example')
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'authorization, content-type');
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers['access-control-allow-origin'], 'https://app.example');
    assert.match(String(preflight.headers['access-control-allow-headers']), /Authorization/);
    const allowed = await request(app).get('/v1/info').set('Origin', 'https://app.example').set('x-api-key', READ);
    assert.equal(allowed.status, 200);
    assert.equal(allowed.headers['access-control-allow-origin'], 'https://app.example');
    const denied = await request(app).get('/v1/info').set('Origin', 'https://evil.example').set('x-api-key', READ);
    assert.equal(denied.headers['access-control-allow-origin'], undefined);
  });

  test('an unexpected error is a bare 500 INTERNAL: no message, stack or path leaks', async () => {
    const broken = testEngine(undefined);
    try {
      broken.listCollections = () => {
        throw new Error('secret detail /srv/tafuta/indexer/engine.js\n    at Engine.listCollections (file:///srv/x.js:1:1)');
      };
      const app = createApp({ engine: broken, logger: silentLogger, version: 't', bodyLimit: '1mb' });
      const res = await request(app).get('/v1/collections');
      assert.equal(res.status, 500);
      assert.deepEqual(res.body, { error: { code: 'INTERNAL', message: 'internal error' } });
      assert.ok(!res.text.includes('secret') && !res.text.includes(' at ') && !res.text.includes('.js'));
    } finally {
      broken.close();
    }
  });
});

describe('rate limiting', () => {
  let engine: Engine;
  before(() => {
    engine = testEngine(undefined);
  });
  after(() => engine.close());

  test('over the limit: 429 RATE_LIMITED JSON with Retry-After, per key', async () => {
    const app = createApp({ engine, logger: silentLogger, version: 't', bodyLimit: '1mb', security: security({ rateLimit: 3, rateLimitWindowSeconds: 120 }) });
    for (let i = 0; i < 3; i++) {
      const ok = await request(app).get('/v1/info').set('x-api-key', READ);
      assert.equal(ok.status, 200);
      assert.match(String(ok.headers.ratelimit), /limit=3/);
    }
    const limited = await request(app).get('/v1/info').set('x-api-key', READ);
    const body = assertError(limited, 429, 'RATE_LIMITED');
    const retryAfter = Number(limited.headers['retry-after']);
    assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 120, `Retry-After ${limited.headers['retry-after']}`);
    assert.deepEqual(body.error.details, { retry_after_seconds: retryAfter });
    // Another key has its own budget; /healthz is never limited.
    assert.equal((await request(app).get('/v1/info').set('authorization', `Bearer ${ADMIN}`)).status, 200);
    for (let i = 0; i < 5; i++) assert.equal((await request(app).get('/healthz')).status, 200);
  });

  test('failed authentication counts against the client address: guessing keys gets 429', async () => {
    const app = createApp({ engine, logger: silentLogger, version: 't', bodyLimit: '1mb', security: security({ rateLimit: 3, rateLimitWindowSeconds: 60 }) });
    for (let i = 0; i < 3; i++) assertError(await request(app).get('/v1/info').set('x-api-key', `guess-${i}-0000000000000`), 401, 'UNAUTHORIZED');
    assertError(await request(app).get('/v1/info').set('x-api-key', 'guess-4-0000000000000'), 429, 'RATE_LIMITED');
    // The right key is a different bucket.
    assert.equal((await request(app).get('/v1/info').set('x-api-key', ADMIN)).status, 200);
  });

  test('without keys the limit is per client address; a limit of 0 disables limiting', async () => {
    const limited = createApp({ engine, logger: silentLogger, version: 't', bodyLimit: '1mb', security: resolveSecurityConfig({ rateLimit: 2 }) });
    assert.equal((await request(limited).get('/v1/info')).status, 200);
    assert.equal((await request(limited).get('/v1/info')).status, 200);
    assertError(await request(limited).get('/v1/info'), 429, 'RATE_LIMITED');

    const unlimited = createApp({ engine, logger: silentLogger, version: 't', bodyLimit: '1mb', security: resolveSecurityConfig({ rateLimit: 0 }) });
    for (let i = 0; i < 50; i++) {
      const res = await request(unlimited).get('/v1/info');
      assert.equal(res.status, 200);
      assert.equal(res.headers.ratelimit, undefined);
    }
  });
});

describe('request logs', () => {
  test('one JSON line per request with method, url, status and role; keys never appear', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    });
    const engine = testEngine(undefined);
    try {
      const requestLogger = createRequestLogger({ level: 'info', destination: sink });
      const app = createApp({ engine, logger: silentLogger, version: 't', bodyLimit: '1mb', security: security(), requestLogger });
      await request(app).post('/v1/collections').set('authorization', `Bearer ${ADMIN}`).send({ name: 'logged' }).expect(201);
      await request(app).post('/v1/collections/logged/search').set('x-api-key', READ).set('cookie', `session=${READ}`).send({ query: 'maji' }).expect(200);
      await request(app).get('/v1/info').set('authorization', `Bearer ${READ}`).expect(200);
      await request(app).post('/v1/collections').set('x-api-key', READ).send({ name: 'nope' }).expect(403);
      await request(app).get('/v1/info').set('authorization', `Bearer ${ADMIN}-wrong`).expect(401);
      await request(app).get('/healthz').expect(200);
      await request(app).get(`/v1/collections?api_key=${ADMIN}&other=${READ}`).expect(401);
      await request(app).delete(`/v1/collections/nothing?force=true&key=${ADMIN}`).set('authorization', `Bearer ${ADMIN}`).expect(404);
      assert.equal(lines.length, 8, lines.join('\n'));
      for (const line of lines) {
        assert.ok(!line.includes(ADMIN) && !line.includes(READ), `a log line contains a key: ${line}`);
        assert.ok(!line.includes(ADMIN.slice(0, 12)) && !line.includes(READ.slice(0, 12)), `a log line contains part of a key: ${line}`);
      }
      const parsed = lines.map((l) => JSON.parse(l) as { req: { method: string; url: string; headers: Record<string, string> }; res: { statusCode: number }; auth: string });
      assert.deepEqual(
        parsed.map((p) => [p.req.method, p.req.url, p.res.statusCode, p.auth]),
        [
          ['POST', '/v1/collections', 201, 'admin'],
          ['POST', '/v1/collections/logged/search', 200, 'read'],
          ['GET', '/v1/info', 200, 'read'],
          ['POST', '/v1/collections', 403, 'read'],
          ['GET', '/v1/info', 401, 'none'],
          ['GET', '/healthz', 200, 'none'],
          ['GET', '/v1/collections?api_key=[Redacted]&other=[Redacted]', 401, 'none'],
          ['DELETE', '/v1/collections/nothing?force=true&key=[Redacted]', 404, 'admin'],
        ],
      );
      assert.equal(parsed[0]!.req.headers.authorization, '[Redacted]');
      assert.equal(parsed[1]!.req.headers['x-api-key'], '[Redacted]');
      assert.equal(parsed[1]!.req.headers.cookie, '[Redacted]');
    } finally {
      engine.close();
    }
  });
});
