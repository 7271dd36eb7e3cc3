import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pairTemplates, paragraphs, parseTemplates, splitChoices } from '../../../corpora/sources/debconf.js';
import { byBaseLang, debconfPairs } from '../../../corpora/phases/train.js';
import { buildGuard, createPairCleaner, DEFAULT_CLEAN_OPTIONS } from '../../../corpora/clean.js';

/** Shaped like keyboard-configuration's and console-common's templates (translations merged into each stanza). */
const TEMPLATES = `Template: keyboard-configuration/layout
Type: select
Choices: English (US), Other
Choices-bo.UTF-8: དབྱིན་ཡིག (ཨ་རི), གཞན
Choices-wo.UTF-8: Angale
Description: Keyboard layout:
 Please select the layout matching the keyboard for this machine.
Description-bo.UTF-8: མཐེབ་གཞོང་གི་བཀོད་པ：
 འཕྲུལ་ཆས་འདིའི་མཐེབ་གཞོང་ལ་འཚམས་པའི་བཀོད་པ་ཞིག་འདེམས་རོགས
Description-de.UTF-8: Tastaturbelegung:
 Bitte wählen Sie eine Tastaturbelegung.

Template: console-common/kmap
Type: select
Choices: \${choices}
Choices-wo.UTF-8: \${choices}
Description: Policy for handling keymaps:
 The keymap describes how keys are laid out
 on the keyboard.
 .
 Select keymap from arch list: select a keymap.
Description-wo.UTF-8: Politik bu jëflënte ak tërëliinu tablocaabi yi:
 Keymap bi mooy deñci tërëliinu mandarga yi
 ci tablocaabi bi.
 .
 Tann tërëliinu toblocaabi ci ab list.
Description-am.UTF-8: የቁልፍ ሰሌዳ ካርታ፦
 አንድ አንቀጽ ብቻ።

Template: tasksel/first
Type: multiselect
Choices: Debian desktop environment, SSH server, print server, web server\\, with PHP
Choices-mg.UTF-8: Tontolo birao Debian, Mpizara SSH, Mpizara fanontana, Mpizara tranonkala\\, miaraka amin'ny PHP
Description-mg.UTF-8: Ny rindrambaiko apetraka:
Description: Choose software to install:
`;

test('parseTemplates reads stanzas, fields and continuation lines; paragraphs and splitChoices follow debconf-devel', () => {
  const stanzas = parseTemplates(TEMPLATES);
  assert.equal(stanzas.length, 3);
  assert.deepEqual(stanzas[1]!.get('Description'), ['Policy for handling keymaps:', 'The keymap describes how keys are laid out', 'on the keyboard.', '.',
    'Select keymap from arch list: select a keymap.']);
  assert.deepEqual(paragraphs(stanzas[1]!.get('Description')!.slice(1)), ['The keymap describes how keys are laid out on the keyboard.',
    'Select keymap from arch list: select a keymap.']);
  assert.deepEqual(splitChoices('web server\\, with PHP, SSH server'), ['web server, with PHP', 'SSH server']);
});

test('pairTemplates: short and extended descriptions by paragraph (or whole when the counts differ), choices item by item', () => {
  const pairs = pairTemplates(parseTemplates(TEMPLATES), byBaseLang(new Set(['bo', 'wo', 'am', 'mg'])), { source: 'debconf', pkg: 'p' });
  assert.deepEqual(pairs.map((p) => `${p.lang}|${p.en}|${p.text}`), [
    'bo|English (US)|དབྱིན་ཡིག (ཨ་རི)',
    'bo|Other|གཞན',
    // Choices-wo has one item for two: not paired.
    'bo|Keyboard layout:|མཐེབ་གཞོང་གི་བཀོད་པ：',
    'bo|Please select the layout matching the keyboard for this machine.|འཕྲུལ་ཆས་འདིའི་མཐེབ་གཞོང་ལ་འཚམས་པའི་བཀོད་པ་ཞིག་འདེམས་རོགས',
    // ${choices} is filled in at run time: nothing to pair.
    'wo|Policy for handling keymaps:|Politik bu jëflënte ak tërëliinu tablocaabi yi:',
    'wo|The keymap describes how keys are laid out on the keyboard.|Keymap bi mooy deñci tërëliinu mandarga yi ci tablocaabi bi.',
    'wo|Select keymap from arch list: select a keymap.|Tann tërëliinu toblocaabi ci ab list.',
    'am|Policy for handling keymaps:|የቁልፍ ሰሌዳ ካርታ፦',
    'am|The keymap describes how keys are laid out on the keyboard. Select keymap from arch list: select a keymap.|አንድ አንቀጽ ብቻ።',
    'mg|Debian desktop environment|Tontolo birao Debian',
    'mg|SSH server|Mpizara SSH',
    'mg|print server|Mpizara fanontana',
    'mg|web server, with PHP|Mpizara tranonkala, miaraka amin\'ny PHP',
    'mg|Choose software to install:|Ny rindrambaiko apetraka:',
  ]);
  assert.ok(pairs.every((p) => p.source === 'debconf' && p.pkg === 'p'));
});

test('debconfPairs reads the extracted templates for the wanted languages; a package without templates is an error; the guard applies', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'debconf-'));
  try {
    await writeFile(join(dir, 'templates'), TEMPLATES);
    const pairs = await debconfPairs(dir, 'keyboard-configuration', byBaseLang(new Set(['bo'])));
    assert.deepEqual(pairs.map((p) => p.text), ['དབྱིན་ཡིག (ཨ་རི)', 'གཞན', 'མཐེབ་གཞོང་གི་བཀོད་པ：', 'འཕྲུལ་ཆས་འདིའི་མཐེབ་གཞོང་ལ་འཚམས་པའི་བཀོད་པ་ཞིག་འདེམས་རོགས']);
    const clean = createPairCleaner({ guard: buildGuard(['གཞན']), ...DEFAULT_CLEAN_OPTIONS });
    assert.deepEqual(pairs.map((p) => clean(p)).map((v) => (v.keep ? 'keep' : v.reason)), ['keep', 'leak', 'keep', 'keep']);
    await rm(join(dir, 'templates'));
    await assert.rejects(debconfPairs(dir, 'tzdata', byBaseLang(new Set(['bo']))), /tzdata: no debconf templates/u);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
