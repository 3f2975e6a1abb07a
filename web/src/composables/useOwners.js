// Who a case can be dispatched to: departments and neighborhoods.
import { ref } from 'vue'
import * as api from '../api.js'
import { useSessionStore } from '../stores/session.js'

const departments = ref([])
let departmentsLoad = null
let loadedFor = null

/**
 * The departments ({code, name}). The API has no department list yet, so
 * they are read from the case indicators (every department that has owned a
 * case since 2000; neighborhood owners, whose codes are area codes, are left
 * out). Needs case.indicators; without it the list stays empty and a code can
 * still be typed in.
 */
export function loadDepartments() {
  const session = useSessionStore()
  if (!session.can('case.indicators')) return Promise.resolve()
  // another account (signed in on the same page) sees other departments
  if (!departmentsLoad || loadedFor !== session.user?.username) {
    loadedFor = session.user?.username
    departments.value = []
    departmentsLoad = api.caseIndicators({ from: '2000-01-01' })
      .then((data) => {
        departments.value = (data?.by_department || [])
          .filter((d) => d.code && !/^\d+$/.test(d.code))
          .map((d) => ({ code: d.code, name: d.name || d.code }))
          .sort((a, b) => a.name.localeCompare(b.name, 'zh-CN'))
      })
      .catch(() => { departmentsLoad = null })
  }
  return departmentsLoad
}

/** The neighborhoods of the subdistrict an area lies in ([{code, name}]). */
export async function neighborhoodsAround(areaCode) {
  try {
    const area = await api.getArea(areaCode)
    const chain = [...(area.ancestors || []), area]
    const sub = chain.find((a) => a.level === 'subdistrict')
    if (!sub) return chain.filter((a) => a.level === 'neighborhood').map((a) => ({ code: a.code, name: a.name }))
    return (await api.listChildAreas(sub.code))
      .filter((a) => a.level === 'neighborhood')
      .map((a) => ({ code: a.code, name: a.name }))
  } catch {
    return []
  }
}

/** The departments ref; `load`: fetch them now (otherwise loadDepartments() when needed). */
export function useDepartments(load = true) {
  if (load) loadDepartments()
  return departments
}
