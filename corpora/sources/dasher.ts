/**
 * Dasher training texts are prose hard-wrapped at ~70 columns. Re-join the lines and split into sentences so
 * that one record is one sentence (blank lines end paragraphs).
 */
export function dasherSentences(text: string): string[] {
  const sentences: string[] = [];
  for (const paragraph of text.replace(/\r\n?/gu, '\n').split(/\n\s*\n/u)) {
    const joined = paragraph.replace(/\s+/gu, ' ').trim();
    if (!joined) continue;
    for (const sentence of joined.split(/(?<=[.!?])\s+(?=[\p{Lu}"'“(])/u)) {
      const trimmed = sentence.trim();
      if (trimmed) sentences.push(trimmed);
    }
  }
  return sentences;
}
