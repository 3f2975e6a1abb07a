// Search quality and latency of GET /api/v1/services?q=… over the project's
// question set, against a running server.
//
//   node bench/services.mjs BASE_URL [--rounds 3] [--pg-label name]
//
// Every question of the sets below (tests/services/) is asked ROUNDS times, one
// at a time over one keep-alive connection. hit@1 / hit@3: the expected guide
// is first / among the first three (the first round; later rounds must answer
// the same). Latency: wall time from sending the request to the end of the
// body, over all rounds (p50, p99, max). The unanswerable questions
// (tests/services/unanswerable.tsv) count how often 转人工咨询 is offered,
// and answerable_offered_consultation how often it is offered for a real question.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

const [base, ...rest] = process.argv.slice(2);
if (!base) {
  console.error('usage: node bench/services.mjs BASE_URL [--rounds N]');
  process.exit(2);
}
const rounds = Number(rest[rest.indexOf('--rounds') + 1] || 3) || 3;
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const rows = (name) => fs.readFileSync(path.join(root, 'tests/services', name), 'utf8')
  .split('\n').slice(1).filter(Boolean).map((l) => l.split('\t'));
// questions.tsv: the set the engine was tuned on; heldout.tsv to heldout5.tsv:
// each written before a tuning round and tuned on in the next; heldout6.tsv:
// written from the guides alone, never tuned on.
const SETS = ['questions.tsv', 'heldout.tsv', 'heldout2.tsv', 'heldout3.tsv', 'heldout4.tsv', 'heldout5.tsv', 'heldout6.tsv'];
const setOf = (name) => rows(name).map(([q, expected]) => ({ q, expected: expected.split(',') }));
const unanswerable = rows('unanswerable.tsv').map(([q]) => q);
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function ask(q) {
  const url = new URL('/api/v1/services', base);
  url.searchParams.set('q', q);
  url.searchParams.set('limit', '3');
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    http.get(url, { agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { body += c; });
      res.on('end', () => {
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        if (res.statusCode !== 200) return reject(new Error(`${res.statusCode} for ${q}: ${body.slice(0, 200)}`));
        resolve({ ms, json: JSON.parse(body) });
      });
    }).on('error', reject);
  });
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const times = [];
let unstable = 0, doubted = 0;
const sets = {};
for (const name of SETS) {
  const questions = setOf(name);
  let hit1 = 0, hit3 = 0;
  const first = new Map();
  for (let r = 0; r < rounds; r++) {
    for (const { q, expected } of questions) {
      const { ms, json } = await ask(q);
      times.push(ms);
      const ids = json.items.map((i) => i.id).join(',');
      if (r === 0) {
        first.set(q, ids);
        hit1 += expected.includes(json.items[0]?.id) ? 1 : 0;
        hit3 += json.items.some((i) => expected.includes(i.id)) ? 1 : 0;
        doubted += json.suggest_consultation ? 1 : 0;
      } else if (first.get(q) !== ids) {
        unstable++;
      }
    }
  }
  const n = questions.length;
  sets[name] = { questions: n, hit_at_1: +(hit1 / n).toFixed(3), hit_at_3: +(hit3 / n).toFixed(3), hits: { at1: hit1, at3: hit3 } };
}
let offered = 0;
for (const q of unanswerable) offered += (await ask(q)).json.suggest_consultation ? 1 : 0;
times.sort((a, b) => a - b);
console.log(JSON.stringify({
  rounds, sets, unstable_answers: unstable, answerable_offered_consultation: doubted,
  unanswerable: unanswerable.length, consultation_offered: offered,
  latency_ms: { p50: +pct(times, 50).toFixed(2), p99: +pct(times, 99).toFixed(2), max: +times.at(-1).toFixed(2) },
}));
agent.destroy();
