// The collections view: counts, encoder and languages of each collection; create, delete, upload a file.
import { batches, parseDocumentsFile } from './text.js';
import { languageName, t } from './i18n.js';

/** Documents per POST: well under the API's 1000, so that the progress bar moves on small files too. */
const UPLOAD_BATCH = 250;
const ERRORS_SHOWN = 5;

const $ = (id) => document.getElementById(id);

/**
 * @param {{api: ReturnType<import('./api.js').createApi>, state: {info: any, collections: any[]}, refresh: () => Promise<void>, showError: (error: unknown) => void}} deps
 */
export function createAdminView({ api, state, refresh, showError }) {
  const uploadStatus = $('upload-status');
  const progress = $('upload-progress');

  function render() {
    const rows = state.collections.map((collection) => {
      const row = document.createElement('tr');
      const languages = (collection.languages ?? []).map(({ lang, documents }) =>
        t('language_with_count', { language: lang ? languageName(lang) : t('unknown'), count: documents }),
      );
      for (const value of [collection.name, collection.documents, collection.passages, collection.encoder, languages.join(', ')]) {
        row.append(Object.assign(document.createElement('td'), { textContent: String(value) }));
      }
      const remove = document.createElement('button');
      remove.type = 'button';
      remove.textContent = t('delete');
      remove.setAttribute('aria-label', t('delete_collection', { name: collection.name }));
      remove.addEventListener('click', () => void deleteCollection(collection));
      const actions = document.createElement('td');
      actions.append(remove);
      row.append(actions);
      return row;
    });
    $('collections-table').tBodies[0].replaceChildren(...rows);

    const encoderSelect = $('new-encoder');
    const chosen = encoderSelect.value || state.info?.default_encoder;
    encoderSelect.replaceChildren(
      ...(state.info?.encoders ?? []).map((encoder) => new Option(t('encoder_option', { name: encoder.name, dim: encoder.dim }), encoder.name)),
    );
    if (chosen) encoderSelect.value = chosen;

    const uploadSelect = $('upload-collection');
    const target = uploadSelect.value;
    uploadSelect.replaceChildren(...state.collections.map((collection) => new Option(collection.name, collection.name)));
    if (state.collections.some((collection) => collection.name === target)) uploadSelect.value = target;
  }

  async function deleteCollection(collection) {
    if (!window.confirm(t('confirm_delete', { name: collection.name, count: collection.documents }))) return;
    try {
      await api.deleteCollection(collection.name, collection.documents > 0);
      await refresh();
    } catch (error) {
      showError(error);
    }
  }

  async function createCollection(event) {
    event.preventDefault();
    try {
      await api.createCollection($('new-name').value.trim(), $('new-encoder').value);
      $('new-name').value = '';
      await refresh();
    } catch (error) {
      showError(error);
    }
  }

  async function upload(event) {
    event.preventDefault();
    const file = $('upload-file').files?.[0];
    const collection = $('upload-collection').value;
    if (!file || !collection) return;
    const { documents, errors } = parseDocumentsFile(file.name, await file.text());
    if (errors.length) {
      const shown = errors.slice(0, ERRORS_SHOWN).map((error) => t('upload_line_error', error));
      uploadStatus.textContent = [t('upload_refused', { count: errors.length }), ...shown].join(' ');
      return;
    }
    if (!documents.length) {
      uploadStatus.textContent = t('upload_empty');
      return;
    }
    progress.max = documents.length;
    progress.value = 0;
    let upserted = 0;
    let unchanged = 0;
    try {
      for (const batch of batches(documents, UPLOAD_BATCH)) {
        uploadStatus.textContent = t('upload_progress_count', { done: progress.value, total: documents.length });
        const result = await api.upsertDocuments(collection, batch);
        upserted += result.upserted;
        unchanged += result.unchanged;
        progress.value += batch.length;
      }
      uploadStatus.textContent = t('upload_done', { total: documents.length, upserted, unchanged, collection });
      await refresh();
    } catch (error) {
      uploadStatus.textContent = t('upload_stopped', { done: progress.value, total: documents.length });
      showError(error);
    }
  }

  $('create-form').addEventListener('submit', (event) => void createCollection(event));
  $('upload-form').addEventListener('submit', (event) => void upload(event));
  return { render };
}
