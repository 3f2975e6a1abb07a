// Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) under /open311/v2/: a conformance
// walk. Every endpoint answers JSON or XML by the suffix of its last path segment; errors take
// the spec's form ([{"code", "description"}] / <errors><error>), not problem+json.
// The demo key `demo-open311-key` is valid from loopback only, which is where the tests run.
import { describe, it, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, recoverServer, stopOrDrop, api, request, loginAll } from './harness.mjs';

const SPEC = 'http://wiki.open311.org/GeoReport_v2';
const KEY = 'demo-open311-key';
const GRID = '31010500200101';
let srv;
const S = {};
let point; // the centre of GRID's polygon

const ACCOUNTS = ['admin', 'jiangsu-grid', 'jiangsu-dispatcher', 'lvrong-staff'];

before(async () => {
  srv = await startServer();
  await loginAll(srv.base, S, ACCOUNTS);
  const shapes = await api(srv.base, '/api/v1/grid-shapes', { token: S['jiangsu-grid'].token });
  assert.equal(shapes.status, 200, shapes.text);
  const f = shapes.json.features.find((x) => x.properties.code === GRID);
  assert.ok(f, `grid ${GRID} has a polygon`);
  const ring = f.geometry.coordinates[0];
  const xs = ring.map((p) => p[0]);
  const ys = ring.map((p) => p[1]);
  point = { lng: (Math.min(...xs) + Math.max(...xs)) / 2, lat: (Math.min(...ys) + Math.max(...ys)) / 2 };
});

beforeEach(async () => {
  srv = await recoverServer(srv, S, ACCOUNTS);
});

after(async () => {
  await stopOrDrop(srv);
});

// ---------------------------------------------------------------------------
// helpers

const get = (path, headers = {}) => request(srv.base, `/open311/v2/${path}`, { headers });

function post(fmt, fields, { raw } = {}) {
  const body = raw ?? new URLSearchParams(fields).toString();
  return request(srv.base, `/open311/v2/requests.${fmt}`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body,
  });
}

const goodPost = (extra = {}) => ({
  api_key: KEY, service_code: 'E0101', lat: String(point.lat), long: String(point.lng),
  description: 'Open311 测试：小区门口暴露垃圾 & <废纸箱>', ...extra,
});

/** The JSON body of an Open311 answer (an array), asserting status and content type. */
function jsonOf(res, status, what) {
  assert.equal(res.status, status, `${what} -> ${res.status} ${res.text.slice(0, 400)}`);
  assert.match(res.headers['content-type'] || '', /^application\/json\b/i, `${what}: JSON content type`);
  return JSON.parse(res.text);
}

/**
 * A tiny XML parser that insists on well-formedness: one root, balanced and properly nested
 * tags, no stray '<' or '&' in text. Returns the root {name, children, text}.
 */
