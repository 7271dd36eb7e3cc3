# Survey extractors for the non-debconf families -> /tmp/survey/raw/<source>.<lang>.jsonl
import json, os, re, sys, glob, struct, gettext, io
import xml.etree.ElementTree as ET
WEAK = ['so','qu','wo','ti','bo','ha','yo','ig','st']
X = '/tmp/survey/x'
out = {}
def emit(source, lang, pkg, en, text):
    if en and text: out.setdefault((source, lang), []).append({'en': en, 'text': text, 'lang': lang, 'source': source, 'pkg': pkg})
def lang_of(path):
    m = re.search(r'(?:^|[/_.-])(so|qu|wo|ti|bo|ha|yo|ig|st)(?:[_-][A-Z]{2})?(?:@\w+)?(?:/|\.\w+$)', path)
    return m.group(1) if m else None
def pkg_of(path): return path[len(X)+1:].split('/')[0]

def unq(s):
    return re.sub(r'\\(.)', lambda m: {'n': '\n', 't': '\t'}.get(m.group(1), m.group(1)), s)
def po_entries(text):
    for block in re.split(r'\n\s*\n', text):
        if re.search(r'^#,.*fuzzy', block, re.M): continue
        fields = {}; key = None
        for line in block.split('\n'):
            m = re.match(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+"(.*)"\s*$', line)
            if m: key = m.group(1); fields[key] = m.group(2); continue
            m = re.match(r'^"(.*)"\s*$', line)
            if m and key: fields[key] += m.group(1)
        en = fields.get('msgid'); tr = fields.get('msgstr', fields.get('msgstr[0]'))
        if en and tr: yield unq(en), unq(tr)
def mo_entries(path):
    d = open(path, 'rb').read()
    end = '<' if d[:4] == bytes.fromhex('de120495') else '>'
    _, _, n, o, t = struct.unpack(end + '5I', d[:20])
    for i in range(n):
        ol, oo = struct.unpack(end + '2I', d[o + 8*i:o + 8*i + 8]); tl, to = struct.unpack(end + '2I', d[t + 8*i:t + 8*i + 8])
        k = d[oo:oo+ol].decode('utf-8', 'replace').split('\x04', 1)[-1].split('\x00')[0]
        v = d[to:to+tl].decode('utf-8', 'replace').split('\x00')[0]
        if k: yield k, v

def qm_entries(path):
    data = open(path, 'rb').read()
    if data[:16] != bytes.fromhex('3cb86418caef9c95cd211cbf60a1bddd'): return
    pos = 16; messages = None
    while pos + 5 <= len(data):
        tag = data[pos]; n = struct.unpack('>I', data[pos+1:pos+5])[0]; pos += 5
        if tag == 0x69: messages = data[pos:pos+n]
        pos += n
    if messages is None: return
    p = 0; src = None; trans = []
    while p < len(messages):
        tag = messages[p]; p += 1
        if tag == 1:
            if src and trans and trans[0]: yield src, trans[0]
            src = None; trans = []
        elif tag == 3:
            n = struct.unpack('>I', messages[p:p+4])[0]; p += 4
            if n == 0xFFFFFFFF: trans.append(None)
            else: trans.append(messages[p:p+n].decode('utf-16-be', 'replace')); p += n
        elif tag in (6, 7, 8):
            n = struct.unpack('>I', messages[p:p+4])[0]; p += 4
            if tag == 6: src = messages[p:p+n].decode('utf-8', 'replace')
            p += n
        elif tag in (2, 4):
            n = struct.unpack('>I', messages[p:p+4])[0]; p += 4 + n
        elif tag == 5: p += 4
        elif tag == 9: pass
        else: break

# 1. Qt .qm
qm_total = {}
for path in glob.glob(X + '/**/*.qm', recursive=True):
    lang = lang_of(path)
    if lang not in WEAK: continue
    n = 0
    for en, tr in qm_entries(path): emit('qt-qm', lang, pkg_of(path), en, tr); n += 1
    qm_total.setdefault((lang, pkg_of(path)), [0, 0]); qm_total[(lang, pkg_of(path))][0] += 1; qm_total[(lang, pkg_of(path))][1] += n
print('qm files/pairs by (lang,pkg):', {f'{k[0]}:{k[1]}': v for k, v in sorted(qm_total.items())}, file=sys.stderr)
# 2. .po/.mo files outside /usr/share/locale (sugar activities, widelands, django, mailman, d-i sources)
for path in glob.glob(X + '/**/*.po', recursive=True) + glob.glob(X + '/**/*.mo', recursive=True):
    if '/usr/share/locale/' in path: continue
    lang = lang_of(path)
    if lang not in WEAK: continue
    fam = 'sugar-po' if 'sugar' in path else ('widelands-mo' if 'widelands' in path else 'other-mo')
    it = po_entries(open(path, encoding='utf-8', errors='replace').read()) if path.endswith('.po') else mo_entries(path)
    for en, tr in it: emit(fam, lang, pkg_of(path), en, tr)
for path in glob.glob('/tmp/survey/src/po/*/*/debian/po/*.po'):
    lang = os.path.basename(path)[:-3]
    if lang in WEAK:
        for en, tr in po_entries(open(path, encoding='utf-8').read()):
            for pe, pt in (zip(en.split('\n'), tr.split('\n')) if en.count('\n') == tr.count('\n') else [(en, tr)]):
                emit('d-i-src', lang, path.split('/')[5], pe, pt)
# 3. JSON catalogs keyed like English (onionshare, uBlock messages.json, rspamd)
for path in glob.glob(X + '/**/*.json', recursive=True):
    lang = lang_of(path)
    if lang not in WEAK: continue
    d = os.path.dirname(path)
    cands = [path.replace(f'/{lang}/', '/en/'), os.path.join(d, 'en.json'), os.path.join(os.path.dirname(d), 'en', os.path.basename(path))]
    enp = next((c for c in cands if c != path and os.path.exists(c)), None)
    if not enp: print('no english for', path, file=sys.stderr); continue
    try: E = json.load(open(enp)); T = json.load(open(path))
    except Exception as e: print('bad json', path, e, file=sys.stderr); continue
    if not isinstance(E, dict) or not isinstance(T, dict): continue
    for k, v in T.items():
        e = E.get(k)
        if isinstance(v, dict): v = v.get('message'); e = e.get('message') if isinstance(e, dict) else None
        if isinstance(v, str) and isinstance(e, str): emit('json-l10n', lang, pkg_of(path), e, v)
# 4. AbiWord .strings (XML attributes keyed by id); English is built into the binary, so en-GB stands in
AB = X + '/abiword-common/usr/share/abiword-3.0/strings/'
def attrs(f):
    d = {}
    for el in ET.parse(AB + f).getroot().iter(): d.update(el.attrib)
    return d
if os.path.isdir(AB):
    ens = [attrs(f'en-{v}.strings') for v in ('GB', 'CA', 'AU', 'IE')]
    everyone = {f[:-8]: attrs(f) for f in os.listdir(AB) if f.endswith('.strings')}
    # A translator's copy of another language's string (French in wo-SN, Spanish in quz) is not the language.
    def foreign(loc):
        return [d for l, d in everyone.items() if l.split('-')[0][:2] != loc.split('-')[0][:2]]
    for fname, lang, src in (('wo-SN', 'wo', 'abiword'), ('quz', 'qu', 'abiword-quz'), ('quh-BO', 'qu', 'abiword-quh'), ('qul-BO', 'qu', 'abiword-qul')):
        tr = attrs(fname + '.strings')
        for k, v in tr.items():
            if k in ('class', 'ver', 'language') or k not in ens[0]: continue
            if any(v.strip() == e.get(k, '').strip() for e in ens + foreign(fname)): continue
            emit(src, lang, 'abiword-common', ens[0][k], v)
# 5. Mallard/DocBook help pages: /usr/share/help/<lang>/<doc>/*.page aligned with C/
BLOCKS = ('title', 'desc', 'p', 'td', 'th', 'item', 'cite', 'code')
def leaves(path):
    root = ET.parse(path).getroot(); res = []
    def walk(el):
        tag = el.tag.split('}')[-1]
        if tag in ('title', 'desc', 'p'):
            res.append(' '.join(''.join(el.itertext()).split())); return
        for c in el: walk(c)
    walk(root); return res
misaligned = {}
for path in glob.glob(X + '/*/usr/share/help/*/*/*.page'):
    parts = path.split('/'); lang = parts[-3]
    if lang not in WEAK: continue
    cpath = '/'.join(parts[:-3] + ['C'] + parts[-2:])
    if not os.path.exists(cpath): continue
    try: a, b = leaves(cpath), leaves(path)
    except ET.ParseError: continue
    if len(a) != len(b): misaligned[lang] = misaligned.get(lang, 0) + 1; continue
    for e, t in zip(a, b): emit('help-pages', lang, pkg_of(path), e, t)
print('help pages misaligned', misaligned, file=sys.stderr)
os.makedirs('/tmp/survey/raw2', exist_ok=True)
for (src, lang), recs in sorted(out.items()):
    with open(f'/tmp/survey/raw2/{src}.{lang}.jsonl', 'w') as fh:
        for r in recs: fh.write(json.dumps(r, ensure_ascii=False) + '\n')
    print(src, lang, len(recs), 'raw from', len({r['pkg'] for r in recs}), 'pkgs', file=sys.stderr)
