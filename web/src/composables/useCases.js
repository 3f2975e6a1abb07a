// The cases module's codes (docs/api-cases.md) in words, the category list
// (loaded once per page load), deadline colours and due times.
import { computed, ref } from 'vue'
import { useI18n } from 'vue-i18n'
import * as api from '../api.js'

export const CASE_STATES = ['reported', 'filed', 'dispatched', 'handled', 'suspended', 'closed', 'not_filed', 'void']
export const OPEN_STATES = ['reported', 'filed', 'dispatched', 'handled', 'suspended']
export const SATISFACTIONS = ['satisfied', 'basically_satisfied', 'unsatisfied']
export const DEADLINES = ['red', 'yellow']
export const PHOTO_STAGES = ['before', 'after', 'evidence']

/** Dot and point colours of a case's deadline ('' = no running limit). */
export const DEADLINE_COLORS = { red: '#c81e1e', yellow: '#d99a00', green: '#2e7d32', '': '#8a8a8a' }

/**
 * What each action asks for before it is sent: `note` 'required' | 'optional'
 * (absent: one click, no dialog), `owner` (dispatch), `satisfaction` (rate),
 * `photos` (a photo stage to attach), and the button's look. The server's
 * allowed_actions decides which ones are shown; this only shapes the dialog.
 */
export const CASE_ACTIONS = {
  file: { type: 'primary' },
  decline: { note: 'required', type: 'danger', plain: true },
  dispatch: { owner: true, type: 'primary' },
  send_back: { note: 'required', type: 'warning', plain: true },
  handle: { note: 'required', type: 'primary', photos: 'after' },
  verify_pass: { type: 'success' },
  verify_fail: { note: 'required', type: 'danger', plain: true, photos: 'evidence' },
  self_handle: { note: 'optional', type: 'primary', photos: 'after' },
  request_extension: { note: 'required', plain: true },
  approve_extension: { type: 'success', plain: true },
  reject_extension: { note: 'optional', type: 'danger', plain: true },
  request_suspension: { note: 'required', plain: true },
  approve_suspension: { type: 'success', plain: true },
  reject_suspension: { note: 'optional', type: 'danger', plain: true },
  resume: { type: 'primary', plain: true },
  request_void: { note: 'required', type: 'danger', plain: true, duplicate: true },
  approve_void: { type: 'success', plain: true },
  reject_void: { note: 'optional', type: 'danger', plain: true },
  supervise: { type: 'warning', plain: true },
  urge: { type: 'warning', plain: true },
  rate: { satisfaction: true, type: 'primary' },
  reopen: { note: 'optional', type: 'warning', plain: true },
}

// ---- categories: one request per page load, shared by every page -------------------
const categories = ref([])
let categoriesLoad = null

/** Loads the categories once (again after a failure). */
export function loadCategories() {
  if (!categoriesLoad) {
    categoriesLoad = api.listCaseCategories()
      .then((items) => { categories.value = items })
      .catch((err) => { categoriesLoad = null; throw err })
  }
  return categoriesLoad
}

/** The key of a category's group: the first three characters of its code (C01, E05), S for community ones. */
export function majorKey(c) {
  return c.family === 'community' ? 'S' : String(c.code).slice(0, 3)
}

/**
 * Words for the cases module: `state(code, {plain})` (plain: the resident's
 * wording), `action(code)`, `category(code)` (in the UI language),
 * `satisfaction(code)`, `source(code)`, `dueText(case)`.
 */
export function useCases() {
  const { t, te, locale } = useI18n()
  loadCategories().catch(() => {})

  const byCode = computed(() => new Map(categories.value.map((c) => [c.code, c])))

  function word(group, value) {
    if (value === null || value === undefined || value === '') return ''
    const key = `caseCodes.${group}.${value}`
    return te(key) ? t(key) : String(value)
  }
  function categoryName(code) {
    const c = byCode.value.get(code)
    if (!c) return code || ''
    return locale.value === 'en' && c.name_en ? c.name_en : c.name
  }
  /** The group a category belongs to ("公用设施"): the server's words in Chinese, ours in English. */
  function majorName(c) {
    if (locale.value !== 'en') return c.major
    const key = `caseCodes.major.${majorKey(c)}`
    return te(key) ? t(key) : c.major
  }
  /** A duration in minutes, hours or days, rounded. */
  function duration(ms) {
    const minutes = Math.max(1, Math.round(Math.abs(ms) / 60000))
    if (minutes < 60) return t('cases.minutes', { n: minutes }, minutes)
    const hours = Math.round(minutes / 60)
    if (hours < 48) return t('cases.hours', { n: hours }, hours)
    const days = Math.round(hours / 24)
    return t('cases.days', { n: days }, days)
  }
  /** "due in 3 hours" / "overdue by 2 days" for the running step, '' without one. */
  function dueText(c, now = Date.now()) {
    if (!c?.step_due_at || !c.deadline) return ''
    const left = new Date(c.step_due_at).getTime() - now
    if (Number.isNaN(left)) return ''
    return left >= 0 ? t('cases.dueIn', { time: duration(left) }) : t('cases.overdueBy', { time: duration(left) })
  }

  return {
    categories,
    categoryName,
    majorName,
    state: (code, { plain = false } = {}) => word(plain ? 'plainState' : 'state', code),
    action: (code) => word('action', code),
    satisfaction: (code) => word('satisfaction', code),
    source: (code) => word('source', code),
    deadline: (code) => word('deadline', code || 'none'),
    pending: (code) => word('pending', code),
    stage: (code) => word('stage', code),
    dueText,
    duration,
  }
}