function parseXml(text, what = 'XML') {
  let s = text.replace(/^\uFEFF/, '');
  const decl = /^<\?xml\s[^?]*\?>\s*/.exec(s);
  if (decl) s = s.slice(decl[0].length);
  const doc = { name: '#document', children: [], text: '' };
  const stack = [doc];
  const tag = /<(\/?)([A-Za-z_][\w.:-]*)((?:\s+[\w.:-]+\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>/y;
  const chars = /[^<]+/y;
  const entity = /&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/;
  const decode = (t) => t.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, n) => String.fromCodePoint(Number(n)))
    .replace(/&#x([0-9a-fA-F]+);/g, (_, n) => String.fromCodePoint(parseInt(n, 16)))
    .replace(/&amp;/g, '&');
  let pos = 0;
  while (pos < s.length) {
    tag.lastIndex = pos;
    chars.lastIndex = pos;
    let m = tag.exec(s);
    if (m) {
      pos = tag.lastIndex;
      const top = stack[stack.length - 1];
      if (m[1]) {
        assert.ok(!m[3] && !m[4], `${what}: a closing tag with attributes at ${pos}`);
        assert.equal(m[2], top.name, `${what}: </${m[2]}> closes <${top.name}>`);
        stack.pop();
      } else {
        const el = { name: m[2], children: [], text: '' };
        assert.ok(stack.length > 1 || doc.children.length === 0, `${what}: a second root element <${m[2]}>`);
        top.children.push(el);
        if (!m[4]) stack.push(el);
      }
      continue;
    }
    m = chars.exec(s);
    assert.ok(m, `${what}: not well-formed at ${pos}: ${JSON.stringify(s.slice(pos, pos + 60))}`);
    pos = chars.lastIndex;
    assert.ok(!entity.test(m[0]), `${what}: a bare & in text: ${JSON.stringify(m[0].slice(0, 60))}`);
    if (stack.length === 1) assert.equal(m[0].trim(), '', `${what}: text outside the root element`);
    else stack[stack.length - 1].text += decode(m[0]);
  }
  assert.equal(stack.length, 1, `${what}: unclosed <${stack.slice(1).map((e) => e.name).join('><')}>`);
  assert.equal(doc.children.length, 1, `${what}: exactly one root element`);
  return doc.children[0];
}

/** The XML root of an Open311 answer, asserting status and content type. */
function xmlOf(res, status, what) {
  assert.equal(res.status, status, `${what} -> ${res.status} ${res.text.slice(0, 400)}`);
  assert.match(res.headers['content-type'] || '', /^(text|application)\/xml\b/i, `${what}: XML content type`);
  assert.match(res.text, /^<\?xml version="1\.0" encoding="utf-8"\?>/i, `${what}: the XML declaration`);
  return parseXml(res.text, what);
}

const kids = (el, name) => el.children.filter((c) => c.name === name);
const one = (el, name) => {
  const list = kids(el, name);
  assert.equal(list.length, 1, `<${el.name}> has one <${name}>: ${JSON.stringify(el.children.map((c) => c.name))}`);
  return list[0];
};
const textOf = (el, name) => one(el, name).text;

/** A spec error answer: [{"code": status, "description": "…"}] or <errors><error>. */
function assertError(res, status, fmt, what) {
  if (fmt === 'json') {
    const body = jsonOf(res, status, what);
    assert.ok(Array.isArray(body) && body.length >= 1, `${what}: an array of errors: ${res.text}`);
    for (const e of body) {
      assert.equal(Number(e.code), status, `${what}: code`);
      assert.equal(typeof e.description, 'string');
      assert.ok(e.description.trim().length > 0, `${what}: a description`);
    }
    assert.ok(!/problem\+json/.test(res.headers['content-type']), `${what}: not problem+json`);
    return body;
  }
  const root = xmlOf(res, status, what);
  assert.equal(root.name, 'errors', `${what}: root <errors>`);
  const errs = kids(root, 'error');
  assert.ok(errs.length >= 1, `${what}: at least one <error>`);
  for (const e of errs) {
    assert.equal(Number(textOf(e, 'code')), status, `${what}: <code>`);
    assert.ok(textOf(e, 'description').trim().length > 0, `${what}: <description>`);
  }
  return errs;
}

/** 'YYYY-MM-DDTHH:MM:SS+08:00' (Beijing) of a Date. */
function w3c(date, offsetHours = 8) {
  const local = new Date(date.getTime() + offsetHours * 3600_000).toISOString().slice(0, 19);
  const sign = offsetHours >= 0 ? '+' : '-';
  const h = String(Math.abs(offsetHours)).padStart(2, '0');
  return `${local}${sign}${h}:00`;
}

async function open311Total() {
  const res = await api(srv.base, '/api/v1/cases?source=open311&page_size=1', { token: S.admin.token });
  assert.equal(res.status, 200, res.text.slice(0, 200));
  return res.json.total;
}

// ---------------------------------------------------------------------------

describe('discovery', () => {
  it('discovery.json names the GeoReport v2 endpoint and its formats', async () => {
    const d = jsonOf(await get('discovery.json'), 200, 'discovery.json');
    assert.ok(typeof d.changeset === 'string' && !Number.isNaN(Date.parse(d.changeset)), `changeset ${d.changeset}`);
    assert.ok(d.contact, 'contact');
    assert.ok(Array.isArray(d.endpoints) && d.endpoints.length >= 1, 'endpoints');
    const ep = d.endpoints.find((e) => e.specification === SPEC);
    assert.ok(ep, `an endpoint with specification ${SPEC}: ${JSON.stringify(d.endpoints)}`);
    assert.ok(new URL(ep.url).pathname.endsWith('/open311/v2/'), `url ${ep.url}`);
    assert.ok(['production', 'test'].includes(ep.type), `type ${ep.type}`);
    assert.ok(Array.isArray(ep.formats));
    assert.ok(ep.formats.includes('application/json') && ep.formats.includes('text/xml'), `formats ${ep.formats}`);
  });

  it('discovery.xml is well-formed and says the same', async () => {
    const root = xmlOf(await get('discovery.xml'), 200, 'discovery.xml');
    assert.equal(root.name, 'discovery');
    const json = JSON.parse((await get('discovery.json')).text);
    assert.equal(textOf(root, 'changeset'), json.changeset);
    const endpoints = kids(one(root, 'endpoints'), 'endpoint');
    assert.equal(endpoints.length, json.endpoints.length, 'as many <endpoint> as JSON endpoints');
    const ep = endpoints.find((e) => textOf(e, 'specification') === SPEC);
    assert.ok(ep, 'an <endpoint> with the GeoReport v2 specification');
    const formats = kids(one(ep, 'formats'), 'format').map((f) => f.text);
    assert.ok(formats.includes('application/json') && formats.includes('text/xml'), `formats ${formats}`);
  });
});

describe('services', () => {
  it('services.json and services.xml list every category', async () => {
    const cats = (await api(srv.base, '/api/v1/case-categories', { token: S.admin.token })).json.items;
    const list = jsonOf(await get('services.json'), 200, 'services.json');
    assert.ok(Array.isArray(list) && list.length >= 30, `${list.length} services`);
    assert.equal(list.length, cats.length, 'one service per active category');
    const codes = new Set();
    for (const s of list) {
      assert.ok(typeof s.service_code === 'string' && s.service_code && !codes.has(s.service_code), `code ${s.service_code}`);
      codes.add(s.service_code);
      assert.ok(typeof s.service_name === 'string' && s.service_name.length > 0, `name of ${s.service_code}`);
      assert.equal(s.metadata, false, `${s.service_code}: no attributes to ask for`);
      assert.equal(s.type, 'realtime', `${s.service_code}: type`);
    }
    assert.deepEqual([...codes].sort(), cats.map((c) => c.code).sort(), 'the category codes');
    assert.equal(list.find((s) => s.service_code === 'E0101').service_name, '暴露垃圾');

    const root = xmlOf(await get('services.xml'), 200, 'services.xml');
    assert.equal(root.name, 'services');
    const services = kids(root, 'service');
    assert.equal(services.length, list.length, 'as many <service> elements as JSON services');
    assert.equal(root.children.length, services.length, 'nothing but <service> under <services>');
    assert.deepEqual(services.map((s) => textOf(s, 'service_code')).sort(), [...codes].sort());
    const e = services.find((s) => textOf(s, 'service_code') === 'E0101');
    assert.equal(textOf(e, 'service_name'), '暴露垃圾');
    assert.equal(textOf(e, 'metadata'), 'false');
    assert.equal(textOf(e, 'type'), 'realtime');
  });

  it('services/{code}.json and .xml give the definition; an unknown code → 404', async () => {
    const def = jsonOf(await get('services/E0101.json'), 200, 'services/E0101.json');
    assert.ok(Array.isArray(def) && def.length === 1, JSON.stringify(def));
    assert.equal(def[0].service_code, 'E0101');
    assert.deepEqual(def[0].attributes, [], 'metadata false: no attributes');
    const root = xmlOf(await get('services/E0101.xml'), 200, 'services/E0101.xml');
    assert.equal(root.name, 'service_definitions');
    assert.equal(textOf(one(root, 'service_definition'), 'service_code'), 'E0101');
    assertError(await get('services/NOPE.json'), 404, 'json', 'services/NOPE.json');
    assertError(await get('services/NOPE.xml'), 404, 'xml', 'services/NOPE.xml');
  });
});

describe('service requests', () => {
  it('POST requests.json (form-encoded) → 201; read back by id, token, status and dates', async () => {
    const before = await open311Total();
    const t0 = new Date();
    const fields = goodPost({ address_string: '江苏路 1 号门口', first_name: '三', last_name: '张', phone: '13900004444' });
    const created = jsonOf(await post('json', fields), 201, 'POST requests.json');
    assert.ok(Array.isArray(created) && created.length === 1, JSON.stringify(created));
    const { service_request_id: id, token } = created[0];
    assert.ok(typeof id === 'string' && /^\d+$/.test(id), `service_request_id ${id}`);
    assert.ok(typeof token === 'string' && token.length > 0, `token ${token}`);
    assert.equal(await open311Total(), before + 1, 'one case written');

    // the case behind it, as the platform sees it
    const c = (await api(srv.base, `/api/v1/cases/${id}`, { token: S.admin.token })).json;
    assert.equal(c.source, 'open311');
    assert.equal(c.category_code, 'E0101');
    assert.equal(c.area_code, GRID, 'located by its point');
    assert.equal(c.description, fields.description);
    assert.equal(c.state, 'reported');
    assert.notEqual(c.reporter_phone, '13900004444', 'the phone is not shown in clear');

    const one1 = jsonOf(await get(`requests/${id}.json`), 200, `requests/${id}.json`);
    assert.equal(one1.length, 1);
    const r = one1[0];
    assert.equal(r.service_request_id, id);
    assert.equal(r.status, 'open');
    assert.equal(r.service_code, 'E0101');
    assert.equal(r.service_name, '暴露垃圾');
    assert.equal(r.description, fields.description);
    assert.equal(r.address, fields.address_string);
    assert.ok(Math.abs(r.lat - point.lat) < 1e-9 && Math.abs(r.long - point.lng) < 1e-9, `lat/long ${r.lat} ${r.long}`);
    assert.match(r.requested_datetime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d([+-]\d\d:\d\d|Z)$/, 'a W3C datetime');
    assert.ok(Math.abs(Date.parse(r.requested_datetime) - Date.parse(c.reported_at)) < 1000,
      `requested_datetime ${r.requested_datetime} is the report time ${c.reported_at}`);
    assert.ok(r.expected_datetime === null || !Number.isNaN(Date.parse(r.expected_datetime)));

    const root = xmlOf(await get(`requests/${id}.xml`), 200, `requests/${id}.xml`);
    assert.equal(root.name, 'service_requests');
    const req = one(root, 'request');
    assert.equal(textOf(req, 'service_request_id'), id);
    assert.equal(textOf(req, 'status'), 'open');
    assert.equal(textOf(req, 'service_code'), 'E0101');
    assert.equal(textOf(req, 'description'), fields.description, 'escaped and unescaped again');

    const tok = jsonOf(await get(`tokens/${encodeURIComponent(token)}.json`), 200, 'tokens/{token}.json');
    assert.equal(tok.length, 1);
    assert.equal(tok[0].service_request_id, id);
    const tokXml = xmlOf(await get(`tokens/${encodeURIComponent(token)}.xml`), 200, 'tokens/{token}.xml');
    assert.equal(textOf(one(tokXml, 'request'), 'service_request_id'), id);

    const ids = async (query) => jsonOf(await get(`requests.json?${query}`), 200, `requests.json?${query}`)
      .map((x) => x.service_request_id);
    assert.ok((await ids('status=open')).includes(id), 'status=open lists it');
    assert.ok(!(await ids('status=closed')).includes(id), 'status=closed does not');
    assert.ok((await ids('service_code=E0101')).includes(id));
    assert.ok(!(await ids('service_code=E0102')).includes(id), 'another service_code does not');
    for (const x of jsonOf(await get('requests.json?status=open'), 200, 'open')) assert.equal(x.status, 'open');

    const hourAgo = new Date(t0.getTime() - 3600_000);
    const twoDaysAgo = new Date(t0.getTime() - 2 * 86400_000);
    const soon = new Date(Date.now() + 60_000);
    const window = (a, b) => `start_date=${encodeURIComponent(w3c(a))}&end_date=${encodeURIComponent(w3c(b))}`;
    assert.ok(!(await ids(window(twoDaysAgo, hourAgo))).includes(id), 'a window ending before the post excludes it');
    assert.ok((await ids(window(new Date(t0.getTime() - 60_000), soon))).includes(id), 'a window around the post includes it');
    const utc = `start_date=${encodeURIComponent(new Date(t0.getTime() - 60_000).toISOString().slice(0, 19))}Z`
      + `&end_date=${encodeURIComponent(soon.toISOString().slice(0, 19))}Z`;
    assert.ok((await ids(utc)).includes(id), 'the same window written in UTC (Z)');
    assert.ok(!(await ids(`start_date=${encodeURIComponent(w3c(soon))}`)).includes(id), 'a window starting after the post excludes it');

    // close it through the platform: Open311 then reports it closed
    const act = async (who, action, extra = {}) => {
      const cur = (await api(srv.base, `/api/v1/cases/${id}`, { token: S.admin.token })).json;
      const res = await api(srv.base, `/api/v1/cases/${id}/actions`, {
        method: 'POST', token: S[who].token, body: { action, version: cur.version, ...extra },
      });
      assert.equal(res.status, 200, `${action}: ${res.text.slice(0, 300)}`);
    };
    await act('jiangsu-dispatcher', 'file');
    await act('jiangsu-dispatcher', 'dispatch');
    assert.equal(jsonOf(await get(`requests/${id}.json`), 200, 'dispatched')[0].agency_responsible, '区绿化和市容管理局');
    await act('lvrong-staff', 'handle', { note: '已清运' });
    await act('jiangsu-grid', 'verify_pass');
    assert.equal(jsonOf(await get(`requests/${id}.json`), 200, 'closed')[0].status, 'closed');
    assert.ok((await ids('status=closed')).includes(id), 'now status=closed lists it');
    assert.ok(!(await ids('status=open')).includes(id), 'and status=open does not');
  });

  it('POST requests.xml answers in XML', async () => {
    const root = xmlOf(await post('xml', goodPost({ description: 'XML 上报' })), 201, 'POST requests.xml');
    assert.equal(root.name, 'service_requests');
    const id = textOf(one(root, 'request'), 'service_request_id');
    assert.match(id, /^\d+$/);
    assert.ok(textOf(one(root, 'request'), 'token').length > 0);
    const back = jsonOf(await get(`requests/${id}.json`), 200, 'read back');
    assert.equal(back[0].description, 'XML 上报');
  });

  it('form values are decoded: "+" is a space, %XX are bytes of UTF-8', async () => {
    const fields = goodPost({ description: 'a b+c&d=e 100% 中文', address_string: '江苏路 2 号', first_name: '四', last_name: '李' });
    const body = new URLSearchParams(fields).toString();
    assert.match(body, /a\+b%2Bc%26d%3De\+100%25\+%E4%B8%AD%E6%96%87/, `the form encodes as browsers do: ${body}`);
    const [{ service_request_id: id }] = jsonOf(await post('json', null, { raw: body }), 201, 'POST');
    const c = (await api(srv.base, `/api/v1/cases/${id}`, { token: S.admin.token })).json;
    assert.equal(c.description, 'a b+c&d=e 100% 中文');
    assert.equal(c.address, '江苏路 2 号');
    assert.equal(c.reporter_name, '李四', 'last_name then first_name, as Chinese names are written');
  });

  it('GET requests.json without filters lists recent requests with the spec\'s fields', async () => {
    const list = jsonOf(await get('requests.json'), 200, 'requests.json');
    assert.ok(Array.isArray(list) && list.length > 0, 'the demo has recent cases');
    const ninetyDays = Date.now() - 90 * 86400_000 - 60_000;
    for (const r of list) {
      for (const k of ['service_request_id', 'status', 'service_code', 'service_name', 'requested_datetime']) {
        assert.ok(k in r, `${k} in ${JSON.stringify(r).slice(0, 200)}`);
      }
      assert.ok(['open', 'closed'].includes(r.status));
      assert.ok(Date.parse(r.requested_datetime) >= ninetyDays, `the default window is 90 days: ${r.requested_datetime}`);
    }
    const root = xmlOf(await get('requests.xml'), 200, 'requests.xml');
    assert.equal(kids(root, 'request').length, list.length, 'as many <request> as JSON items');
  });
});

describe('errors in the spec\'s format', () => {
  it('POST without api_key or with a wrong one → 403; missing lat/long or service_code → 400; nothing written', async () => {
    const before = await open311Total();
    const { api_key: _, ...noKey } = goodPost();
    for (const fmt of ['json', 'xml']) {
      assertError(await post(fmt, noKey), 403, fmt, `POST requests.${fmt} without api_key`);
      assertError(await post(fmt, goodPost({ api_key: 'not-the-key' })), 403, fmt, `POST requests.${fmt} with a wrong key`);
      assertError(await post(fmt, goodPost({ api_key: '' })), 403, fmt, `POST requests.${fmt} with an empty key`);
    }
    const { lat: _lat, ...noLat } = goodPost();
    const { long: _long, ...noLong } = goodPost();
    const { service_code: _code, ...noCode } = goodPost();
    for (const fmt of ['json', 'xml']) {
      assertError(await post(fmt, noLat), 400, fmt, `POST requests.${fmt} without lat`);
      assertError(await post(fmt, noLong), 400, fmt, `POST requests.${fmt} without long`);
      assertError(await post(fmt, goodPost({ lat: 'north' })), 400, fmt, `POST requests.${fmt} with lat=north`);
      assertError(await post(fmt, noCode), 400, fmt, `POST requests.${fmt} without service_code`);
    }
    assert.equal(await open311Total(), before, 'nothing written');
  });

  it('GET: a bad status, a bad date, a non-numeric id, an unknown token → 400/400/400/404', async () => {
    for (const fmt of ['json', 'xml']) {
      assertError(await get(`requests.${fmt}?status=pending`), 400, fmt, `requests.${fmt}?status=pending`);
      assertError(await get(`requests.${fmt}?start_date=yesterday`), 400, fmt, `requests.${fmt}?start_date=yesterday`);
      assertError(await get(`requests/abc.${fmt}`), 400, fmt, `requests/abc.${fmt}`);
      assertError(await get(`tokens/nope.${fmt}`), 404, fmt, `tokens/nope.${fmt}`);
      assertError(await get(`tokens/tok-987654321.${fmt}`), 404, fmt, `tokens/tok-987654321.${fmt}`);
    }
  });

  it('a path without .json or .xml, or an unknown endpoint → 404', async () => {
    for (const p of ['discovery', 'services', 'requests', 'services/E0101', 'requests/1', 'tokens/tok-1', 'services.html']) {
      assertError(await get(p), 404, 'json', `GET ${p}`);
    }
    assertError(await get('nothing.json'), 404, 'json', 'GET nothing.json');
    assertError(await get('nothing.xml'), 404, 'xml', 'GET nothing.xml');
    const res = await request(srv.base, '/open311/v2/requests', {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(goodPost()).toString(),
    });
    assertError(res, 404, 'json', 'POST requests without a suffix');
  });

  it('POST with an unknown service_code → 400; GET an unknown request id → 404', async () => {
    const before = await open311Total();
    for (const fmt of ['json', 'xml']) {
      assertError(await post(fmt, goodPost({ service_code: 'NOPE' })), 400, fmt, `POST requests.${fmt} service_code=NOPE`);
      assertError(await post(fmt, goodPost({ lat: '31.0', long: '121.0' })), 400, fmt, `POST requests.${fmt} outside every grid`);
      assertError(await get(`requests/987654321.${fmt}`), 404, fmt, `requests/987654321.${fmt}`);
    }
    assert.equal(await open311Total(), before, 'nothing written');
  });
});
