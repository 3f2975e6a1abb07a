// The one client of the Shequ HTTP API (docs/api.md). Every request the
// console makes goes through this module.
//
// - Cookies carry the session (credentials 'same-origin').
// - Unsafe methods send X-CSRF-Token, copied from the `shequ_csrf` cookie.
// - A non-2xx answer becomes an ApiError carrying the problem+json fields.
// - A 401 on any call except login calls the handler set with
//   onUnauthenticated() (the app sends the user to /login).

const BASE = '/api/v1'
const CSRF_COOKIE = 'shequ_csrf'
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

export class ApiError extends Error {
  constructor({ status = 0, type = '', title = '', detail = '', messageZh = '', messageEn = '',
    requestId = '', errors = [], retryAfter = null, network = false } = {}) {
    super(messageEn || detail || title || (network ? 'Network error' : `HTTP ${status}`))
    this.name = 'ApiError'
    this.status = status
    this.type = type // short form, e.g. 'not-found' (without urn:shequ:problem:)
    this.title = title
    this.detail = detail
    this.message_zh = messageZh
    this.message_en = messageEn
    this.request_id = requestId
    this.errors = errors
    this.retryAfter = retryAfter // seconds, for 429
    this.network = network
  }
}

const PROBLEM_PREFIX = 'urn:shequ:problem:'

let unauthenticatedHandler = null
/** Sets the function called when the server answers 401 to anything but login. */
export function onUnauthenticated(fn) {
  unauthenticatedHandler = fn
}

let lastCsrfToken = ''

/** Reads one cookie by name ('' when absent). */
function readCookie(name) {
  for (const part of document.cookie.split(';')) {
    const eq = part.indexOf('=')
    if (eq < 0) continue
    if (part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim())
  }
  return ''
}

function parseRetryAfter(value) {
  if (!value) return null
  const seconds = Number(value)
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds))
  const date = Date.parse(value)
  if (Number.isNaN(date)) return null
  return Math.max(0, Math.ceil((date - Date.now()) / 1000))
}

async function toError(res) {
  let body = null
  try {
    const text = await res.text()
    body = text ? JSON.parse(text) : null
  } catch {
    body = null
  }
  const rawType = (body && typeof body.type === 'string') ? body.type : ''
  return new ApiError({
    status: res.status,
    type: rawType.startsWith(PROBLEM_PREFIX) ? rawType.slice(PROBLEM_PREFIX.length) : rawType,
    title: body?.title || res.statusText || '',
    detail: body?.detail || '',
    messageZh: body?.message_zh || '',
    messageEn: body?.message_en || '',
    requestId: body?.request_id || res.headers.get('X-Request-Id') || '',
    errors: Array.isArray(body?.errors) ? body.errors : [],
    retryAfter: parseRetryAfter(res.headers.get('Retry-After')),
  })
}

/**
 * Sends one request. `options.body` is sent as JSON; `options.query` is an
 * object of query parameters (empty values left out); `options.noAuthRedirect`
 * keeps a 401 from triggering the unauthenticated handler.
 */
async function request(method, path, options = {}) {
  const headers = { Accept: 'application/json' }
  const init = { method, headers, credentials: 'same-origin', cache: 'no-store' }
  if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json'
    init.body = JSON.stringify(options.body)
  }
  if (UNSAFE.has(method)) {
    const token = readCookie(CSRF_COOKIE) || lastCsrfToken
    if (token) headers['X-CSRF-Token'] = token
  }
  let url = BASE + path
  if (options.query) {
    const params = new URLSearchParams()
    for (const [key, value] of Object.entries(options.query)) {
      if (value !== undefined && value !== null && value !== '') params.set(key, String(value))
    }
    const qs = params.toString()
    if (qs) url += '?' + qs
  }

  let res
  try {
    res = await fetch(url, init)
  } catch (cause) {
    const err = new ApiError({ network: true })
    err.cause = cause
    throw err
  }
  if (!res.ok) {
    const err = await toError(res)
    if (res.status === 401 && !options.noAuthRedirect && unauthenticatedHandler) {
      unauthenticatedHandler(err)
    }
    throw err
  }
  if (res.status === 204) return null
  const text = await res.text()
  return text ? JSON.parse(text) : null
}

// ---- auth -----------------------------------------------------------------

/** POST /auth/login → {token, csrf_token, user}. */
export async function login(username, password) {
  const data = await request('POST', '/auth/login', {
    body: { username, password },
    noAuthRedirect: true,
  })
  lastCsrfToken = data?.csrf_token || ''
  return data
}

/** POST /auth/logout → nothing. A 401 (session already gone) is not an error here. */
export async function logout() {
  try {
    await request('POST', '/auth/logout', { noAuthRedirect: true })
  } catch (err) {
    if (err.status !== 401) throw err
  } finally {
    lastCsrfToken = ''
  }
}

/** GET /me → User. `probe` is for the first look at start-up: a 401 only means "not signed in". */
export function getMe({ probe = false } = {}) {
  return request('GET', '/me', { noAuthRedirect: probe })
}

/** PUT /me/preferences with {care_mode} and/or {language} → User. */
export function updatePreferences(prefs) {
  return request('PUT', '/me/preferences', { body: prefs })
}

// ---- territory ------------------------------------------------------------

/** GET /areas → [Area]: the roots the caller may see. */
export async function listRootAreas() {
  const data = await request('GET', '/areas')
  return data?.items || []
}

/** GET /areas/{code} → Area with ancestors. */
export function getArea(code) {
  return request('GET', `/areas/${encodeURIComponent(code)}`)
}

/** GET /areas/{code}/children → [Area]. */
export async function listChildAreas(code) {
  const data = await request('GET', `/areas/${encodeURIComponent(code)}/children`)
  return data?.items || []
}

// ---- audit ----------------------------------------------------------------

/** GET /audit with filters {account, action, object, from, to, page, page_size}. */
export function listAudit(query) {
  return request('GET', '/audit', { query })
}

// ---- live events ------------------------------------------------------------

/**
 * Opens the server-sent event stream (the session cookie authenticates it).
 * `handlers` maps event names ('audit', 'shutdown') to functions receiving
 * (parsedData, MessageEvent); `onState` receives 'connecting' | 'open' | 'closed'.
 * Returns a function that closes the stream.
 */
export function subscribeEvents(handlers, onState = () => {}) {
  const source = new EventSource(`${BASE}/events`, { withCredentials: false })
  onState('connecting')
  source.onopen = () => onState('open')
  source.onerror = () => onState(source.readyState === EventSource.CLOSED ? 'closed' : 'connecting')
  for (const [name, fn] of Object.entries(handlers)) {
    source.addEventListener(name, (event) => {
      let data = null
      try {
        data = event.data ? JSON.parse(event.data) : null
      } catch {
        data = event.data
      }
      fn(data, event)
    })
  }
  return () => {
    source.close()
    onState('closed')
  }
}

// ---- operations -----------------------------------------------------------

/** GET /health (no auth). */
export function getHealth() {
  return request('GET', '/health', { noAuthRedirect: true })
}
