#!/usr/bin/env node
// A stand-in for the C++ `shequ` binary, for front-end work without a server
// build. It follows docs/api.md closely enough for the console and its e2e
// tests, and takes the same command lines:
//
//   node dev/mock-shequ.mjs demo  --db sqlite:/tmp/x.db [--scale small] [--seed 1]
//   node dev/mock-shequ.mjs serve --db sqlite:/tmp/x.db --listen 127.0.0.1:0 --web dist [--login-rate N]
//
// Run the e2e suite against it with SHEQU_BIN=dev/mock-shequ.mjs npm run test:e2e.
// It is not the server: no real password hashing, data kept in one JSON file.
import http from 'node:http'
import fs from 'node:fs'
import path from 'node:path'
import crypto from 'node:crypto'

const PASSWORD = 'Shequ-demo-2026'

function parseArgs(argv) {
  const out = { _: [] }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a.startsWith('--')) {
      const eq = a.indexOf('=')
      if (eq > 0) out[a.slice(2, eq)] = a.slice(eq + 1)
      else out[a.slice(2)] = argv[++i]
    } else out._.push(a)
  }
  return out
}

function dbPath(spec) {
  if (!spec) throw new Error('--db is required')
  return spec.replace(/^sqlite:/, '')
}

// ---- demo data ----------------------------------------------------------------

const SUBDISTRICTS = [
  ['310105001', '华阳路街道'], ['310105002', '江苏路街道'], ['310105003', '新华路街道'],
  ['310105004', '周家桥街道'], ['310105005', '天山路街道'], ['310105006', '仙霞新村街道'],
  ['310105007', '虹桥街道'], ['310105008', '程家桥街道'], ['310105009', '北新泾街道'],
  ['310105102', '新泾镇'],
]
const NEIGHBORHOOD_NAMES = ['长新', '曹家堰', '华山', '武夷', '西浜', '岐山', '万航', '愚园', '利西', '北汪']

function makeDemo(seed) {
  let x = seed || 1
  const rand = () => { x = (x * 1103515245 + 12345) % 2147483648; return x / 2147483648 }
  const areas = [{ code: '310105', name: '长宁区', level: 'district', parent_code: null }]
  for (const [code, name] of SUBDISTRICTS) {
    areas.push({ code, name, level: 'subdistrict', parent_code: '310105' })
    const n = 2 + Math.floor(rand() * 3)
    for (let i = 1; i <= n; i++) {
      const nc = `${code}${String(i).padStart(3, '0')}`
      const nn = `${NEIGHBORHOOD_NAMES[(i + code.charCodeAt(8)) % NEIGHBORHOOD_NAMES.length]}居民区`
      areas.push({ code: nc, name: nn, level: 'neighborhood', parent_code: code })
      const g = 1 + Math.floor(rand() * 4)
      for (let j = 1; j <= g; j++) {
        areas.push({ code: `${nc}${String(j).padStart(2, '0')}`, name: `${nn}第${j}网格`, level: 'grid', parent_code: nc })
      }
    }
  }
  const firstNeighborhood = areas.find((a) => a.parent_code === '310105002')
  const firstGrid = areas.find((a) => a.parent_code === firstNeighborhood.code)
  const all = ['area.read', 'audit.read']
  const users = [
    { username: 'admin', display_name: '长宁区管理员', role: 'district_admin', area: '310105', permissions: all },
    { username: 'jiangsu', display_name: '江苏路街道管理员', role: 'subdistrict_admin', area: '310105002', permissions: ['area.read'] },
    { username: 'huayang', display_name: '华阳路街道管理员', role: 'subdistrict_admin', area: '310105001', permissions: ['area.read'] },
    { username: 'jiangsu-worker', display_name: '江苏路社工', role: 'neighborhood_worker', area: firstNeighborhood.code, permissions: ['area.read'] },
    { username: 'jiangsu-grid', display_name: '江苏路网格员', role: 'grid_worker', area: firstGrid.code, permissions: ['area.read'] },
    { username: 'auditor', display_name: '审计员', role: 'auditor', area: '310105', permissions: ['audit.read', 'area.read'] },
  ].map((u) => ({ ...u, preferences: { care_mode: false, language: 'zh-CN' }, locked: false }))
  return { areas, users, audit: [] }
}

