// The page's entry point: language, views (#search, #admin), the key prompt, errors, and loading collections.
import { ApiError, createApi, saveKey, savedKey } from './api.js';
import { UI_LANGUAGES, preferredLanguage, t, translatePage, useLanguage } from './i18n.js';
import { createSearchView } from './search.js';
import { createAdminView } from './admin.js';

const $ = (id) => document.getElementById(id);
const state = { info: null, collections: [] };

let pendingKeyPrompt = null;

/** Opens the key dialog (once, however many requests are waiting); resolves true when a key was saved. */
function askForKey(reason) {
  pendingKeyPrompt ??= new Promise((resolve) => {
    const dialog = $('key-dialog');
    $('key-reason').textContent = reason === 'invalid' ? t('key_invalid') : reason === 'change' ? t('key_change') : t('key_needed');
    $('key-input').value = '';
    dialog.returnValue = '';
    dialog.addEventListener(
      'close',
      () => {
        pendingKeyPrompt = null;
        const saved = dialog.returnValue === 'save' && $('key-input').value !== '';
        if (saved) saveKey($('key-input').value);
        resolve(saved);
      },
      { once: true },
    );
    dialog.showModal();
  });
  return pendingKeyPrompt;
}

function showError(error) {
  const box = $('error');
  let message = error instanceof Error ? error.message : String(error);
  if (error instanceof ApiError && error.status === 401) message = t('error_unauthorized');
  else if (error instanceof ApiError && error.status === 403) message = t('error_forbidden');
  else if (error instanceof ApiError) message = t('error_api', { code: error.code, message: error.message });
  box.textContent = message;
  box.hidden = false;
}

function clearError() {
  $('error').hidden = true;
  $('error').textContent = '';
}

const api = createApi({ askForKey });

async function refresh() {
  clearError();
  try {
    [state.info, state.collections] = await Promise.all([api.info(), api.collections()]);
  } catch (error) {
    showError(error);
    return;
  }
  searchView.setCollections();
  adminView.render();
}

const searchView = createSearchView({ api, state, showError });
const adminView = createAdminView({ api, state, refresh, showError });

function showView() {
  const admin = location.hash === '#admin';
  $('search-view').hidden = admin;
  $('admin-view').hidden = !admin;
  for (const [tab, active] of [[$('tab-search'), !admin], [$('tab-admin'), admin]]) {
    if (active) tab.setAttribute('aria-current', 'page');
    else tab.removeAttribute('aria-current');
  }
}

async function changeLanguage(code) {
  await useLanguage(code);
  translatePage();
  searchView.retranslate();
  adminView.render();
}

async function start() {
  const languageSelect = $('ui-language');
  languageSelect.replaceChildren(...UI_LANGUAGES.map(({ code, name }) => Object.assign(new Option(name, code), { lang: code })));
  languageSelect.value = preferredLanguage();
  languageSelect.addEventListener('change', () => void changeLanguage(languageSelect.value));
  await changeLanguage(languageSelect.value);

  $('key-button').addEventListener('click', async () => {
    if (await askForKey(savedKey() ? 'change' : 'missing')) await refresh();
  });
  $('key-forget').addEventListener('click', () => {
    saveKey('');
    $('key-dialog').close('forget');
  });
  $('key-cancel').addEventListener('click', () => $('key-dialog').close('cancel'));

  window.addEventListener('hashchange', showView);
  showView();
  await refresh();
  document.body.dataset.ready = 'true';
}

void start();
