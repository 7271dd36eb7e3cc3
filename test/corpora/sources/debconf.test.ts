import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pairDebconfPo, pairTemplates, paragraphs, parseTemplates, splitChoices } from '../../../corpora/sources/debconf.js';
import { byBaseLang, debconfPairs, debconfPoPairs } from '../../../corpora/phases/train.js';
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

/** Shaped like a d-i source package's debian/po/bo.po (po-debconf: one msgid per description paragraph or choice). */
const PO = `# Tibetan translation for Debian Installer.
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Language: bo\\n"

#. Type: string
#. Description
#. :sl1:
#: ../netcfg-common.templates:3001
msgid "Domain name:"
msgstr "དྲ་ཁོངས་ཀྱི་མིང："

#. Type: string
#. Description
#. :sl1:
#: ../netcfg-common.templates:3001
msgid ""
"The domain name is the part of your Internet address to the right of your "
"host name."
msgstr ""
"དྲ་ཁོངས་ནི་ཁྱོད་ཀྱི་རྩ་འཛུགས་གནས་གཡས་སུ་ཡོད་པའི་"
"དྲ་རྒྱ་ཁ་ཡིག་གི་ཁག་ཞིག་རེད"

#. Type: boolean
#. Description
#: ../netcfg-common.templates:2001
#, fuzzy
msgid "Auto-configure networking?"
msgstr "དྲ་ལམ་སྒྲིག་འགོད་བྱེད་པ"

#. Type: boolean
#. Description
#: ../netcfg-common.templates:2001
msgid "Networking can be configured by entering all the information manually."
msgstr ""

#. Type: select
#. Choices
#. :sl2:
#: ../netcfg-common.templates:8001
msgid "WEP/Open Network"
msgstr "WEP་འམ་སྤྱི་སྤྱོད་ཀྱི་དྲ་བ"

#. Type: select
#. Choices
#. Choices MUST be separated by commas
#: ../apt-setup.templates:1001
msgid "security updates, release updates"
msgstr "བདེ་འཇགས་གསར་སྒྱུར, ཐོན་རིམ་གསར་སྒྱུར"

#. Type: select
#. Choices
#: ../apt-setup.templates:2001
msgid "Yes, No, Maybe"
msgstr "ཡིན, མིན"

#. Type: select
#. Choices
#. Translators: please do not translate the variable essid_list
#: ../netcfg-common.templates:52001
msgid "\${essid_list} Enter ESSID manually"
msgstr "\${essid_list} ESSID ལག་བཟོས་འཇུག"
`;

test('pairDebconfPo: translated non-fuzzy msgids; Choices item by item (none when the counts differ or the English is a variable)', () => {
  const pairs = pairDebconfPo(PO, { lang: 'bo', source: 'debian-installer', pkg: 'netcfg' });
  assert.deepEqual(pairs.map((p) => `${p.en}|${p.text}`), [
    'Domain name:|དྲ་ཁོངས་ཀྱི་མིང：',
    'The domain name is the part of your Internet address to the right of your host name.|དྲ་ཁོངས་ནི་ཁྱོད་ཀྱི་རྩ་འཛུགས་གནས་གཡས་སུ་ཡོད་པའི་དྲ་རྒྱ་ཁ་ཡིག་གི་ཁག་ཞིག་རེད',
    // fuzzy and untranslated entries are left out
    'WEP/Open Network|WEP་འམ་སྤྱི་སྤྱོད་ཀྱི་དྲ་བ',
    'security updates|བདེ་འཇགས་གསར་སྒྱུར',
    'release updates|ཐོན་རིམ་གསར་སྒྱུར',
    // three choices for two; \${essid_list} is filled in at run time
  ]);
  assert.ok(pairs.every((p) => p.lang === 'bo' && p.source === 'debian-installer' && p.pkg === 'netcfg'));
  assert.throws(() => pairDebconfPo('not a po file at all', { lang: 'bo', source: 'debian-installer', pkg: 'x' }), /Error parsing PO data/u);
});

test('debconfPoPairs reads debian/po/<locale>.po of the wanted languages in path order; a broken catalog is reported; the guard applies', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'debconf-po-'));
  try {
    await mkdir(join(dir, 'work/debian/po'), { recursive: true });
    await mkdir(join(dir, 'work/po'), { recursive: true });
    await writeFile(join(dir, 'work/debian/po/bo.po'), PO);
    await writeFile(join(dir, 'work/debian/po/am.po'), 'msgid "Domain name:"\nmsgstr "የጎራ ስም፦"\n');
    await writeFile(join(dir, 'work/debian/po/de.po'), 'msgid "Domain name:"\nmsgstr "Domänenname:"\n');
    await writeFile(join(dir, 'work/debian/po/lo.po'), 'not a po file at all');
    await writeFile(join(dir, 'work/po/bo.po'), 'msgid "Not a debconf catalog"\nmsgstr "x"\n');
    const errors: string[] = [];
    const pairs = await debconfPoPairs(dir, 'netcfg', 'debian-installer', byBaseLang(new Set(['bo', 'am', 'lo'])), (m) => errors.push(m));
    assert.deepEqual(pairs.map((p) => `${p.lang}|${p.en}`), ['am|Domain name:', ...[
      'Domain name:', 'The domain name is the part of your Internet address to the right of your host name.', 'WEP/Open Network',
      'security updates', 'release updates'].map((en) => `bo|${en}`)]);
    assert.equal(errors.length, 1);
    assert.match(errors[0]!, /^netcfg: .*work\/debian\/po\/lo\.po: Error parsing PO data/u);
    const clean = createPairCleaner({ guard: buildGuard(['དྲ་ཁོངས་ཀྱི་མིང：']), ...DEFAULT_CLEAN_OPTIONS });
    assert.deepEqual(pairs.slice(0, 3).map((p) => clean(p)).map((v) => (v.keep ? 'keep' : v.reason)), ['keep', 'leak', 'keep']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
