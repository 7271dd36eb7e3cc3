/** server/routes.ts is the one list of API paths: the app serves exactly them, and answers 405 on them for other methods. */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import type { Express } from 'express';
import { createApp } from '../../server/app.js';
import { API_PATHS, openApiPath, pathPattern } from '../../server/routes.js';
import { silentLogger } from '../../core/logger.js';
import type { Engine } from '../../indexer/engine.js';
import { appRoutes } from '../helpers/app-routes.js';
import { testEngine } from '../helpers/engine.js';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** A request path for a route path: each parameter becomes a sample segment. */
const samplePath = (path: string) => path.replace(/\{[^}]+\}/g, 'x1');

describe('API paths', () => {
  let engine: Engine;
  let app: Express;

  before(() => {
    engine = testEngine(undefined);
    app = createApp({ engine, logger: silentLogger, version: 't', bodyLimit: '1mb' });
  });

  after(() => engine.close());

  test('the app serves every path of API_PATHS and no other', () => {
    const served = new Set([...appRoutes(app)].map((route) => route.slice(route.indexOf(' ') + 1)));
    assert.deepEqual([...served].sort(), Object.values(API_PATHS).map(openApiPath).sort());
  });

  test('pathPattern matches a path with sample parameters, and not a longer or shorter one', () => {
    for (const path of Object.values(API_PATHS)) {
      const sample = samplePath(openApiPath(path));
      assert.ok(pathPattern(path).test(sample), `${path} matches ${sample}`);
      assert.ok(!pathPattern(path).test(`${sample}/more`), path);
      assert.ok(!pathPattern(path).test(sample.slice(0, sample.lastIndexOf('/')) || '/x/y/z'), path);
    }
    assert.ok(!pathPattern(API_PATHS.openapi).test('/openapi_json'), 'a dot is a dot');
  });

  test('a method a served path does not take answers 405 METHOD_NOT_ALLOWED, an unknown path 404', async () => {
    const routes = appRoutes(app);
    const paths = new Set([...routes].map((route) => route.slice(route.indexOf(' ') + 1)));
    let checked = 0;
    for (const path of paths) {
      for (const method of METHODS) {
        if (routes.has(`${method} ${path}`)) continue;
        // GET of .../documents/delete is GET of the document "delete": another route serves that request path.
        const url = samplePath(path);
        if ([...routes].some((route) => route.startsWith(`${method} `) && pathPattern(route.slice(method.length + 1)).test(url))) continue;
        const res = await request(app)[method.toLowerCase() as 'get'](url);
        assert.equal(res.status, 405, `${method} ${url}`);
        assert.equal((res.body as { error: { code: string } }).error.code, 'METHOD_NOT_ALLOWED');
        checked++;
      }
    }
    assert.ok(checked > 20, `only ${checked} method/path pairs checked`);
    const unknown = await request(app).get('/v1/nothing-here');
    assert.equal(unknown.status, 404);
    assert.equal((unknown.body as { error: { code: string } }).error.code, 'ROUTE_NOT_FOUND');
  });
});