// ---- server -------------------------------------------------------------------------

function serve(opts) {
  const file = dbPath(opts.db)
  const db = JSON.parse(fs.readFileSync(file, 'utf8'))
  const save = () => fs.writeFileSync(file, JSON.stringify(db))
  const byCode = new Map(db.areas.map((a) => [a.code, a]))
  const childrenOf = new Map()
  for (const a of db.areas) {
    if (!a.parent_code) continue
    if (!childrenOf.has(a.parent_code)) childrenOf.set(a.parent_code, [])
    childrenOf.get(a.parent_code).push(a)
  }
  const sessions = new Map() // token -> {username, csrf}
  const loginRate = Number(opts['login-rate'] || 10)
  const attempts = new Map() // ip -> [times]
  const streams = new Set()
  const webRoot = opts.web ? path.resolve(opts.web) : null
  let seq = db.audit.length

  const ancestorsOf = (a) => {
    const out = []
    let p = a.parent_code && byCode.get(a.parent_code)
    while (p) { out.unshift(p); p = p.parent_code && byCode.get(p.parent_code) }
    return out
  }
  const inScope = (user, a) => a.code === user.area || ancestorsOf(a).some((x) => x.code === user.area)
  const counts = (a) => {
    const c = { subdistrict: 0, neighborhood: 0, grid: 0 }
    const walk = (x) => { for (const ch of childrenOf.get(x.code) || []) { c[ch.level]++; walk(ch) } }
    walk(a)
    return c
  }
  const areaJson = (a) => ({
    code: a.code, name: a.name, level: a.level, parent_code: a.parent_code,
    path: ancestorsOf(a).map((x) => x.name).concat(a.name).join('/'), counts: counts(a),
  })
  const userJson = (u) => {
    const a = byCode.get(u.area)
    return {
      username: u.username, display_name: u.display_name, role: u.role,
      area: { code: a.code, name: a.name, level: a.level }, permissions: u.permissions,
      preferences: u.preferences,
    }
  }

  const PROBLEMS = {
    400: ['bad-request', 'Bad Request', '请求格式错误', 'Malformed request'],
    401: ['unauthenticated', 'Unauthorized', '请先登录', 'Please sign in'],
    403: ['forbidden', 'Forbidden', '没有权限', 'Not allowed'],
    404: ['not-found', 'Not Found', '找不到该资源', 'Not found'],
    405: ['method-not-allowed', 'Method Not Allowed', '不支持该方法', 'Method not allowed'],
    423: ['account-locked', 'Locked', '账号已锁定，请联系管理员', 'The account is locked; contact an administrator'],
    429: ['rate-limited', 'Too Many Requests', '登录尝试过于频繁，请稍后再试', 'Too many login attempts; try again later'],
  }
  const securityHeaders = {
    'Content-Security-Policy': "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'",
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
  }
  function send(res, status, body, headers = {}) {
    const rid = crypto.randomBytes(8).toString('hex')
    res.writeHead(status, { ...securityHeaders, 'X-Request-Id': rid, 'Cache-Control': 'no-store', ...headers })
    res.end(body)
  }
  function json(res, status, value, headers) {
    send(res, status, JSON.stringify(value), { 'Content-Type': 'application/json', ...headers })
  }
  function problem(res, status, type, extra = {}, headers = {}) {
    const [t, title, zh, en] = PROBLEMS[status] || [type, 'Error', '错误', 'Error']
    json(res, status, {
      type: `urn:shequ:problem:${type || t}`, title, status, detail: extra.en || en,
      message_zh: extra.zh || zh, message_en: extra.en || en, request_id: crypto.randomBytes(8).toString('hex'),
    }, { 'Content-Type': 'application/problem+json', ...headers })
  }
  function cookies(req) {
    const out = {}
    for (const part of (req.headers.cookie || '').split(';')) {
      const eq = part.indexOf('=')
      if (eq > 0) out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim()
    }
    return out
  }
  function authenticate(req) {
    const auth = req.headers.authorization || ''
    if (auth.startsWith('Bearer ')) {
      const s = sessions.get(auth.slice(7))
      return s ? { session: s, viaCookie: false } : null
    }
    const c = cookies(req)
    const s = c.shequ_session && sessions.get(c.shequ_session)
    return s ? { session: s, viaCookie: true, csrf: c.shequ_csrf } : null
  }
  function record(user, action, object, details = {}) {
    const row = {
      seq: ++seq, time: new Date().toISOString(), account: user?.username || '', role: user?.role || '',
      action, object, area_code: user?.area || '', request_id: crypto.randomBytes(8).toString('hex'), details,
    }
    db.audit.push(row)
    save()
    for (const s of streams) {
      const u = db.users.find((x) => x.username === s.username)
      const a = byCode.get(row.area_code)
      if (u && (!a || inScope(u, a))) s.res.write(`id: ${row.seq}\nevent: audit\ndata: ${JSON.stringify(row)}\n\n`)
    }
  }
  async function body(req) {
    const chunks = []
    for await (const c of req) chunks.push(c)
    const text = Buffer.concat(chunks).toString('utf8')
    return text ? JSON.parse(text) : {}
  }
  const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.json': 'application/json' }
  function staticFile(req, res, pathname) {
    if (!webRoot) return problem(res, 404, 'not-found')
    let p = path.normalize(path.join(webRoot, decodeURIComponent(pathname)))
    if (!p.startsWith(webRoot)) return problem(res, 404, 'not-found')
    if (!fs.existsSync(p) || fs.statSync(p).isDirectory()) {
      if (pathname.startsWith('/assets/')) return problem(res, 404, 'not-found')
      p = path.join(webRoot, 'index.html') // single-page app: every other path is the app
    }
    const headers = { 'Content-Type': TYPES[path.extname(p)] || 'application/octet-stream' }
    if (pathname.startsWith('/assets/')) headers['Cache-Control'] = 'public, max-age=31536000, immutable'
    send(res, 200, fs.readFileSync(p), headers)
  }

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x')
    const p = url.pathname
    try {
      if (!p.startsWith('/api/')) return staticFile(req, res, p)
      if (p === '/api/v1/health') return json(res, 200, { status: 'ok', db: 'sqlite', version: 'mock' })
      if (p === '/api/v1/auth/login' && req.method === 'POST') {
        const ip = req.socket.remoteAddress
        const now = Date.now()
        const list = (attempts.get(ip) || []).filter((t) => now - t < 60000)
        list.push(now)
        attempts.set(ip, list)
        if (list.length > loginRate) return problem(res, 429, 'rate-limited', {}, { 'Retry-After': '30' })
        const b = await body(req)
        const u = db.users.find((x) => x.username === b.username)
        if (!u || b.password !== PASSWORD) {
          record(u, 'auth.login_failed', `account:${b.username}`)
          return problem(res, 401, 'invalid-credentials', { zh: '用户名或密码错误', en: 'Wrong username or password' })
        }
        if (u.locked) return problem(res, 423, 'account-locked')
        const token = crypto.randomBytes(32).toString('base64url')
        const csrf = crypto.randomBytes(16).toString('base64url')
        sessions.set(token, { username: u.username, csrf })
        record(u, 'auth.login', `account:${u.username}`)
        return json(res, 200, { token, csrf_token: csrf, user: userJson(u) }, {
          'Set-Cookie': [
            `shequ_session=${token}; Path=/; HttpOnly; SameSite=Strict`,
            `shequ_csrf=${csrf}; Path=/; SameSite=Strict`,
          ],
        })
      }
      const auth = authenticate(req)
      if (!auth) return problem(res, 401, 'unauthenticated')
      const user = db.users.find((x) => x.username === auth.session.username)
      if (['POST', 'PUT', 'PATCH', 'DELETE'].includes(req.method) && auth.viaCookie
        && req.headers['x-csrf-token'] !== auth.session.csrf) {
        return problem(res, 403, 'csrf', { zh: 'CSRF 校验失败', en: 'CSRF check failed' })
      }
      if (p === '/api/v1/auth/logout' && req.method === 'POST') {
        for (const [k, v] of sessions) if (v === auth.session) sessions.delete(k)
        record(user, 'auth.logout', `account:${user.username}`)
        return send(res, 204, '', {
          'Set-Cookie': ['shequ_session=; Path=/; Max-Age=0', 'shequ_csrf=; Path=/; Max-Age=0'],
        })
      }
      if (p === '/api/v1/me' && req.method === 'GET') return json(res, 200, userJson(user))
      if (p === '/api/v1/me/preferences' && req.method === 'PUT') {
        const b = await body(req)
        if ('care_mode' in b) user.preferences.care_mode = Boolean(b.care_mode)
        if ('language' in b) user.preferences.language = b.language
        save()
        record(user, 'me.preferences', `account:${user.username}`, b)
        return json(res, 200, userJson(user))
      }
      if (p === '/api/v1/areas' && req.method === 'GET') {
        return json(res, 200, { items: [areaJson(byCode.get(user.area))] })
      }
      let m = p.match(/^\/api\/v1\/areas\/([^/]+)(\/children)?$/)
      if (m && req.method === 'GET') {
        let code = decodeURIComponent(m[1])
        if (/^\d{9}000$/.test(code)) code = code.slice(0, 9)
        const a = byCode.get(code)
        if (!a || !inScope(user, a)) return problem(res, 404, 'not-found', { zh: '区域不存在或不在您的管辖范围内', en: 'No such area in your territory' })
        if (m[2]) return json(res, 200, { items: (childrenOf.get(a.code) || []).map(areaJson) })
        const own = byCode.get(user.area)
        const anc = ancestorsOf(a).filter((x) => inScope(user, x) || x.code === own.code)
        return json(res, 200, { ...areaJson(a), ancestors: anc.map((x) => ({ code: x.code, name: x.name, level: x.level })) })
      }
      if (p === '/api/v1/audit' && req.method === 'GET') {
        if (!user.permissions.includes('audit.read')) return problem(res, 403, 'forbidden')
        const q = Object.fromEntries(url.searchParams)
        let items = db.audit.filter((r) => {
          const a = byCode.get(r.area_code)
          return !a || inScope(user, a)
        })
        if (q.account) items = items.filter((r) => r.account.includes(q.account))
        if (q.action) items = items.filter((r) => r.action.includes(q.action))
        if (q.object) items = items.filter((r) => r.object.includes(q.object))
        if (q.from) items = items.filter((r) => r.time >= new Date(q.from).toISOString())
        if (q.to) items = items.filter((r) => r.time <= new Date(q.to).toISOString())
        items = items.slice().reverse()
        const page = Math.max(1, Number(q.page || 1))
        const size = Math.min(200, Math.max(1, Number(q.page_size || 50)))
        return json(res, 200, { items: items.slice((page - 1) * size, page * size), total: items.length, page, page_size: size })
      }
      if (p === '/api/v1/events' && req.method === 'GET') {
        res.writeHead(200, { ...securityHeaders, 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store' })
        res.write(': hello\n\n')
        const s = { res, username: user.username }
        streams.add(s)
        const beat = setInterval(() => res.write(': heartbeat\n\n'), 15000)
        req.on('close', () => { clearInterval(beat); streams.delete(s) })
        return
      }
      return problem(res, 404, 'not-found')
    } catch (err) {
      console.error(err)
      if (!res.headersSent) problem(res, 500, 'internal')
    }
  })

  const [host, port] = (opts.listen || '127.0.0.1:8080').split(':')
  server.listen(Number(port), host, () => {
    const addr = server.address()
    console.log(`listening on http://${addr.address}:${addr.port}`)
  })
  const stop = () => {
    for (const s of streams) s.res.end('event: shutdown\ndata: {}\n\n')
    server.close(() => process.exit(0))
    setTimeout(() => process.exit(0), 1000).unref()
  }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
}

const args = parseArgs(process.argv.slice(2))
const command = args._[0]
if (command === 'demo') {
  fs.writeFileSync(dbPath(args.db), JSON.stringify(makeDemo(Number(args.seed || 1))))
  console.log('demo data written')
} else if (command === 'serve') {
  serve(args)
} else {
  console.error('usage: mock-shequ.mjs demo|serve --db sqlite:FILE ...')
  process.exit(2)
}
