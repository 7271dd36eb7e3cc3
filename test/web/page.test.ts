/**
 * The search page in a real browser: Debian's Chromium driven by playwright-core against the real server (with an
 * admin key). Queries in Swahili, Hausa and Amharic, the key prompt, an upload, keyboard-only use, the Swahili
 * labels, phone width, and axe-core with no serious violations. Screenshots go to test-output/screenshots/.
 * A missing Chromium fails these tests: CI installs it (.ci/run).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { PACKAGE_ROOT } from '../../bin/runtime.js';
import { ADMIN_KEY, COLLECTION, startMultilingualServer, type MultilingualServer } from '../helpers/multilingual-server.js';

const CHROMIUM = process.env.TAFUTA_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOTS_DIR = path.join(PACKAGE_ROOT, 'test-output', 'screenshots');
/** The id of the result holding the focus (page expressions are strings: this project compiles without the DOM library). */
const FOCUSED_RESULT = "document.activeElement?.closest('li')?.getAttribute('data-id') ?? null";
const AXE_SOURCE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface SearchResponse {
  results: Array<{ id: string; lang: string | null }>;
  query_lang: string | null;
  mode: string;
}

describe('the search page in Chromium', () => {
  let tafuta: MultilingualServer;
  let browser: Browser;
  let page: Page;
  /** Console errors and CSP violations of every page: each test ends with none. */
  const problems: string[] = [];
  /** Every URL the pages requested: the key must be in none of them. */
  const requestedUrls: string[] = [];

  async function newPage(options: { viewport?: { width: number; height: number }; locale?: string } = {}): Promise<{ context: BrowserContext; page: Page }> {
    const newContext = await browser.newContext({ viewport: options.viewport ?? { width: 1280, height: 900 }, locale: options.locale ?? 'en-US' });
    const newPage_ = await newContext.newPage();
    newPage_.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    newPage_.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    newPage_.on('request', (request) => requestedUrls.push(request.url()));
    return { context: newContext, page: newPage_ };
  }

  /** Opens the page, answers the key prompt, and waits for the collections to load. */
  async function openWithKey(target: Page): Promise<void> {
    await target.goto(tafuta.url);
    await target.locator('#key-dialog[open]').waitFor();
    await target.locator('#key-input').fill(ADMIN_KEY);
    await target.locator('#key-input').press('Enter');
    await target.locator('body[data-ready="true"]').waitFor();
  }

  async function search(target: Page, query: string): Promise<void> {
    await target.locator('#query').fill(query);
    await target.locator('#search-form button[type="submit"]').click();
    // The page removes data-mode when a search starts and sets it with the answer.
    await target.locator('#search-status[data-mode]').waitFor();
  }

  async function axeViolations(target: Page): Promise<Array<{ id: string; impact: string; nodes: number }>> {
    // Evaluated through the DevTools protocol, which the page's CSP does not govern (an injected script tag would be refused).
    await target.evaluate(AXE_SOURCE);
    return target.evaluate<Array<{ id: string; impact: string; nodes: number }>>(
      'axe.run().then((result) => result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length })))',
    );
  }

  async function screenshot(target: Page, name: string): Promise<void> {
    fs.mkdirSync(SCREENSHOTS_DIR, { recursive: true });
    await target.screenshot({ path: path.join(SCREENSHOTS_DIR, name), fullPage: true });
  }

  before(async () => {
    tafuta = await startMultilingualServer();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    ({ page } = await newPage());
    await openWithKey(page);
  });

  after(async () => {
    await browser?.close();
    await tafuta?.stop();
  });

  test('the page loads without a key, then asks for one: kept in sessionStorage, sent as a header, never in a URL', async () => {
    assert.equal(await page.evaluate("sessionStorage.getItem('tafuta.apiKey')"), ADMIN_KEY);
    assert.deepEqual(await page.locator('#collection option').allTextContents(), [COLLECTION]);
    const sent = page.waitForRequest((request) => request.url().endsWith('/v1/info'));
    await page.reload();
    const request = await sent;
    assert.equal(request.headers().authorization, `Bearer ${ADMIN_KEY}`);
    await page.locator('body[data-ready="true"]').waitFor();
    assert.equal(await page.locator('#key-dialog').getAttribute('open'), null, 'a saved key is used without asking again');
    assert.deepEqual(requestedUrls.filter((url) => url.includes(ADMIN_KEY)), []);
  });

  test('a wrong key is refused and said so', async () => {
    const other = await newPage();
    try {
      await other.page.goto(tafuta.url);
      await other.page.locator('#key-input').fill('not-the-key');
      await other.page.locator('#key-input').press('Enter');
      await other.page.locator('#error:not([hidden])').waitFor();
      assert.match(await other.page.locator('#error').textContent() ?? '', /valid API key/);
    } finally {
      await other.context.close();
    }
  });

  for (const { language, query, expected } of [
    { language: 'Swahili', query: 'haki ya elimu', expected: 'sw-elimu' },
    { language: 'Hausa', query: "'yancin samun ilimi", expected: 'ha-ilimi' },
    { language: 'Amharic', query: 'የመማር መብት', expected: 'am-timhirt' },
  ]) {
    test(`${language} query shows its document first, with its lang, a highlighted snippet, the detected language and mode`, async () => {
      await search(page, query);
      const first = page.locator('#results li').first();
      assert.equal(await first.getAttribute('data-id'), expected);
      assert.equal(await first.getAttribute('lang'), expected.slice(0, 2));
      assert.ok((await first.locator('mark').count()) > 0, 'matched words are marked');
      for (const item of await page.locator('#results li').all()) assert.notEqual(await item.getAttribute('lang'), null, 'every result has a lang attribute');
      // The same search through the API: the page shows what the server answered.
      const answer = await tafuta.api<SearchResponse>('POST', `/v1/collections/${COLLECTION}/search`, { query, k: 10, mode: 'auto', highlight: true, group_by: 'document' });
      assert.equal(answer.results[0]?.id, expected);
      const status = page.locator('#search-status');
      assert.equal(await status.getAttribute('data-query-lang'), answer.query_lang ?? '');
      assert.equal(await status.getAttribute('data-mode'), answer.mode);
      assert.equal(await status.getAttribute('data-adapter'), '', 'the hashed-ngram encoder has no adapters');
      assert.match(await status.textContent() ?? '', new RegExp(`Mode: ${answer.mode}`));
      if (language === 'Swahili') await screenshot(page, 'search-swahili.png');
    });
  }

  test('the document-language filter and the mode switch reach the API', async () => {
    await page.locator('#lang-filter').selectOption('ha');
    await page.locator('#mode').selectOption('bm25');
    await search(page, 'haki');
    assert.equal(await page.locator('#search-status').getAttribute('data-mode'), 'bm25');
    const status = await page.locator('#search-status').textContent();
    assert.match(status ?? '', /No results/, 'no Hausa document holds the Swahili word');
    await page.locator('#lang-filter').selectOption('');
    await search(page, 'haki');
    assert.deepEqual(new Set(await page.locator('#results li').evaluateAll((items) => items.map((li) => li.getAttribute('lang')))), new Set(['sw']));
    await page.locator('#mode').selectOption('auto');
  });

  test('usable by keyboard alone: search, open a document, close it', async () => {
    await page.locator('#query').focus();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('Everyone has the right to education');
    await page.keyboard.press('Enter');
    await page.locator('#results li[data-id="en-education"]').waitFor();
    // Tab from the query field through mode, language and the search button to the first result.
    for (let i = 0; i < 4; i++) await page.keyboard.press('Tab');
    const focused = await page.evaluate(FOCUSED_RESULT);
    assert.ok(focused, 'the fourth Tab reaches the first result');
    await page.keyboard.press('Enter');
    await page.locator('#document-dialog[open]').waitFor();
    assert.ok((await page.locator('#document-text').textContent())!.length > 20);
    await page.keyboard.press('Escape');
    await page.locator('#document-dialog:not([open])').waitFor({ state: 'attached' });
  });

  test('axe-core finds no serious or critical violations in the search view', async () => {
    await search(page, 'haki ya elimu');
    const serious = (await axeViolations(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
    assert.deepEqual(serious, []);
  });

  test('upload a TSV file with a progress bar, then find its documents', async () => {
    await page.goto(`${tafuta.url}/#admin`);
    await page.locator('body[data-ready="true"]').waitFor();
    await page.locator('#new-name').fill('uploads');
    await page.locator('#create-form button[type="submit"]').click();
    await page.locator('#collections-table td', { hasText: /^uploads$/ }).waitFor();
    const rows = ['id\ttext\tlang\ttitle\tsource'];
    for (let i = 1; i <= 600; i++) rows.push(`kilimo-${i}\tMkulima wa ${i} analima mahindi na maharagwe shambani.\tsw\tKilimo ${i}\tupload-test`);
    rows.push('mvua\tMvua za masika zimenyesha sana mwaka huu katika bonde la ufa.\tsw\tMvua za masika\tupload-test');
    await page.locator('#upload-collection').selectOption('uploads');
    await page.locator('#upload-file').setInputFiles({ name: 'kilimo.tsv', mimeType: 'text/tab-separated-values', buffer: Buffer.from(rows.join('\n')) });
    await page.locator('#upload-form button[type="submit"]').click();
    await page.locator('#upload-status', { hasText: 'Done' }).waitFor();
    const progress = page.locator('#upload-progress');
    assert.deepEqual([await progress.getAttribute('value'), await progress.getAttribute('max')], ['601', '601']);
    await page.locator('#collections-table tr', { hasText: 'uploads' }).locator('td', { hasText: /^601$/ }).first().waitFor();
    const admin = (await axeViolations(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
    assert.deepEqual(admin, []);
    await screenshot(page, 'admin-upload.png');

    await page.locator('#tab-search').click();
    await page.locator('#collection').selectOption('uploads');
    await search(page, 'mvua za masika');
    assert.equal(await page.locator('#results li').first().getAttribute('data-id'), 'mvua');
  });

  test('paging: Next shows the following ranks, Previous comes back', async () => {
    await page.locator('#collection').selectOption(COLLECTION);
    await search(page, 'haki');
    assert.equal(await page.locator('#results li').count(), 10);
    assert.equal(await page.locator('#next-page').isVisible(), false, 'ten documents make one page');
    await page.locator('#collection').selectOption('uploads');
    await search(page, 'mkulima analima mahindi');
    const ids = () => page.locator('#results li').evaluateAll((items) => items.map((li) => li.getAttribute('data-id')));
    const firstPage = await ids();
    assert.equal(firstPage.length, 10);
    assert.equal(await page.locator('#previous-page').isVisible(), false);
    await page.locator('#next-page').click();
    await page.locator('#results[start="11"]').waitFor();
    const secondPage = await ids();
    assert.equal(secondPage.length, 10);
    assert.deepEqual(secondPage.filter((id) => firstPage.includes(id)), [], 'no document on both pages');
    assert.equal(await page.locator('#page-number').textContent(), 'Page 2');
    assert.equal(await page.evaluate(FOCUSED_RESULT), secondPage[0], 'focus moves to the new page');
    await page.locator('#previous-page').click();
    await page.locator('#results[start="1"]').waitFor();
    assert.deepEqual(await ids(), firstPage);
  });

  test('Swahili labels, phone width, no horizontal scrolling, Ge\'ez, Tibetan and Lao results', async () => {
    const phone = await newPage({ viewport: { width: 390, height: 844 }, locale: 'sw-KE' });
    try {
      await openWithKey(phone.page);
      assert.equal(await phone.page.locator('html').getAttribute('lang'), 'sw');
      assert.equal(await phone.page.locator('#search-form button[type="submit"]').textContent(), 'Tafuta');
      await phone.page.locator('#mode').selectOption('dense');
      await search(phone.page, 'ትምህርት ཤེས་ཡོན ການສຶກສາ');
      const langs = await phone.page.locator('#results li').evaluateAll((items) => items.map((li) => li.getAttribute('lang')));
      for (const lang of ['am', 'bo', 'lo']) assert.ok(langs.includes(lang), `${lang} among ${langs.join(', ')}`);
      const overflow = await phone.page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
      assert.equal(overflow, 0, 'nothing is wider than the phone');
      await screenshot(phone.page, 'search-phone-sw.png');
      const serious = (await axeViolations(phone.page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
      assert.deepEqual(serious, []);
    } finally {
      await phone.context.close();
    }
  });

  test('no console errors and no CSP violations on any page', () => {
    assert.deepEqual(problems.filter((p) => !/401 \(Unauthorized\)/.test(p)), []);
  });

  test('the page and its assets carry the page CSP; the API keeps its own', async () => {
    const pageResponse = await fetch(`${tafuta.url}/`);
    assert.match(pageResponse.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    const asset = await fetch(`${tafuta.url}/assets/app.js`);
    assert.equal(asset.status, 200);
    assert.match(asset.headers.get('content-type') ?? '', /javascript/);
    const api = await fetch(`${tafuta.url}/v1/info`);
    assert.equal(api.status, 401);
    assert.equal(api.headers.get('content-security-policy'), "default-src 'none';frame-ancestors 'none'");
  });
});
