# Survey extractor: debconf templates -> raw pairs (en, text, lang, source, pkg) JSONL per language.
import json, os, re, sys, glob
WEAK = set(sys.argv[2].split(','))
out = {}
def paragraphs(lines):
    paras, cur = [], []
    for l in lines:
        if l.strip() == '.':
            if cur: paras.append(' '.join(cur)); cur = []
        else: cur.append(l.strip())
    if cur: paras.append(' '.join(cur))
    return paras
def split_choices(s):
    return [c.replace('\\,', ',').strip() for c in re.split(r'(?<!\\),\s*', s)]
def parse(text):
    for block in re.split(r'\n\s*\n', text):
        fields = {}; key = None
        for line in block.split('\n'):
            if line.startswith((' ', '\t')) and key: fields[key].append(line[1:])
            else:
                m = re.match(r'^([^:\s]+):\s?(.*)$', line)
                if not m: key = None; continue
                key = m.group(1); fields[key] = [m.group(2)]
        yield fields
for path in sorted(glob.glob(sys.argv[1] + '/*.templates')):
    pkg = os.path.basename(path).split('_')[0]
    for f in parse(open(path, encoding='utf-8', errors='replace').read()):
        if 'Description' not in f: continue
        en = f['Description']
        for k, v in f.items():
            m = re.match(r'^(Description|Choices)-([A-Za-z]+)(?:_[A-Z]+)?(?:\.UTF-8)?$', k)
            if not m or m.group(2) not in WEAK: continue
            lang = m.group(2); pairs = []
            if m.group(1) == 'Description':
                pairs.append((en[0], v[0]))
                pe, pt = paragraphs(en[1:]), paragraphs(v[1:])
                if len(pe) == len(pt): pairs += list(zip(pe, pt))
                elif pe and pt: pairs.append((' '.join(pe), ' '.join(pt)))
            else:
                ce, ct = split_choices(f.get('Choices', [''])[0]), split_choices(v[0])
                if len(ce) == len(ct) and '${' not in f.get('Choices', [''])[0]: pairs += list(zip(ce, ct))
            for e, t in pairs:
                out.setdefault(lang, []).append({'en': e, 'text': t, 'lang': lang, 'source': sys.argv[3], 'pkg': pkg})
for lang, recs in out.items():
    with open(f'/tmp/survey/raw/{sys.argv[3]}.{lang}.jsonl', 'w') as fh:
        for r in recs: fh.write(json.dumps(r, ensure_ascii=False) + '\n')
    print(sys.argv[3], lang, len(recs), 'raw pairs from', len({r['pkg'] for r in recs}), 'packages')
