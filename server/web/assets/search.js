// The search view: the form, the summary line (detected language, adapter, mode), results, paging, a document.
import { snippet } from './text.js';
import { languageName, t } from './i18n.js';

const PAGE_SIZE = 10;
const MAX_RESULTS = 1000; // the API's offset + k limit

const $ = (id) => document.getElementById(id);

/** The adapter a dense search used: the query language when the collection's encoder has an adapter for it. */
export function adapterUsed(info, collection, queryLang) {
  const encoder = info?.encoders?.find((candidate) => candidate.name === collection?.encoder);
  return queryLang && encoder?.adapters?.includes(queryLang) ? queryLang : null;
}

/** @param {{api: ReturnType<import('./api.js').createApi>, state: {info: any, collections: any[]}, showError: (error: unknown) => void}} deps */
export function createSearchView({ api, state, showError }) {
  const form = $('search-form');
  const collectionSelect = $('collection');
  const langSelect = $('lang-filter');
  const status = $('search-status');
  const resultList = $('results');
  let offset = 0;
  /** The last search shown, re-rendered when the page's language changes. */
  let shown = null;

  function selectedCollection() {
    return state.collections.find((collection) => collection.name === collectionSelect.value);
  }

  function fillLanguageFilter() {
    const previous = langSelect.value;
    langSelect.replaceChildren(new Option(t('all_languages'), ''));
    for (const { lang, documents } of selectedCollection()?.languages ?? []) {
      if (lang) langSelect.append(new Option(t('language_with_count', { language: languageName(lang), count: documents }), lang));
    }
    langSelect.value = [...langSelect.options].some((option) => option.value === previous) ? previous : '';
  }

  function setCollections() {
    const previous = collectionSelect.value;
    collectionSelect.replaceChildren(...state.collections.map((collection) => new Option(collection.name, collection.name)));
    if (state.collections.some((collection) => collection.name === previous)) collectionSelect.value = previous;
    fillLanguageFilter();
  }

  async function run() {
    const collection = selectedCollection();
    if (!collection) return;
    // One result more than a page shows, to know whether there is a next page.
    const body = { query: $('query').value.trim(), k: Math.min(PAGE_SIZE + 1, MAX_RESULTS - offset), offset, mode: $('mode').value, highlight: true, group_by: 'document' };
    if (!body.query) return;
    if (langSelect.value) body.filter = { lang: langSelect.value };
    status.textContent = t('searching');
    delete status.dataset.mode;
    try {
      const response = await api.search(collection.name, body);
      shown = { collection, response, offset };
      render();
    } catch (error) {
      status.textContent = '';
      showError(error);
    }
  }

  function render() {
    if (!shown) return;
    const { collection, response } = shown;
    const adapter = adapterUsed(state.info, collection, response.query_lang);
    status.textContent = [
      response.results.length ? t('results_count', { from: shown.offset + 1, to: shown.offset + Math.min(PAGE_SIZE, response.results.length) }) : t('no_results'),
      t('detected_language', { language: response.query_lang ? languageName(response.query_lang) : t('unknown') }),
      t('adapter_used', { adapter: adapter ? languageName(adapter) : t('adapter_none') }),
      t('mode_used', { mode: response.mode }),
    ].join(' · ');
    status.dataset.queryLang = response.query_lang ?? '';
    status.dataset.adapter = adapter ?? '';
    status.dataset.mode = response.mode;
    const results = response.results.slice(0, PAGE_SIZE);
    resultList.replaceChildren(...results.map((result) => resultItem(collection, result)));
    resultList.start = shown.offset + 1;
    const previous = $('previous-page');
    const next = $('next-page');
    previous.hidden = shown.offset === 0;
    next.hidden = response.results.length <= PAGE_SIZE;
    $('page-number').textContent = previous.hidden && next.hidden ? '' : t('page_number', { page: shown.offset / PAGE_SIZE + 1 });
  }

  function resultItem(collection, result) {
    const item = document.createElement('li');
    item.className = 'result';
    item.lang = result.lang ?? '';
    item.dir = 'auto';
    item.dataset.id = result.id;
    const heading = document.createElement('h3');
    const open = document.createElement('button');
    open.type = 'button';
    open.className = 'link';
    open.textContent = result.title || result.id;
    open.addEventListener('click', () => openDocument(collection, result.id));
    heading.append(open);

    const text = document.createElement('p');
    text.className = 'snippet';
    const { segments, cutStart, cutEnd } = snippet(result.text, result.highlights);
    if (cutStart) text.append('… ');
    for (const segment of segments) {
      if (!segment.mark) text.append(segment.text);
      else text.append(Object.assign(document.createElement('mark'), { textContent: segment.text }));
    }
    if (cutEnd) text.append(' …');

    const meta = document.createElement('p');
    meta.className = 'meta';
    meta.lang = document.documentElement.lang;
    meta.dir = 'auto';
    const facts = [
      t('result_language', { language: result.lang ? languageName(result.lang) : t('unknown') }),
      t('result_score', { score: result.score.toFixed(3) }),
    ];
    if (result.matched_passages > 1) facts.push(t('matched_passages', { count: result.matched_passages }));
    meta.append(...facts.map((fact) => Object.assign(document.createElement('span'), { textContent: fact })));
    item.append(heading, text, meta);
    return item;
  }

  async function openDocument(collection, id) {
    try {
      const document_ = await api.getDocument(collection.name, id);
      $('document-title').textContent = document_.title || document_.id;
      $('document-title').lang = document_.lang ?? '';
      $('document-meta').textContent = [
        t('document_id', { id: document_.id }),
        t('result_language', { language: document_.lang ? languageName(document_.lang) : t('unknown') }),
      ].join(' · ');
      $('document-text').textContent = document_.text;
      $('document-text').lang = document_.lang ?? '';
      $('document-dialog').showModal();
    } catch (error) {
      showError(error);
    }
  }

  async function turnPage(delta) {
    offset = Math.max(0, offset + delta);
    await run();
    resultList.querySelector('button')?.focus();
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    offset = 0;
    void run();
  });
  collectionSelect.addEventListener('change', fillLanguageFilter);
  $('previous-page').addEventListener('click', () => void turnPage(-PAGE_SIZE));
  $('next-page').addEventListener('click', () => void turnPage(PAGE_SIZE));
  $('document-close').addEventListener('click', () => $('document-dialog').close());

  return {
    setCollections,
    /** After a change of the page's language: labels built here are translated again. */
    retranslate() {
      fillLanguageFilter();
      render();
    },
  };
}
