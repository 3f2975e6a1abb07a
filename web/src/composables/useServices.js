// Services (一网通办) in words: the 13 guide categories with their icons and
// a fixed order, the catalogue (loaded once per page load, for names of
// related guides), time limits, and voice input where the browser has it.
import { onBeforeUnmount, ref } from 'vue'
import { useI18n } from 'vue-i18n'
import {
  Avatar, Briefcase, Collection, FirstAidKit, Help, HomeFilled, Lollipop, Medal, Postcard, Reading, School, Stamp,
  Sunny, Wallet,
} from '@element-plus/icons-vue'
import * as api from '../api.js'

/** The categories in the order residents look for them; `key` names their i18n entry. */
export const SERVICE_CATEGORIES = [
  { name: '养老', key: 'elderly', icon: Sunny, color: '#c2410c' },
  { name: '社会保险', key: 'socialInsurance', icon: Wallet, color: '#1d5fbf' },
  { name: '医疗保障', key: 'medical', icon: FirstAidKit, color: '#b42318' },
  { name: '户籍与居住', key: 'residence', icon: Postcard, color: '#0e7490' },
  { name: '教育', key: 'education', icon: School, color: '#6d28d9' },
  { name: '救助', key: 'assistance', icon: Help, color: '#a16207' },
  { name: '残疾人', key: 'disability', icon: Avatar, color: '#0f766e' },
  { name: '住房保障', key: 'housing', icon: HomeFilled, color: '#9a3412' },
  { name: '就业', key: 'employment', icon: Briefcase, color: '#1e40af' },
  { name: '计划生育', key: 'family', icon: Lollipop, color: '#be185d' },
  { name: '优抚', key: 'veterans', icon: Medal, color: '#b91c1c' },
  { name: '法律服务', key: 'legal', icon: Reading, color: '#374151' },
  { name: '民政其他', key: 'civil', icon: Stamp, color: '#4d7c0f' },
]
const BY_NAME = Object.fromEntries(SERVICE_CATEGORIES.map((c) => [c.name, c]))

/** The questions offered as examples under the ask box. */
export const EXAMPLE_QUESTIONS = ['装电梯补贴', '孩子上小学登记', '长护险', '办结婚证']

/** The longest question the server searches for, and the longest consultation it takes (characters). */
export const MAX_QUESTION = 200
export const MAX_CONSULTATION = 500

/** Display facts of a category by its Chinese name (unknown ones get a plain icon). */
export function categoryInfo(name) {
  return BY_NAME[name] || { name, key: '', icon: Collection, color: '#4b5563' }
}

/**
 * The server's category counts in the display order (categories the server
 * does not know are left out; ones this list does not know come last).
 */
export function orderCategories(counts = []) {
  const known = SERVICE_CATEGORIES.map((c) => counts.find((x) => x.name === c.name)).filter(Boolean)
  const other = counts.filter((x) => !BY_NAME[x.name])
  return [...known, ...other]
}

// ---- the catalogue: one request per page load --------------------------------------
const catalog = ref({ items: [], categories: [] })
let catalogLoad = null

/** Loads GET /services once (again after a failure or after forget()). */
export function loadCatalog() {
  if (!catalogLoad) {
    catalogLoad = api.listServices()
      .then((data) => { catalog.value = { items: data?.items || [], categories: data?.categories || [] } })
      .catch((err) => { catalogLoad = null; throw err })
  }
  return catalogLoad
}
/** Drops the loaded catalogue (after an edit). */
export function forgetCatalog() {
  catalogLoad = null
}

/** Words for the services pages in the current language. */
export function useServiceWords() {
  const { t, locale } = useI18n()
  const en = () => locale.value === 'en'
  function categoryName(name) {
    const key = categoryInfo(name).key
    return key ? t(`services.categories.${key}`) : name
  }
  /** A guide's name in the current language (English names where the guide has one). */
  function guideName(g) {
    if (!g) return ''
    return (en() && g.name_en) || g.name || g.id || g.code || ''
  }
  /** In English, the Chinese name too (that is what the counter calls it). */
  function guideOtherName(g) {
    if (!g || !en()) return ''
    return g.name && g.name !== guideName(g) ? g.name : ''
  }
  function timeLimit(days) {
    if (days === 0) return t('services.onTheSpot')
    if (typeof days === 'number' && days > 0) return t('services.withinDays', { n: days })
    return t('services.timeUnknown')
  }
  /** A guide's name by its code, from the catalogue (the code until it is loaded). */
  function nameOf(code) {
    const g = catalog.value.items.find((x) => x.id === code)
    return g ? guideName(g) : code
  }
  return { catalog, categoryName, guideName, guideOtherName, timeLimit, nameOf }
}

// ---- voice input (Web Speech API; absent in many browsers) --------------------------

/**
 * Speech to text where the browser has it. `supported` is false elsewhere
 * (the button is then hidden). `start(lang, onText)` listens once.
 */
export function useVoiceInput() {
  const Recognition = typeof window !== 'undefined' ? (window.SpeechRecognition || window.webkitSpeechRecognition) : null
  const supported = Boolean(Recognition)
  const listening = ref(false)
  const failed = ref(false)
  let recognizer = null

  function stop() {
    try {
      recognizer?.abort()
    } catch {
      // already stopped
    }
    recognizer = null
    listening.value = false
  }
  function start(lang, onText) {
    if (!supported) return
    if (listening.value) {
      stop()
      return
    }
    failed.value = false
    try {
      recognizer = new Recognition()
      recognizer.lang = lang === 'en' ? 'en-US' : 'zh-CN'
      recognizer.interimResults = false
      recognizer.maxAlternatives = 1
      recognizer.onresult = (event) => {
        const text = event.results?.[0]?.[0]?.transcript || ''
        if (text.trim()) onText(text.trim())
      }
      recognizer.onerror = () => { failed.value = true }
      recognizer.onend = () => { listening.value = false; recognizer = null }
      recognizer.start()
      listening.value = true
    } catch {
      failed.value = true
      stop()
    }
  }
  onBeforeUnmount(stop)
  return { supported, listening, failed, start, stop }
}
