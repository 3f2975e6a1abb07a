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

/** The file name in a Content-Disposition header ('' when none). */
function fileNameOf(res) {
  const header = res.headers.get('Content-Disposition') || ''
  const star = header.match(/filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/)
  if (star) {
    try {
      return decodeURIComponent(star[1].trim().replace(/^"|"$/g, ''))
    } catch {
      // fall through to the plain form
    }
  }
  const plain = header.match(/filename\s*=\s*"?([^";]+)"?/)
  return plain ? plain[1].trim() : ''
}

/**
 * Sends one request. `options.body` is sent as JSON; `options.query` is an
 * object of query parameters (empty values left out); `options.noAuthRedirect`
 * keeps a 401 from triggering the unauthenticated handler; `options.rawBody`
 * (with `options.contentType`) sends a file as it is; `options.file` (a
 * default file name) answers `{blob, filename}` instead of parsed JSON.
 */
async function request(method, path, options = {}) {
  const headers = { Accept: options.accept || 'application/json' }
  const init = { method, headers, credentials: 'same-origin', cache: 'no-store' }
  if (options.rawBody !== undefined) {
    // a file sent as it is (imports): its own content type, no JSON encoding
    headers['Content-Type'] = options.contentType || 'application/octet-stream'
    init.body = options.rawBody
  } else if (options.body !== undefined) {
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
  if (options.file) return { blob: await res.blob(), filename: fileNameOf(res) || options.file }
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

// ---- registry (一标三实, docs/api-registry.md) ----------------------------------
// Lists take their filters as query parameters plus page/page_size and answer
// {items, total, page, page_size}.

const id = (value) => encodeURIComponent(String(value))

/** GET /persons {q, document_number, phone, address, care_tag, hukou, area, sort, page, page_size}. */
export function listPersons(query) {
  return request('GET', '/persons', { query })
}

/** GET /persons/{id} → Person (masked; the read is audited). */
export function getPerson(personId) {
  return request('GET', `/persons/${id(personId)}`)
}

/** POST /persons/{id}/unmask {field: 'document_number'|'phone', reason} → {field, value}. */
export function unmaskPerson(personId, field, reason) {
  return request('POST', `/persons/${id(personId)}/unmask`, { body: { field, reason } })
}

/** POST /persons/{id}/care-tags {tag, reason} → Person. */
export function addCareTag(personId, tag, reason) {
  return request('POST', `/persons/${id(personId)}/care-tags`, { body: { tag, reason } })
}

/** DELETE /persons/{id}/care-tags/{tag} {reason} → Person. */
export function removeCareTag(personId, tag, reason) {
  return request('DELETE', `/persons/${id(personId)}/care-tags/${id(tag)}`, { body: { reason } })
}

/** POST /residencies {person_id, dwelling_id, relation, start_date, reason} → Residency (move in). */
export function moveIn(body) {
  return request('POST', '/residencies', { body })
}

/** POST /residencies/{id}/end {end_date, reason} → Residency (move out). */
export function moveOut(residencyId, body) {
  return request('POST', `/residencies/${id(residencyId)}/end`, { body })
}

/** GET /dwellings {address, occupancy, area, building_id, page, page_size}. */
export function listDwellings(query) {
  return request('GET', '/dwellings', { query })
}

/** GET /dwellings/{id} → Dwelling with residents and history. */
export function getDwelling(dwellingId) {
  return request('GET', `/dwellings/${id(dwellingId)}`)
}

/** GET /buildings/{id} → Building with the floor × room grid (top floor first). */
export function getBuilding(buildingId) {
  return request('GET', `/buildings/${id(buildingId)}`)
}

/** GET /compounds {q, area, housing_type, page, page_size}. */
export function listCompounds(query) {
  return request('GET', '/compounds', { query })
}

/** GET /compounds/{id} → Compound with buildings and stats. */
export function getCompound(compoundId) {
  return request('GET', `/compounds/${id(compoundId)}`)
}

/** GET /organizations {q, kind, area, page, page_size}. */
export function listOrganizations(query) {
  return request('GET', '/organizations', { query })
}

/** GET /organizations/{id} → Organization. */
export function getOrganization(orgId) {
  return request('GET', `/organizations/${id(orgId)}`)
}

// ---- imports and exports ------------------------------------------------------

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

/**
 * The content type to send a file with: the browser's, except where browsers
 * are known to guess wrong (Windows reports .csv as application/vnd.ms-excel)
 * or give none.
 */
export function fileContentType(file) {
  const name = (file?.name || '').toLowerCase()
  if (name.endsWith('.csv')) return 'text/csv'
  if (name.endsWith('.xlsx')) return XLSX_TYPE
  return file?.type || 'application/octet-stream'
}

/**
 * POST /imports?kind=persons&mode=all_or_nothing|valid_only with the file as the body → Import.
 * `file_name` (kept with the import record) is read by the server but not in the contract yet.
 */
export function startImport(file, { kind = 'persons', mode = 'all_or_nothing' } = {}) {
  return request('POST', '/imports', {
    query: { kind, mode, file_name: file?.name || '' },
    rawBody: file,
    contentType: fileContentType(file),
  })
}

/** GET /imports/{id} → Import {status, total, processed, inserted, updated, unchanged, rejected, error}. */
export function getImport(importId) {
  return request('GET', `/imports/${id(importId)}`)
}

/** GET /imports/{id}/errors → {blob, filename}: the rejected rows with an `error` column (CSV). */
export function fetchImportErrors(importId) {
  return request('GET', `/imports/${id(importId)}/errors`, {
    accept: 'text/csv, */*',
    file: `import-${importId}-errors.csv`,
  })
}

/** POST /exports {kind, filters, unmasked} → Export {id, status: ready|pending_approval|rejected}. */
export function createExport(kind, filters, unmasked = false) {
  return request('POST', '/exports', { body: { kind, filters, unmasked } })
}

/** GET /exports/{id}/file → {blob, filename} (the XLSX). */
export function fetchExportFile(exportId, kind = 'export') {
  return request('GET', `/exports/${id(exportId)}/file`, {
    accept: `${XLSX_TYPE}, */*`,
    file: `${kind}-${exportId}.xlsx`,
  })
}

// ---- cases (一网统管, docs/api-cases.md) -------------------------------------------

/** GET /cases {state (comma list), category, source, owner_code, area, deadline, q, sort, page, page_size}. */
export function listCases(query) {
  return request('GET', '/cases', { query })
}

/** GET /cases/counts → {by_state: {state: n}, yellow, red}. */
export function caseCounts() {
  return request('GET', '/cases/counts')
}

/** GET /cases/{id} → Case with steps and allowed_actions. */
export function getCase(caseId) {
  return request('GET', `/cases/${id(caseId)}`)
}

/** POST /cases {category_code, title, description, lng, lat | area_code, address, handled_on_spot, note, …} → Case. */
export function createCase(body) {
  return request('POST', '/cases', { body })
}

/**
 * POST /cases/{id}/actions {action, version, note?, owner_kind?, owner_code?,
 * satisfaction?, duplicate_of?} → Case.
 */
export function caseAction(caseId, body) {
  return request('POST', `/cases/${id(caseId)}/actions`, { body })
}

/** GET /cases/{id}/duplicates → [Case + distance_m]: open cases of the same kind nearby. */
export async function caseDuplicates(caseId) {
  const data = await request('GET', `/cases/${id(caseId)}/duplicates`)
  return data?.items || []
}

/** POST /cases/{id}/photos?stage=before|after|evidence with the image as the body → {id, stage, url, thumb_url}. */
export function uploadCasePhoto(caseId, stage, blob) {
  return request('POST', `/cases/${id(caseId)}/photos`, {
    query: { stage },
    rawBody: blob,
    contentType: blob.type || 'image/jpeg',
  })
}

/** GET /case-indicators {from, to (exclusive)} → {overall, by_department, by_area}. */
export function caseIndicators(query) {
  return request('GET', '/case-indicators', { query })
}

/** GET /case-indicators?format=xlsx {from, to} → {blob, filename}: overall, by department, by area. */
export function fetchCaseIndicatorsWorkbook(query) {
  return request('GET', '/case-indicators', {
    query: { ...query, format: 'xlsx' },
    accept: `${XLSX_TYPE}, */*`,
    file: `case-indicators-${query.from}-${query.to}.xlsx`,
  })
}

/** GET /case-categories → [Category {code, family, major, name, name_en, urgency, …}] (active ones). */
export async function listCaseCategories() {
  const data = await request('GET', '/case-categories')
  return data?.items || []
}

/** GET /grid-shapes → GeoJSON FeatureCollection of the grids in the caller's territory. */
export function gridShapes() {
  return request('GET', '/grid-shapes')
}

// ---- services (一网通办) --------------------------------------------------------
// Reading needs no sign-in: these calls never send the user to /login on a 401.

/** GET /services {category} → {items: [Guide summary], categories: [{name, count}]}. */
export function listServices(category = '') {
  return request('GET', '/services', { query: { category }, noAuthRedirect: true })
}

/**
 * GET /services?q=…&limit=… → {items: [summary + score, highlight], terms, suggest_consultation}.
 * `highlight` is HTML escaped by the server with <mark> around the matched words.
 */
export function searchServices(q, limit = 10) {
  return request('GET', '/services', { query: { q, limit }, noAuthRedirect: true })
}

/** GET /services/{code} → the full guide + id, version, sample. */
export function getService(code) {
  return request('GET', `/services/${id(code)}`, { noAuthRedirect: true })
}

/** PATCH /services/{code} {version, …fields} → the guide (service.admin; 409 when the version is stale). */
export function updateService(code, body) {
  return request('PATCH', `/services/${id(code)}`, { body })
}

/** GET /services/{code}/versions → [{version, changed_by, changed_at}] (service.admin). */
export async function serviceVersions(code) {
  const data = await request('GET', `/services/${id(code)}/versions`)
  return data?.items || []
}

/** GET /doorstep-services/{area} → {area_code, items: [Guide summary]}: what a neighborhood's station handles. */
export function doorstepServices(areaCode) {
  return request('GET', `/doorstep-services/${id(areaCode)}`, { noAuthRedirect: true })
}

/** POST /consultations {question, guide_code?} → the consultation Case (category S10), 201. */
export function createConsultation(question, guideCode = '') {
  const body = { question }
  if (guideCode) body.guide_code = guideCode
  return request('POST', '/consultations', { body, noAuthRedirect: true })
}

// ---- applications (一网通办 申请) and registration -------------------------------------

/** GET /applications {state, guide, deadline: yellow|red, mine, area, page, page_size} → {items, total, page, page_size}. */
export function listApplications(query) {
  return request('GET', '/applications', { query })
}

/** GET /applications/{id} → Application with steps, materials, allowed_actions, guide_form. */
export function getApplication(applicationId) {
  return request('GET', `/applications/${id(applicationId)}`)
}

/**
 * POST /applications {guide_code, form} (a resident) or
 * {guide_code, form, person_id, consent: {method, note}} (代办 by a worker) → Application, 201.
 */
export function createApplication(body) {
  return request('POST', '/applications', { body })
}

/** POST /applications/{id}/actions {action, version, note?, form?} → Application. */
export function applicationAction(applicationId, body) {
  return request('POST', `/applications/${id(applicationId)}/actions`, { body })
}

/** POST /applications/{id}/materials?name=… with the file as the body → {id, name, content_type, size, url}, 201. */
export function uploadApplicationMaterial(applicationId, file, name = file?.name || 'material') {
  return request('POST', `/applications/${id(applicationId)}/materials`, {
    query: { name },
    rawBody: file,
    contentType: file?.type || 'application/octet-stream',
  })
}

/** POST /registrations/codes {phone} → {sent, expires_in} (202; 429 within 60 s of the last one). */
export function sendRegistrationCode(phone) {
  return request('POST', '/registrations/codes', { body: { phone }, noAuthRedirect: true })
}

/** POST /registrations {phone, code, password, display_name?, area_code?, birth_date?} → the new account, 201. */
export function register(body) {
  return request('POST', '/registrations', { body, noAuthRedirect: true })
}

/** GET /registrations/neighborhoods?q=… → [{code, name, subdistrict}] (at most 50). */
export async function registrationNeighborhoods(q = '') {
  const data = await request('GET', '/registrations/neighborhoods', { query: { q }, noAuthRedirect: true })
  return data?.items || []
}

// ---- live events ------------------------------------------------------------

/**
 * Opens the server-sent event stream (the session cookie authenticates it).
 * `handlers` maps event names ('audit', 'import', 'case', 'case_deadline', 'shutdown') to functions receiving
 * (parsedData, MessageEvent), also 'application' and 'application_deadline'; `onState` receives 'connecting' | 'open' | 'closed'.
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
