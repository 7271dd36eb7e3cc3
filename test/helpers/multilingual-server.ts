/**
 * A real `tafuta serve` (see cli-server.ts) on a fresh data directory, with an admin key, holding the collection
 * "haki": two short documents each in Swahili, Hausa, Amharic and English (the right to education, the right to
 * life) and one each in Tibetan and Lao. For the browser tests and the clients' tests.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startCliServer, type CliServer } from './cli-server.js';

export const ADMIN_KEY = 'test-admin-key-3f9c';
export const COLLECTION = 'haki';

export const DOCUMENTS = [
  { id: 'sw-elimu', lang: 'sw', title: 'Haki ya elimu', text: 'Kila mtu ana haki ya kupata elimu. Elimu itakuwa bure, angalau katika ngazi za mwanzo na za msingi.' },
  { id: 'sw-kuishi', lang: 'sw', title: 'Haki ya kuishi', text: 'Kila mtu ana haki ya kuishi, uhuru na usalama wa nafsi yake.' },
  { id: 'ha-ilimi', lang: 'ha', title: "'Yancin ilimi", text: "Kowane mutum yana da 'yancin samun ilimi. Ilimi zai zama kyauta, akalla a matakin farko." },
  { id: 'ha-rayuwa', lang: 'ha', title: "'Yancin rayuwa", text: "Kowane mutum yana da 'yancin rayuwa, 'yanci da tsaron lafiyarsa." },
  { id: 'am-timhirt', lang: 'am', title: 'የትምህርት መብት', text: 'ማንኛውም ሰው የመማር መብት አለው። ትምህርት ቢያንስ በመጀመሪያ ደረጃ በነፃ መሰጠት አለበት።' },
  { id: 'am-hiywet', lang: 'am', title: 'በሕይወት የመኖር መብት', text: 'ማንኛውም ሰው በሕይወት የመኖር፣ የነፃነትና የደኅንነት መብት አለው።' },
  { id: 'en-education', lang: 'en', title: 'Right to education', text: 'Everyone has the right to education. Education shall be free, at least in the elementary and fundamental stages.' },
  { id: 'en-life', lang: 'en', title: 'Right to life', text: 'Everyone has the right to life, liberty and security of person.' },
  { id: 'bo-education', lang: 'bo', title: 'ཤེས་ཡོན་གྱི་ཐོབ་ཐང་།', text: 'མི་ཚང་མར་ཤེས་ཡོན་གྱི་ཐོབ་ཐང་ཡོད། ཤེས་ཡོན་ནི་རིན་མེད་ཡིན་དགོས།' },
  { id: 'lo-education', lang: 'lo', title: 'ສິດທິໃນການສຶກສາ', text: 'ທຸກຄົນມີສິດໄດ້ຮັບການສຶກສາ. ການສຶກສາຕ້ອງບໍ່ເສຍຄ່າ.' },
];

export interface MultilingualServer {
  server: CliServer;
  url: string;
  dataDir: string;
  /** A call to the API with the admin key; throws on a non-2xx answer. */
  api<T = unknown>(method: string, apiPath: string, body?: unknown): Promise<T>;
  stop(): Promise<void>;
}

export async function startMultilingualServer(): Promise<MultilingualServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tafuta-multilingual-'));
  const server = await startCliServer(dataDir, { env: { TAFUTA_ADMIN_KEY: ADMIN_KEY } });
  const api = async <T>(method: string, apiPath: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${server.url}${apiPath}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const payload = (await response.json()) as T;
    if (!response.ok) throw new Error(`${method} ${apiPath}: ${response.status} ${JSON.stringify(payload)}`);
    return payload;
  };
  try {
    await api('POST', '/v1/collections', { name: COLLECTION });
    await api('POST', `/v1/collections/${COLLECTION}/documents`, { documents: DOCUMENTS });
  } catch (error) {
    server.child.kill('SIGKILL');
    throw error;
  }
  return {
    server,
    url: server.url,
    dataDir,
    api,
    async stop() {
      server.child.kill('SIGTERM');
      await server.exited;
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
