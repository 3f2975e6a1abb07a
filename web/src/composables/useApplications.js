// Applications (一网通办 申请) in words: states, actions, consent methods,
// the progress stages, the per-field messages of a refusal, material checks,
// and live updates (the `application` events).
import { useI18n } from 'vue-i18n'
import * as api from '../api.js'
import { useListQuery } from './useListQuery.js'
import { useLiveEvents } from './useLiveEvents.js'

export const APPLICATION_STATES = ['submitted', 'returned', 'accepted', 'approved', 'refused', 'done', 'withdrawn']
/** The way an application normally goes. */
export const PROGRESS = ['submitted', 'accepted', 'approved', 'done']
/** Actions of the applicant (or their proxy) and of a handler; `note`: the note is required. */
export const APPLICATION_ACTIONS = {
  accept: { type: 'primary' },
  return: { type: 'warning', note: true },
  approve: { type: 'success' },
  refuse: { type: 'danger', note: true },
  complete: { type: 'primary' },
  resubmit: { type: 'primary' },
  withdraw: { type: 'danger', plain: true, confirm: true },
}
export const CONSENT_METHODS = ['signature', 'verbal', 'letter']

/** Materials: what the server takes (by content), and the largest size. */
export const MATERIAL_TYPES = ['application/pdf', 'image/jpeg', 'image/png']
export const MATERIAL_MAX_BYTES = 5 * 1024 * 1024
export const MATERIAL_MAX_COUNT = 10

/** The content type of a chosen file: the browser's, or guessed from its name. */
export function materialType(file) {
  if (MATERIAL_TYPES.includes(file?.type)) return file.type
  const name = (file?.name || '').toLowerCase()
  if (name.endsWith('.pdf')) return 'application/pdf'
  if (name.endsWith('.jpg') || name.endsWith('.jpeg')) return 'image/jpeg'
  if (name.endsWith('.png')) return 'image/png'
  return ''
}

/** A file size in words (KB / MB). */
export function fileSize(bytes) {
  if (!Number.isFinite(bytes)) return ''
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))} KB`
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`
}

/** An empty form for a guide's `form` fields (checkboxes false, the rest ''). */
export function emptyForm(fields = []) {
  const out = {}
  for (const f of fields) out[f.key] = f.type === 'checkbox' ? false : ''
  return out
}

/**
 * The form as the server wants it: the fields left empty are left out
 * (numbers as numbers, checkboxes as booleans).
 */
export function formBody(fields = [], values = {}) {
  const out = {}
  for (const f of fields) {
    const v = values[f.key]
    if (f.type === 'checkbox') {
      if (v) out[f.key] = true
      else if (f.required) out[f.key] = false
      continue
    }
    if (v === undefined || v === null) continue
    const text = typeof v === 'string' ? v.trim() : v
    if (text === '') continue
    if (f.type === 'number') {
      const n = Number(text)
      out[f.key] = Number.isFinite(n) ? n : text
    } else out[f.key] = text
  }
  return out
}

/** An application's form values, completed with empty values for fields it does not have. */
export function formValues(fields = [], form = {}) {
  const out = emptyForm(fields)
  for (const f of fields) {
    const v = form?.[f.key]
    if (v === undefined || v === null) continue
    out[f.key] = f.type === 'checkbox' ? Boolean(v) : f.type === 'number' ? String(v) : v
  }
  return out
}

/** Words for applications in the current language. */
export function useApplicationWords() {
  const { t, locale } = useI18n()
  const pick = (o) => (locale.value === 'en' ? o?.message_en || o?.message_zh : o?.message_zh || o?.message_en) || ''
  return {
    state: (s) => (s ? t(`applications.states.${s}`) : ''),
    action: (a) => t(`applications.actions.${a}`),
    stepAction: (a) => t(`applications.stepActions.${a}`),
    consent: (m) => (m ? t(`applications.consentMethods.${m}`) : ''),
    deadline: (d) => (d ? t(`applications.deadlines.${d}`) : ''),
    /** {field: message} of a validation refusal, in the current language. */
    fieldErrors(err) {
      const out = {}
      for (const e of err?.errors || []) {
        const text = pick(e)
        if (e.field && text) out[e.field] = out[e.field] ? `${out[e.field]}；${text}` : text
      }
      return out
    },
    /** The refusal's own message and the messages of fields not shown next to a field (`shown`: field names). */
    summary(err, shown = []) {
      if (!err) return ''
      if (err.network) return t('errors.network')
      const own = pick(err) || (err.status === 403 ? t('errors.forbidden') : t('errors.unknown', { status: err.status }))
      const rest = (err.errors || []).filter((e) => !shown.includes(e.field)).map(pick).filter(Boolean)
      return rest.length ? t('errors.withFields', { message: own, fields: rest.join(t('errors.fieldSeparator')) }) : own
    },
  }
}

/** The tag type of a state. */
export function stateType(state) {
  return {
    submitted: 'primary', returned: 'warning', accepted: 'primary', approved: 'success', refused: 'danger', done: 'success',
    withdrawn: 'info',
  }[state] || 'info'
}

/**
 * Live application updates: `handler(events)` gets [{type, id, action?, state?, deadline?}]
 * in small batches. Returns `live` for a LiveBadge.
 */
export function useApplicationEvents(handler, options) {
  return useLiveEvents(['application', 'application_deadline'], handler, options)
}

/**
 * A list of applications for a query (a ref or a getter's value): the first
 * `pageSize`, "more" to grow it, refresh() for live updates.
 */
export function useApplicationQuery(query, options) {
  return useListQuery(api.listApplications, query, options)
}
