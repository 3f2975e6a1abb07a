// Services (一网通办): finding a guide from a resident's own words (no sign-in), highlighted
// passages that are safe to put into a page, bad questions, the printable PDF, editing a guide
// (versions, conflicts, audit, the search index follows), the doorstep lists by scope, and
// 转人工咨询 turning a question into a consultation case (S10).
//
// What the demo gives us: the 195 guides shipped in src/services/guides/*.json (codes are looked
// up by name from GET /api/v1/services, never written here); 江苏路 (310105002) with 14
// neighborhoods 310105002001…, 华阳路 (310105001) without neighborhoods at the small scale; the
// accounts admin (district_admin: service.admin), jiangsu / huayang (subdistrict_admin:
// service.doorstep), jiangsu-worker (neighborhood_worker of 310105002001: service.doorstep),
// jiangsu-grid (grid_worker), jiangsu-dispatcher and jiangsu-resident (of 310105002001).
import { describe, it, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, recoverServer, stopOrDrop, api, loginAll, assertProblem, assertField as assertFieldIn, listAll,
} from './harness.mjs';

const ACCOUNTS = ['admin', 'jiangsu', 'huayang', 'jiangsu-worker', 'jiangsu-grid', 'jiangsu-dispatcher', 'jiangsu-resident'];
const NB = '310105002001'; // jiangsu-worker's and jiangsu-resident's neighborhood
const NB2 = '310105002002'; // another neighborhood of 江苏路
const HUAYANG_NB = '310105001001'; // a 华阳路 neighborhood code: outside 江苏路
const CJK = /[\u3400-\u9fff]/;

let srv;
const S = {};
const byName = new Map(); // guide name -> code

before(async () => {
  srv = await startServer();
  await loginAll(srv.base, S, ACCOUNTS);
  const res = await api(srv.base, '/api/v1/services');
  assert.equal(res.status, 200, `GET /services -> ${res.status} ${res.text.slice(0, 300)}`);
  for (const g of res.json.items) byName.set(g.name, g.id);
});

beforeEach(async () => {
  srv = await recoverServer(srv, S, ACCOUNTS);
});

after(async () => {
  await stopOrDrop(srv);
});

// ---------------------------------------------------------------------------
// helpers

/** The code of the guide with this exact name (from the anonymous list). */
function code(name) {
  const c = byName.get(name);
  assert.ok(c, `GET /api/v1/services lists a guide named ${name}`);
  return c;
}

const call = (who, path, opts = {}) => api(srv.base, path, { token: who ? S[who].token : undefined, ...opts });

/** GET /api/v1/services?q=…[&limit=…] without signing in; returns the raw response. */
function ask(q, limit) {
  let path = `/api/v1/services?q=${encodeURIComponent(q)}`;
  if (limit !== undefined) path += `&limit=${encodeURIComponent(limit)}`;
  return api(srv.base, path);
}

/** ask() and assert a 200 ranked answer; returns the body. */
async function search(q, limit) {
  const res = await ask(q, limit);
  assert.equal(res.status, 200, `search ${JSON.stringify(q)} -> ${res.status} ${res.text.slice(0, 300)}`);
  const b = res.json;
  assert.ok(b && Array.isArray(b.items), `items is an array: ${res.text.slice(0, 300)}`);
  assert.equal(typeof b.suggest_consultation, 'boolean', `suggest_consultation: ${res.text.slice(0, 300)}`);
  assert.ok(Array.isArray(b.terms), `terms is an array: ${res.text.slice(0, 300)}`);
  for (const it of b.items) {
    for (const k of ['id', 'name', 'category', 'highlight']) assert.equal(typeof it[k], 'string', `item.${k}: ${JSON.stringify(it)}`);
    assert.equal(typeof it.score, 'number', `item.score: ${JSON.stringify(it)}`);
    assert.ok('summary' in it, `item.summary: ${JSON.stringify(it)}`);
  }
  for (let i = 1; i < b.items.length; i += 1) {
    assert.ok(b.items[i - 1].score >= b.items[i].score, `best first: ${b.items.map((x) => x.score)}`);
  }
  return b;
}

