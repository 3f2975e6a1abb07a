// Live updates of the page: its handler gets the named events
// (GET /api/v1/events) in small batches, so that a burst (the deadline sweep
// marks many records at once) costs one reload, not one per event.
import { onBeforeUnmount, onMounted, ref } from 'vue'
import * as api from '../api.js'

/**
 * `types`: the event names to pass on; `handler(events)` receives
 * [{type, id, …}] (`type`: one of `types`).
 * Returns `live`: 'connecting' | 'open' | 'closed' (for a LiveBadge).
 */
export function useLiveEvents(types, handler, { delay = 250 } = {}) {
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
    const handlers = {}
    for (const type of types) handlers[type] = (data) => push(type, data)
    close = api.subscribeEvents({
      ...handlers,
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
