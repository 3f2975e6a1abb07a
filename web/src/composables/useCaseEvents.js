// Live case updates: the page's handler gets the `case` and `case_deadline`
// events (GET /api/v1/events) in small batches, so that a burst (the deadline
// sweep marks many cases at once) costs one reload, not one per event.
import { onBeforeUnmount, onMounted, ref } from 'vue'
import * as api from '../api.js'

/**
 * `handler(events)` receives [{type: 'case'|'case_deadline', id, action?, state, deadline?, …}].
 * Returns `live`: 'connecting' | 'open' | 'closed' (for a LiveBadge).
 */
export function useCaseEvents(handler, { delay = 250 } = {}) {
  const live = ref('connecting')
  let close = null
  let timer = null
  let queued = []

  function push(type, data) {
    queued.push({ ...(data && typeof data === 'object' ? data : {}), type })
    clearTimeout(timer)
    timer = setTimeout(() => {
      const batch = queued
      queued = []
      handler(batch)
    }, delay)
  }

  onMounted(() => {
    close = api.subscribeEvents({
      case: (data) => push('case', data),
      case_deadline: (data) => push('case_deadline', data),
      shutdown: () => { close?.(); close = null },
      session_ended: () => { close?.(); close = null },
    }, (state) => { live.value = state })
  })
  onBeforeUnmount(() => {
    clearTimeout(timer)
    close?.()
    close = null
  })
  return { live }
}
