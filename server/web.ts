/**
 * The search page: static files from `server/web/` (HTML, CSS, ES modules, message catalogs), served at `/` and
 * `/assets/…` without a key — the page asks for one when the API answers 401. A router of its own: the OpenAPI
 * document describes the API only (its test compares the documented routes with the app's top-level routes).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type RequestHandler } from 'express';
import { TafutaError } from '../core/errors.js';

/** Read from the package root, also when running from `dist/`: the files need no build step. */
export const WEB_DIR = fileURLToPath(new URL('../../server/web/', import.meta.url));

/** The page's own policy, replacing the API's `default-src 'none'`: only same-origin scripts, styles and requests, nothing inline. */
export const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const withPageCsp: RequestHandler = (_req, res, next) => {
  res.setHeader('Content-Security-Policy', PAGE_CSP);
  next();
};

/** A router mounted before authentication: the page and its assets never need a key. */
export function webPage(webDir = WEB_DIR): express.Router {
  const router = express.Router();
  router.use('/assets', withPageCsp, express.static(path.join(webDir, 'assets'), { index: false, redirect: false }));
  // Without this, Express answers OPTIONS / itself (200, text/plain "GET, HEAD"); the API answers 405 JSON.
  router.options('/', (req, _res, next) => next(new TafutaError('METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${req.path}`)));
  router.get('/', withPageCsp, (_req, res, next) => {
    res.sendFile(path.join(webDir, 'index.html'), { headers: { 'Cache-Control': 'no-cache' } }, (error) => error && next(error));
  });
  return router;
}
