import assert from 'node:assert/strict';
import type { Express } from 'express';

/** The Express 5 router's own view of its routes: "METHOD /path/{param}". */
export function appRoutes(app: Express): Set<string> {
  const router = (app as unknown as { router: { stack: Array<{ route?: { path: unknown; methods: Record<string, boolean> } }> } }).router;
  const routes = new Set<string>();
  for (const layer of router.stack) {
    if (!layer.route) continue;
    assert.equal(typeof layer.route.path, 'string', 'every route path is a plain string');
    const path = (layer.route.path as string).replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');
    for (const [method, enabled] of Object.entries(layer.route.methods)) {
      if (enabled && method !== '_all') routes.add(`${method.toUpperCase()} ${path}`);
    }
  }
  return routes;
}
