/** The first fenced code block of one language in a README, as a reader copies it. */
import fs from 'node:fs';

export function readmeExample(readmePath: string, language: string): string {
  const match = new RegExp('```' + language + '\\n([\\s\\S]*?)```').exec(fs.readFileSync(readmePath, 'utf8'));
  if (!match) throw new Error(`no \`\`\`${language} block in ${readmePath}`);
  return match[1]!;
}
