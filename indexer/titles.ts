/**
 * How a document's title takes part in search. BM25: the title's words are an FTS5 column of every passage of the
 * document, weighted TITLE_BM25_WEIGHT times the text. Dense: each passage is encoded as "title\n\ntext", so the
 * title also places every passage of its document; stored passage texts (and results) stay the document's own text.
 */

/** A title word counts this many times a text word in bm25() (Elasticsearch setups commonly boost titles 2-3×). */
export const TITLE_BM25_WEIGHT = 2;

/** The text the encoder embeds for a passage of a document with this title. */
export function passageEmbeddingText(title: string | null | undefined, text: string): string {
  return title === undefined || title === null || title.trim() === '' ? text : `${title}\n\n${text}`;
}