const show = (b) => b.items.map((x) => `${x.id} ${x.name} (${x.score})`).join('; ');

/** Assert the guide `name` is among the first `n` results of question `q`; returns the body. */
async function assertInTop(q, name, n = 3) {
  const b = await search(q);
  const want = code(name);
  const rank = b.items.findIndex((x) => x.id === want);
  assert.ok(rank >= 0 && rank < n, `${JSON.stringify(q)}: ${want} ${name} in the top ${n}; got: ${show(b)}`);
  return b;
}

/** The highlight is HTML whose only tags are <mark> and </mark>: everything else escaped. */
function assertSafeHighlight(h, what) {
  assert.ok(!/<script/i.test(h), `${what}: no raw <script in ${h}`);
  assert.ok(!/<[^>]*\bonerror/i.test(h), `${what}: no onerror attribute in ${h}`);
  const rest = h.replace(/<\/?mark>/g, '');
  assert.ok(!rest.includes('<'), `${what}: only <mark> tags, everything else escaped: ${h}`);
  assert.ok(!rest.includes('>'), `${what}: no stray '>' either: ${h}`);
}

/** Asserts a 422 naming `field` among its errors, with messages in both languages. */
const assertField = (res, field, what) => assertFieldIn(res, field, what, { english: true });

async function guide(c) {
  const res = await api(srv.base, `/api/v1/services/${c}`);
  assert.equal(res.status, 200, `GET /services/${c} -> ${res.status} ${res.text.slice(0, 300)}`);
  return res.json;
}

async function versions(c) {
  const res = await call('admin', `/api/v1/services/${c}/versions`);
  assert.equal(res.status, 200, `GET /services/${c}/versions -> ${res.status} ${res.text.slice(0, 300)}`);
  assert.ok(Array.isArray(res.json.items), `versions items: ${res.text.slice(0, 300)}`);
  return res.json.items;
}

/** Audit rows (as admin, district-wide) with the given filters, newest first. */
async function auditRows(filters) {
  const qs = new URLSearchParams({ ...filters, page_size: '200' }).toString();
  const res = await call('admin', `/api/v1/audit?${qs}`);
  assert.equal(res.status, 200, `GET /audit?${qs} -> ${res.status} ${res.text.slice(0, 300)}`);
  return res.json.items;
}

const patch = (who, c, body) => call(who, `/api/v1/services/${c}`, { method: 'PATCH', body });

// ---------------------------------------------------------------------------

