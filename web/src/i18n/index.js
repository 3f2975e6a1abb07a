import { createI18n } from 'vue-i18n'
import zhCN from './zh-CN.js'
import en from './en.js'

export const LANGUAGES = ['zh-CN', 'en']
export const DEFAULT_LANGUAGE = 'zh-CN'
const STORAGE_KEY = 'shequ.language'

/** The language chosen before sign-in (or last used on this device). */
export function storedLanguage() {
  try {
    const value = localStorage.getItem(STORAGE_KEY)
    if (LANGUAGES.includes(value)) return value
  } catch {
    // storage may be disabled
  }
  return DEFAULT_LANGUAGE
}

export const i18n = createI18n({
  legacy: false,
  locale: storedLanguage(),
  fallbackLocale: DEFAULT_LANGUAGE,
  messages: { 'zh-CN': zhCN, en },
  missingWarn: false,
  fallbackWarn: false,
})

/** Switches the UI language, remembers it on this device and sets <html lang>. */
export function setLanguage(lang) {
  const value = LANGUAGES.includes(lang) ? lang : DEFAULT_LANGUAGE
  i18n.global.locale.value = value
  document.documentElement.lang = value
  try {
    localStorage.setItem(STORAGE_KEY, value)
  } catch {
    // ignore
  }
}

/**
 * The text to show for an error from api.js, in the current language: the
 * server's own message when it sent one (with the messages of the fields a
 * validation error names), otherwise a generic one.
 */
export function errorText(err) {
  const { t, locale } = i18n.global
  if (!err) return ''
  if (err.network) return t('errors.network')
  const en = locale.value === 'en'
  const pick = (o) => (en ? o?.message_en || o?.message_zh : o?.message_zh || o?.message_en) || ''
  const fields = (err.errors || []).map(pick).filter(Boolean)
  const withFields = (text) => (fields.length ? t('errors.withFields', { message: text, fields: fields.join(t('errors.fieldSeparator')) }) : text)
  const own = en ? err.message_en : err.message_zh
  const other = en ? err.message_zh : err.message_en
  if (own) return withFields(own)
  if (err.status === 403) return t('errors.forbidden')
  if (err.status) return withFields(other || t('errors.unknown', { status: err.status }))
  return err.message || t('errors.unknown', { status: '?' })
}