describe('search in the resident\'s own words (no sign-in)', () => {
  it('the list is public, has the 13 categories and filters by category', async () => {
    const res = await api(srv.base, '/api/v1/services');
    assert.equal(res.status, 200, res.text.slice(0, 300));
    assert.ok(res.json.items.length >= 100, `many guides: ${res.json.items.length}`);
    assert.ok(Array.isArray(res.json.categories) && res.json.categories.length >= 10, `categories: ${JSON.stringify(res.json.categories)}`);
    const sum = res.json.categories.reduce((s, c) => s + c.count, 0);
    assert.equal(sum, res.json.items.length, 'the category counts add up to the guides');
    const cat = res.json.categories.find((c) => c.name === '养老');
    assert.ok(cat, `a 养老 category: ${JSON.stringify(res.json.categories)}`);
    const only = await api(srv.base, `/api/v1/services?category=${encodeURIComponent('养老')}`);
    assert.equal(only.status, 200, only.text.slice(0, 300));
    assert.equal(only.json.items.length, cat.count, '?category= lists that category\'s guides');
    assert.ok(only.json.items.every((g) => g.category === '养老'), 'only 养老 guides');
  });

  const EXAMPLES = [
    ['楼里想装电梯政府能补多少', '既有多层住宅加装电梯申请及补贴'],
    ['孩子明年上小学要去哪里登记', '适龄儿童小学入学登记'],
    ['给独居的爸爸装个烟感报警器找谁', '独居老人居家安全设施安装申请'],
    ['办结婚证要带什么', '结婚登记'],
  ];
  for (const [q, name] of EXAMPLES) {
    it(`「${q}」 → ${name} in the top 3, highlighted, no consultation offered`, async () => {
      const b = await assertInTop(q, name);
      assert.equal(b.suggest_consultation, false, `a confident answer: ${show(b)}`);
      const hit = b.items.find((x) => x.id === code(name));
      assert.match(hit.highlight, /<mark>[^<]+<\/mark>/, `highlight marks a word: ${hit.highlight}`);
      for (const it of b.items) assertSafeHighlight(it.highlight, q);
    });
  }

  it('traditional input gives the same top result as simplified (長護險怎麼申請 / 长护险怎么申请)', async () => {
    const simplified = await search('长护险怎么申请');
    const traditional = await search('長護險怎麼申請');
    assert.ok(simplified.items.length > 0, 'the simplified question finds something');
    assert.match(simplified.items[0].name, /长期护理保险/, `长护险 means 长期护理保险: ${show(simplified)}`);
    assert.equal(traditional.items[0]?.id, simplified.items[0].id,
      `same top result: traditional ${show(traditional)} / simplified ${show(simplified)}`);
    assert.deepEqual(traditional.items.map((x) => x.id), simplified.items.map((x) => x.id), 'the same ranking');
  });

  it('full-width input is folded (ＳＯＳ社保卡 answers like SOS社保卡)', async () => {
    const full = await search('ＳＯＳ社保卡');
    const half = await search('SOS社保卡');
    assert.ok(full.terms.some((t) => t.toLowerCase() === 'sos'), `ＳＯＳ became sos: ${JSON.stringify(full.terms)}`);
    assert.deepEqual(full.items.map((x) => x.id), half.items.map((x) => x.id), 'same results as half-width');
    assert.ok(full.items.slice(0, 3).some((x) => x.id === code('社会保障卡申领')), `社会保障卡申领 in the top 3: ${show(full)}`);
  });

  it('one wrong character still finds the guide (敬老咔怎么办, 底保怎么申请)', async () => {
    await assertInTop('敬老咔怎么办', '上海市敬老卡申领');
    await assertInTop('底保怎么申请', '最低生活保障申请');
  });

  it('an off-topic question offers a consultation; an on-topic one does not', async () => {
    const off = await search('今天天气怎么样');
    assert.equal(off.suggest_consultation, true, `今天天气怎么样 suggests a consultation: ${show(off)}`);
    const on = await search('社保卡丢了怎么补');
    assert.equal(on.suggest_consultation, false, `社保卡丢了怎么补 is confident: ${show(on)}`);
  });

  it('the highlight escapes everything but <mark>, whatever the question', async () => {
    for (const q of ['<script>alert(1)</script>社保卡', '<img src=x onerror=alert(1)>社保卡',
      '"><svg onload=alert(1)>社保卡', '社保卡</mark><script>x</script>']) {
      const b = await search(q);
      assert.ok(b.items.length > 0, `${q}: still finds the 社保卡 guides`);
      assert.ok(b.items.some((x) => x.highlight.includes('<mark>')), `${q}: some highlight has <mark>: ${b.items.map((x) => x.highlight)}`);
      for (const it of b.items) assertSafeHighlight(it.highlight, q);
      for (const t of b.terms) assert.ok(!/[<>"]/.test(t), `${q}: terms hold no markup: ${JSON.stringify(b.terms)}`);
    }
  });

  it('a valid limit is honoured; invalid limits are tolerated and give the default', async () => {
    const q = '社保';
    const dflt = await search(q);
    assert.ok(dflt.items.length > 3, `more than 3 guides for ${q}: ${dflt.items.length}`);
    const three = await search(q, '3');
    assert.deepEqual(three.items.map((x) => x.id), dflt.items.slice(0, 3).map((x) => x.id), 'limit=3 gives the first 3');
    for (const bad of ['abc', '-1', '1.5', '', '999', '1e2', ' 5']) {
      const b = await search(q, bad);
      assert.deepEqual(b.items.map((x) => x.id), dflt.items.map((x) => x.id), `limit=${JSON.stringify(bad)} gives the default`);
    }
    const zero = await search(q, '0');
    assert.ok(zero.items.length >= 1 && zero.items.length <= dflt.items.length, `limit=0 tolerated: ${zero.items.length}`);
  });
});

describe('bad questions', () => {
  it('empty, blank and punctuation-only questions → 422 on q in both languages', async () => {
    for (const q of ['', '   ', '？！。，、……', '!!!...???', '　　']) {
      assertField(await ask(q), 'q', `q=${JSON.stringify(q)}`);
    }
  });

  it('a 2,000-character question → 422 on q; 200 characters are fine, 201 are not', async () => {
    assertField(await ask(`社保卡${'a'.repeat(1997)}`), 'q', '2,000-character q');
    assertField(await ask('问'.repeat(2000).slice(0, 201)), 'q', '201-character q');
    await search(`社保卡${'补'.repeat(197)}`);
    // 2,000 CJK characters percent-encode to 18 KB: refused before the route, but as a problem
    const huge = await ask('社'.repeat(2000));
    assert.ok([414, 422, 431].includes(huge.status), `2,000 CJK characters refused: ${huge.status}`);
    assertProblem(huge, huge.status, null, '2,000 CJK characters');
  });

  it('invalid UTF-8 in q → 422, not a crash', async () => {
    const res = await api(srv.base, '/api/v1/services?q=%E7%A4%BE%FF%FE');
    assertField(res, 'q', 'q with invalid UTF-8');
  });
});

describe('printable guide', () => {
  it('GET /services/{code}/pdf → 200 application/pdf starting with %PDF, public', async () => {
    const c = code('既有多层住宅加装电梯申请及补贴');
    const res = await api(srv.base, `/api/v1/services/${c}/pdf`, { headers: { accept: 'application/pdf' } });
    assert.equal(res.status, 200, `${res.status} ${res.text.slice(0, 300)}`);
    assert.match(res.headers['content-type'] || '', /^application\/pdf\b/);
    assert.equal(res.body.subarray(0, 5).toString('latin1'), '%PDF-');
    assert.ok(res.body.length > 2000, `a real document: ${res.body.length} bytes`);
    assert.match(res.body.subarray(-32).toString('latin1'), /%%EOF\s*$/, 'a complete PDF');
    assert.match(res.headers['content-disposition'] || '', new RegExp(`${c}\\.pdf`), 'named after the guide');
  });

  it('an unknown code → 404 problem+json', async () => {
    assertProblem(await api(srv.base, '/api/v1/services/NOPE999/pdf'), 404, 'not-found', 'pdf of NOPE999');
    assertProblem(await api(srv.base, '/api/v1/services/NOPE999'), 404, 'not-found', 'GET NOPE999');
  });
});

describe('editing a guide (service.admin)', () => {
  const FEE_WORD = '琥珀'; // in no shipped guide
  const NEW_FEE = `工本费示例：${FEE_WORD}纸每份五元`;
  let c;
  let v0;
  let patchRes;

  before(async () => {
    c = code('中小学毕业证明补办');
    v0 = (await guide(c)).version;
  });

  it('admin changes fee at the right version → 200, version+1, GET shows it, 2 versions, audited', async () => {
    const before = await search(FEE_WORD);
    assert.ok(!before.items.some((x) => x.id === c), `${FEE_WORD} does not find ${c} yet: ${show(before)}`);
    assert.equal((await versions(c)).length, 1, 'one version before');

    patchRes = await patch('admin', c, { version: v0, fee: NEW_FEE });
    assert.equal(patchRes.status, 200, `PATCH -> ${patchRes.status} ${patchRes.text.slice(0, 400)}`);
    assert.equal(patchRes.json.version, v0 + 1, 'version raised by one');
    assert.equal(patchRes.json.fee, NEW_FEE);

    const now = await guide(c);
    assert.equal(now.version, v0 + 1);
    assert.equal(now.fee, NEW_FEE, 'GET shows the new fee');
    assert.equal(now.name, '中小学毕业证明补办', 'other fields stay');

    const vs = await versions(c);
    assert.equal(vs.length, 2, `two versions: ${JSON.stringify(vs)}`);
    assert.deepEqual(vs.map((x) => x.version).sort((a, b) => a - b), [v0, v0 + 1]);
    assert.equal(vs.find((x) => x.version === v0 + 1).changed_by, 'admin');

    const rows = await auditRows({ action: 'service.update', object: `service:${c}` });
    assert.equal(rows.length, 1, `one service.update row for ${c}: ${JSON.stringify(rows)}`);
    assert.equal(rows[0].account, 'admin');
    assert.equal(rows[0].request_id, patchRes.headers['x-request-id'], 'the row carries the request id');
    assert.ok(rows[0].details && rows[0].details.fields && rows[0].details.fields.fee, `details name fee: ${JSON.stringify(rows[0].details)}`);
  });

  it('a stale version → 409 and nothing changes', async () => {
    const res = await patch('admin', c, { version: v0, fee: '不该写进去的收费' });
    assertProblem(res, 409, 'conflict', 'PATCH with a stale version');
    const now = await guide(c);
    assert.equal(now.version, v0 + 1, 'version unchanged');
    assert.equal(now.fee, NEW_FEE, 'fee unchanged');
    assert.equal((await versions(c)).length, 2, 'no new version');
    assert.equal((await auditRows({ action: 'service.update', object: `service:${c}` })).length, 1, 'no new audit row');
  });

  it('refusals: jiangsu → 403, anonymous → 401, unknown key → 400, wrong types → 422; nothing changes', async () => {
    const v = v0 + 1;
    const days = (await guide(c)).time_limit_days;
    assert.equal(typeof days, 'number', `time_limit_days is a number: ${days}`);
    assertProblem(await patch('jiangsu', c, { version: v, fee: 'x' }), 403, 'forbidden', 'PATCH as jiangsu');
    assertProblem(await patch(null, c, { version: v, fee: 'x' }), 401, 'unauthenticated', 'PATCH anonymous');
    assertProblem(await patch('admin', c, { version: v, colour: 'red' }), 400, 'bad-request', 'PATCH unknown key');
    assertProblem(await patch('admin', c, { version: v, name: '改名' }), 400, 'bad-request', 'PATCH name (not editable)');
    assertField(await patch('admin', c, { version: v, time_limit_days: 'abc' }), 'time_limit_days', 'time_limit_days "abc"');
    assertField(await patch('admin', c, { version: v, time_limit_days: -1 }), 'time_limit_days', 'time_limit_days -1');
    assertField(await patch('admin', c, { version: v, online: 'yes' }), 'online', 'online "yes"');
    assertField(await patch('admin', c, { version: v, materials: 'one string' }), 'materials', 'materials not a list');
    assertField(await patch('admin', c, { version: v, situations: ['一种情形', 7] }), 'situations', 'situations not all text');
    assertField(await patch('admin', c, { version: v, situations: ['一种情形', ''] }), 'situations', 'an empty situation');
    assertField(await patch('admin', c, { version: v, situations: Array.from({ length: 101 }, (_, i) => `情形${i}`) }),
      'situations', '101 situations');
    assertField(await patch('admin', c, { version: v, steps: ['步'.repeat(501)] }), 'steps', 'a step of 501 characters');
    const field = { key: 'reason', label: '原因', label_en: 'Reason', type: 'text', required: true }
    const badForms = [
      ['form', 'not a list', {}],
      ['form[0].key', 'no key', [{ ...field, key: undefined }]],
      ['form[1].key', 'a repeated key', [field, field]],
      ['form[0].key', 'a key with capitals', [{ ...field, key: 'Reason' }]],
      ['form[0].label', 'an empty label', [{ ...field, label: '' }]],
      ['form[0].label_en', 'label_en not text', [{ ...field, label_en: 7 }]],
      ['form[0].type', 'an unknown type', [{ ...field, type: 'file' }]],
      ['form[0].required', 'required not a boolean', [{ ...field, required: 'yes' }]],
      ['form[0].options', 'a select without options', [{ ...field, type: 'select', options: [] }]],
    ]
    for (const [name, what, form] of badForms) assertField(await patch('admin', c, { version: v, form }), name, `form with ${what}`)
    assertField(await patch('admin', c, { fee: 'x' }), 'version', 'no version');
    assertProblem(await patch('admin', 'NOPE999', { version: 1, fee: 'x' }), 404, 'not-found', 'PATCH NOPE999');
    const now = await guide(c);
    assert.equal(now.version, v);
    assert.equal(now.fee, NEW_FEE);
    assert.equal(now.time_limit_days, days, 'time_limit_days unchanged');
    assert.ok(Array.isArray(now.materials), 'materials still a list');
    assert.equal(typeof now.online, 'boolean', 'online still a boolean');
    assert.ok(!('colour' in now), 'no unknown key stored');
    assert.ok((now.form || []).every((f) => f.key !== 'reason'), 'no refused form stored');
    assert.equal((await versions(c)).length, 2, 'no new version');
    assert.equal((await auditRows({ action: 'service.update', object: `service:${c}` })).length, 1, 'no new audit row');
  });

  it('versions need service.admin', async () => {
    assertProblem(await call('jiangsu', `/api/v1/services/${c}/versions`), 403, 'forbidden', 'versions as jiangsu');
    assertProblem(await call(null, `/api/v1/services/${c}/versions`), 401, 'unauthenticated', 'versions anonymous');
  });

  it('the search index follows an edit: a word only in the new fee now finds the guide',
    async () => {
      const b = await search(FEE_WORD);
      assert.ok(b.items.some((x) => x.id === c), `${FEE_WORD} finds ${c} after the edit: ${show(b)}`);
    });

  it('the search index follows an edit: a word added to the summary finds the guide, highlighted and escaped', async () => {
    const target = code('普法讲座预约');
    const WORD = '玳瑁'; // in no shipped guide
    const none = await search(WORD);
    assert.ok(!none.items.some((x) => x.id === target), `${WORD} does not find ${target} yet: ${show(none)}`);
    const g = await guide(target);
    const summary = `${g.summary}（${WORD}活动室 <img src=x onerror=alert(1)> & <script>alert(1)</script>）`;
    const res = await patch('admin', target, { version: g.version, summary });
    assert.equal(res.status, 200, `PATCH summary -> ${res.status} ${res.text.slice(0, 300)}`);
    const b = await search(WORD);
    assert.equal(b.items[0]?.id, target, `${WORD} now finds ${target} first: ${show(b)}`);
    const h = b.items[0].highlight;
    assert.ok(h.includes(`<mark>${WORD}</mark>`), `the new word is marked: ${h}`);
    assertSafeHighlight(h, 'edited summary');
    assert.ok(h.includes('&lt;script&gt;') || h.includes('&lt;img'), `the markup shows as text: ${h}`);
    // the guide's other words still find it (the edit did not drop it from the index)
    await assertInTop('普法讲座', '普法讲座预约');
  });

  it('a situation added in residents\' words finds the guide, and that situation is the passage shown', async () => {
    const target = code('法律援助申请');
    const SITUATION = '外婆的翡翠镯子被珊瑚店老板扣下不还'; // 翡翠, 珊瑚: in no shipped guide
    const none = await search('翡翠镯子被扣');
    assert.ok(!none.items.some((x) => x.id === target), `not found before the edit: ${show(none)}`);
    const g = await guide(target);
    assert.ok(Array.isArray(g.situations) && g.situations.length >= 8, `shipped situations: ${JSON.stringify(g.situations)}`);
    const res = await patch('admin', target, { version: g.version, situations: [...g.situations, SITUATION] });
    assert.equal(res.status, 200, `PATCH situations -> ${res.status} ${res.text.slice(0, 300)}`);
    assert.equal(res.json.situations.at(-1), SITUATION);
    const b = await search('翡翠镯子被扣');
    assert.equal(b.items[0]?.id, target, `the situation finds ${target} first: ${show(b)}`);
    assert.ok(b.items[0].highlight.includes('<mark>翡翠</mark>'), `the situation is the passage shown: ${b.items[0].highlight}`);
  });
});

describe('doorstep lists (service.doorstep, by scope)', () => {
  const list = async (area) => {
    const res = await api(srv.base, `/api/v1/doorstep-services/${area}`);
    assert.equal(res.status, 200, `GET doorstep ${area} -> ${res.status} ${res.text.slice(0, 300)}`);
    assert.equal(res.json.area_code, area);
    return res.json.items.map((x) => x.id);
  };
  const mark = (who, area, c, method = 'PUT') => call(who, `/api/v1/doorstep-services/${area}/${c}`, { method });
  const doorstepRows = async () => [
    ...(await auditRows({ action: 'service.doorstep_add' })),
    ...(await auditRows({ action: 'service.doorstep_remove' })),
  ];

  it('jiangsu and jiangsu-worker mark, the public list reflects PUT and DELETE, each change audited', async () => {
    // The demo gives every neighborhood the guides marked "doorstep"; these two are not.
    const start = await list(NB);
    assert.ok(start.includes(code('上海市敬老卡申领')), `the demo list has the doorstep guides: ${start}`);
    const card = code('婚姻登记档案查询');
    const sb = code('社会组织成立登记');
    assert.ok(!start.includes(card) && !start.includes(sb), `not marked yet: ${start}`);

    const r1 = await mark('jiangsu', NB, card);
    assert.equal(r1.status, 200, `PUT as jiangsu -> ${r1.status} ${r1.text.slice(0, 300)}`);
    assert.ok((await list(NB)).includes(card), 'the list has the guide jiangsu marked');
    const r2 = await mark('jiangsu-worker', NB, sb);
    assert.equal(r2.status, 200, `PUT as jiangsu-worker -> ${r2.status} ${r2.text.slice(0, 300)}`);
    assert.deepEqual((await list(NB)).filter((x) => x === card || x === sb).sort(), [card, sb].sort());

    const r3 = await mark('jiangsu-worker', NB, card, 'DELETE');
    assert.equal(r3.status, 200, `DELETE as jiangsu-worker -> ${r3.status} ${r3.text.slice(0, 300)}`);
    const after = await list(NB);
    assert.ok(!after.includes(card), `DELETE removed it: ${after}`);
    assert.ok(after.includes(sb), `the other stays: ${after}`);
    assert.ok(!(await list(NB2)).includes(sb), 'other neighborhoods are untouched');

    const adds = await auditRows({ action: 'service.doorstep_add' });
    const a1 = adds.find((r) => r.request_id === r1.headers['x-request-id']);
    assert.ok(a1, `jiangsu's PUT audited: ${JSON.stringify(adds)}`);
    assert.equal(a1.account, 'jiangsu');
    assert.equal(a1.object, `service:${card}`);
    assert.equal(a1.area_code, NB);
    const a2 = adds.find((r) => r.request_id === r2.headers['x-request-id']);
    assert.ok(a2, 'jiangsu-worker\'s PUT audited');
    assert.equal(a2.account, 'jiangsu-worker');
    assert.equal(a2.object, `service:${sb}`);
    const removes = await auditRows({ action: 'service.doorstep_remove' });
    const a3 = removes.find((r) => r.request_id === r3.headers['x-request-id']);
    assert.ok(a3, `the DELETE audited: ${JSON.stringify(removes)}`);
    assert.equal(a3.account, 'jiangsu-worker');
    assert.equal(a3.object, `service:${card}`);
    assert.equal(a3.area_code, NB);
  });

  it('out of scope → 404, without the permission → 403 / 401; nothing written, nothing audited', async () => {
    const c = code('结婚登记');
    const rowsBefore = (await doorstepRows()).length;
    const nb = await list(NB);
    const nb2 = await list(NB2);
    assertProblem(await mark('jiangsu', HUAYANG_NB, c), 404, 'not-found', 'jiangsu marks a 华阳路 neighborhood');
    assertProblem(await mark('huayang', NB, c), 404, 'not-found', 'huayang marks a 江苏路 neighborhood');
    assertProblem(await mark('huayang', NB, code('社会保障卡申领'), 'DELETE'), 404, 'not-found', 'huayang unmarks in 江苏路');
    assertProblem(await mark('jiangsu-worker', NB2, c), 404, 'not-found', 'jiangsu-worker marks another neighborhood');
    assertProblem(await mark('jiangsu', '310105002', c), 404, 'not-found', 'a subdistrict is not a neighborhood');
    assertProblem(await mark('jiangsu', NB, 'NOPE999'), 404, 'not-found', 'an unknown guide');
    assertProblem(await mark('jiangsu-grid', NB, c), 403, 'forbidden', 'grid worker');
    assertProblem(await mark('jiangsu-resident', NB, c), 403, 'forbidden', 'resident');
    assertProblem(await mark(null, NB, c), 401, 'unauthenticated', 'anonymous');
    assert.deepEqual(await list(NB), nb, `${NB} unchanged`);
    assert.deepEqual(await list(NB2), nb2, `${NB2} unchanged`);
    assert.equal((await doorstepRows()).length, rowsBefore, 'no audit rows for refused changes');
  });
});

describe('转人工咨询 (POST /api/v1/consultations)', () => {
  const count = async (query) => {
    const res = await call('jiangsu-dispatcher', `/api/v1/cases?page_size=1${query ? `&${query}` : ''}`);
    assert.equal(res.status, 200, `GET /cases?${query} -> ${res.status} ${res.text.slice(0, 300)}`);
    return res.json.total;
  };
  const consult = (who, body) => call(who, '/api/v1/consultations', { method: 'POST', body });

  it('refused requests write nothing: anonymous 401, missing or over-long question 422, bad body 4xx', async () => {
    const all = await count('');
    const s10 = await count('category=S10');
    assertProblem(await consult(null, { question: '社保卡怎么补办' }), 401, 'unauthenticated', 'anonymous');
    assertField(await consult('jiangsu-resident', {}), 'question', 'no question');
    assertField(await consult('jiangsu-resident', { guide_code: code('结婚登记') }), 'question', 'only guide_code');
    assertField(await consult('jiangsu-resident', { question: '' }), 'question', 'empty question');
    assertField(await consult('jiangsu-resident', { question: '问'.repeat(600) }), 'question', '600 characters');
    const typed = await consult('jiangsu-resident', { question: 123 });
    assert.ok([400, 422].includes(typed.status), `question: 123 -> ${typed.status}`);
    assertProblem(typed, typed.status, null, 'question: 123');
    assertProblem(await consult('jiangsu-resident', { question: '社保卡', extra: 1 }), 400, 'bad-request', 'unknown field');
    assert.equal(await count(''), all, 'no case written');
    assert.equal(await count('category=S10'), s10, 'no consultation written');
  });

  it('as jiangsu-resident → 201 S10 case in the resident\'s neighborhood, seen by the resident and the dispatcher', async () => {
    const s10 = await count('category=S10');
    const question = `我家楼下的垃圾站能不能搬走？${Date.now()}`;
    const g = code('既有多层住宅加装电梯申请及补贴');
    const res = await consult('jiangsu-resident', { question, guide_code: g });
    assert.equal(res.status, 201, `POST /consultations -> ${res.status} ${res.text.slice(0, 400)}`);
    const c = res.json;
    assert.ok(Number.isInteger(c.id) && c.id > 0, `id: ${c.id}`);
    assert.equal(c.category_code, 'S10');
    assert.equal(c.area_code, S['jiangsu-resident'].user.area.code, 'the resident\'s neighborhood');
    assert.equal(c.area_code, NB);
    assert.equal(c.state, 'reported');
    assert.equal(c.source, 'resident');
    assert.ok(c.description.includes(question), `the question is in the description: ${c.description}`);
    assert.equal(await count('category=S10'), s10 + 1, 'one more consultation for the dispatcher');

    const mine = await listAll(srv.base, S['jiangsu-resident'].token, '/api/v1/cases?category=S10');
    assert.ok(mine.some((x) => x.id === c.id), 'the resident sees it under ?category=S10');
    assert.ok(mine.every((x) => x.category_code === 'S10'), 'only S10 cases');
    const theirs = await listAll(srv.base, S['jiangsu-dispatcher'].token, '/api/v1/cases?category=S10');
    const seen = theirs.find((x) => x.id === c.id);
    assert.ok(seen, 'jiangsu-dispatcher sees it under ?category=S10');
    assert.equal(seen.area_code, NB);
    const one = await call('jiangsu-resident', `/api/v1/cases/${c.id}`);
    assert.equal(one.status, 200, `GET /cases/${c.id} as the resident -> ${one.status}`);
  });
});
